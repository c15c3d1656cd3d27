package dev.tally.ops.console;

import dev.tally.v1.Credits;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A chart is its table: each figure holds a one-sentence summary and the numbers as a table (the
 * text alternative, and what is left when scripts do not run) and an empty box; the console's
 * {@code charts.js} draws the box with ECharts from the table's cells ({@code data-role}, {@code data-v}). Amounts
 * show as credits with separators; {@code data-v} holds exact decimal credits for the script.
 */
final class Charts {

  /** What a chart counts: credits (the cells hold µcr) or plain counts (tokens, calls). */
  enum Unit {
    CREDITS, COUNT;

    /** As people read it: {@code 1,234.5} credits, {@code 12,345} tokens. */
    String shown(long value) {
      return this == CREDITS ? Credits.withSeparators(value) : String.format(Locale.ROOT, "%,d", value);
    }

    /** For the script: exact decimal credits ({@code 1234.500000}) or the count. */
    String data(long value) {
      return this == CREDITS ? Credits.format(value) : Long.toString(value);
    }

    String attribute() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One series of a chart: its name and a value for each category, in the categories' order. */
  record Series(String name, long[] values) {
    long total() {
      long total = 0;
      for (long value : values) total = add(total, value);
      return total;
    }
  }

  /** Series named in a summary: the largest few. */
  static final int SUMMARY_SERIES = 5;

  private Charts() {}

  /** {@code a + b}, stopping at the largest long rather than wrapping, as the API's own sums do. */
  static long add(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    return sum;
  }

  /**
   * Bars for {@code categories} (days, call types...), one stacked segment per series. With more than
   * one series the table has a total column; its foot holds each series' total and the grand total
   * ({@code id-total}).
   */
  static void stacked(Html page, String id, String title, String categoryHeading, List<String> categories,
      List<Series> series, Unit unit) {
    long[] byCategory = new long[categories.size()];
    long total = 0;
    for (Series one : series) {
      if (one.values().length != categories.size()) throw new IllegalArgumentException("a value per category");
      for (int i = 0; i < byCategory.length; i++) byCategory[i] = add(byCategory[i], one.values()[i]);
      total = add(total, one.total());
    }
    boolean totalColumn = series.size() > 1;
    open(page, id, title, summary(title, series, total, unit), "stacked", unit);
    page.raw("<thead><tr><th scope=\"col\">").text(categoryHeading).raw("</th>");
    for (Series one : series) {
      page.raw("<th scope=\"col\" class=\"num\" data-role=\"series\">").text(one.name()).raw("</th>");
    }
    if (totalColumn) page.raw("<th scope=\"col\" class=\"num\">Total</th>");
    page.raw("</tr></thead><tbody>");
    for (int i = 0; i < categories.size(); i++) {
      page.raw("<tr><th scope=\"row\">").text(categories.get(i)).raw("</th>");
      for (Series one : series) cell(page, one.values()[i], unit, "value");
      if (totalColumn) cell(page, byCategory[i], unit, "row-total");
      page.raw("</tr>");
    }
    page.raw("</tbody><tfoot><tr><th scope=\"row\">Total</th>");
    for (Series one : series) cell(page, one.total(), unit, "series-total");
    if (totalColumn) cell(page, total, unit, "total");
    page.raw("</tr></tfoot>");
    close(page, id, total, unit);
  }

  /**
   * The period so far against its allocation: one bar of {@code used}, with marks at 80 % and 100 %
   * of {@code allocation} (which must be positive).
   */
  static void allocation(Html page, String id, String title, long used, long allocation) {
    long percent = OrgView.percent(used, allocation);
    String summary = title + ": " + Unit.CREDITS.shown(used) + " of " + Unit.CREDITS.shown(allocation)
        + " credits used, " + percent + " %" + (percent >= 100 ? ", past the allocation." : percent >= 80
        ? ", past the 80 % mark." : ".");
    open(page, id, title, summary, "allocation", Unit.CREDITS);
    page.raw("<thead><tr><th scope=\"col\">What</th><th scope=\"col\" class=\"num\">Credits</th></tr></thead><tbody>")
        .raw("<tr><th scope=\"row\">Used this period</th>");
    cell(page, used, Unit.CREDITS, "used");
    // The script labels each mark with its heading up to " (".
    page.raw("</tr><tr><th scope=\"row\">80 % (of the allocation)</th>");
    cell(page, mark(allocation, 80), Unit.CREDITS, "mark");
    page.raw("</tr><tr><th scope=\"row\">100 % (the allocation)</th>");
    cell(page, allocation, Unit.CREDITS, "mark");
    page.raw("</tr></tbody>");
    close(page, id, used, Unit.CREDITS);
  }

  /** {@code percent} % of {@code whole}, rounded down; exact for any positive long. */
  static long mark(long whole, int percent) {
    return java.math.BigInteger.valueOf(whole).multiply(java.math.BigInteger.valueOf(percent))
        .divide(java.math.BigInteger.valueOf(100)).longValueExact();
  }

  /** The figure's summary: what it shows in all, and its largest series. */
  static String summary(String title, List<Series> series, long total, Unit unit) {
    StringBuilder text = new StringBuilder(title).append(": ").append(unit.shown(total)).append(" in all");
    List<Series> largest = new ArrayList<>(series);
    largest.removeIf(one -> one.total() == 0);
    largest.sort(Comparator.comparingLong(Series::total).reversed());
    if (series.size() > 1 && !largest.isEmpty()) {
      text.append("; ");
      for (int i = 0; i < Math.min(SUMMARY_SERIES, largest.size()); i++) {
        if (i > 0) text.append(", ");
        text.append(largest.get(i).name()).append(' ').append(unit.shown(largest.get(i).total()));
      }
      if (largest.size() > SUMMARY_SERIES) text.append(" and ").append(largest.size() - SUMMARY_SERIES).append(" more");
    }
    return text.append('.').toString();
  }

  private static void open(Html page, String id, String title, String summary, String kind, Unit unit) {
    page.raw("<figure class=\"chart\" id=\"").text(id).raw("\"><figcaption id=\"").text(id + "-h").raw("\">").text(title)
        // The drawing repeats the summary and the table beside it, so assistive technology skips it.
        .raw("</figcaption><div class=\"chart-box\" aria-hidden=\"true\" hidden></div>")
        .raw("<p class=\"chart-summary\" id=\"").text(id + "-summary").raw("\">").text(summary).raw("</p>")
        .raw("<details><summary>The numbers</summary><div class=\"scroll\"><table class=\"chart-data\" data-kind=\"")
        .text(kind).raw("\" data-unit=\"").text(unit.attribute()).raw("\" aria-labelledby=\"").text(id + "-h").raw("\">");
  }

  private static void close(Html page, String id, long total, Unit unit) {
    page.raw("</table></div></details><data hidden id=\"").text(id + "-total").raw("\" value=\"").text(unit.data(total))
        .raw("\"></data></figure>");
  }

  /**
   * A number cell: shown for people, exact in {@code data-v} for the script, which reads the cells by
   * {@code data-role}: {@code value} (a series' value), {@code row-total}, {@code series-total},
   * {@code total}, {@code used}, {@code mark}.
   */
  private static void cell(Html page, long value, Unit unit, String role) {
    page.raw("<td class=\"num\" data-role=\"").text(role).raw("\" data-v=\"").text(unit.data(value)).raw("\">")
        .text(unit.shown(value)).raw("</td>");
  }
}
