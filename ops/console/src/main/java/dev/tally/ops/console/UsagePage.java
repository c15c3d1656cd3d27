package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.GetUsageRequest.Dimension;
import dev.tally.v1.GetUsageRequest.Granularity;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.PeriodUsage;
import dev.tally.v1.UsageRow;
import dev.tally.v1.UsageSums;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An org's usage page: for a range of days, credits per day by model (stacked), tokens per day by
 * kind, calls by call type, this period against its allocation, and usage by project and model with
 * a CSV download. Read with the user's key through GetUsage (the read side: a few seconds behind)
 * and GetBalance (the period, exact).
 */
final class UsagePage {

  /** Models drawn apart in the credits chart; the rest are summed into one series. */
  static final int MODELS_DRAWN = 7;
  /** Rows of the project table on the page (one GetUsage page); the CSV has them all. */
  static final int PROJECT_ROWS = 1_000;
  /** How a label no call set shows. */
  static final String NO_LABEL = "(none)";

  private UsagePage() {}

  static void render(WebRequest request, Session session, String orgId) throws java.io.IOException {
    TallyClient tally = session.tally();
    PeriodUsage period = tally.balance(orgId).getPeriod();
    LocalDate periodStart = periodStart(period);
    UsageRange range = UsageRange.parse(request.query("from"), request.query("to"), periodStart, LocalDate.now(ZoneOffset.UTC));

    List<UsageRow> byDayAndModel = new ArrayList<>();
    GetUsageResponse daily = everyPage(tally, query(orgId, range, Granularity.DAY, Dimension.MODEL), byDayAndModel);
    List<UsageRow> byCallType = new ArrayList<>();
    everyPage(tally, query(orgId, range, Granularity.WHOLE_RANGE, Dimension.CALL_TYPE), byCallType);
    GetUsageResponse projects = tally.accounts().getUsage(query(orgId, range, Granularity.WHOLE_RANGE,
        Dimension.PROJECT, Dimension.MODEL).setPageSize(PROJECT_ROWS).build());

    Html page = new Html();
    Pages.orgTabs(page, orgId, "usage");
    rangeForm(page, orgId, range, periodStart);
    UsageSums totals = daily.getTotals();
    page.raw("<section aria-labelledby=\"usage-sum-h\"><h2 id=\"usage-sum-h\">").text(range.from() + " to " + range.to())
        .raw("</h2><dl class=\"figures\"><div><dt>Credits</dt><dd id=\"usage-charged\">")
        .text(Charts.Unit.CREDITS.shown(totals.getCharged())).raw("</dd></div><div><dt>Calls</dt><dd id=\"usage-calls\">")
        .text(Charts.Unit.COUNT.shown(totals.getCalls())).raw("</dd></div><div><dt>Failed calls (not billed)</dt><dd>")
        .text(Charts.Unit.COUNT.shown(Charts.add(totals.getReleased(), totals.getExpired()))).raw("</dd></div></dl>")
        .raw("<p class=\"unit\">Days in UTC. Counts every call up to the org's event ")
        .text(Long.toString(daily.getAppliedSequenceNr()))
        .text(daily.hasLastEventAt() ? " of " + Pages.time(daily.getLastEventAt()) : "")
        .raw("; a call shows here a few seconds after it is made.</p></section>");

    List<String> days = range.days().stream().map(LocalDate::toString).toList();
    page.raw("<section aria-labelledby=\"charts-h\"><h2 id=\"charts-h\">Charts</h2><div class=\"charts\">");
    Charts.stacked(page, "credits-by-model", "Credits per day by model", "Day", days,
        creditsByModel(range, byDayAndModel), Charts.Unit.CREDITS);
    Charts.stacked(page, "tokens-by-kind", "Tokens per day by kind", "Day", days,
        tokensByKind(range, byDayAndModel), Charts.Unit.COUNT);
    callsByCallType(page, byCallType);
    periodBar(page, period);
    page.raw("</div></section>");

    projectTable(page, orgId, range, projects);
    request.allowOwnScripts();
    request.page(200, Pages.frame(session, "Usage of " + orgId, page, Links.ECHARTS_SCRIPT, Links.CHARTS_SCRIPT));
  }

  /** The days a request asks for: by default this billing period's (GetBalance) first day to today, UTC. */
  static UsageRange range(WebRequest request, Session session, String orgId) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    if (!request.query("from").isBlank() && !request.query("to").isBlank()) {
      return UsageRange.parse(request.query("from"), request.query("to"), today, today);
    }
    return UsageRange.parse(request.query("from"), request.query("to"),
        periodStart(session.tally().balance(orgId).getPeriod()), today);
  }

  private static LocalDate periodStart(PeriodUsage period) {
    return period.hasStart() ? day(period.getStart()) : LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
  }

  static LocalDate day(com.google.protobuf.Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds()).atOffset(ZoneOffset.UTC).toLocalDate();
  }

  static GetUsageRequest.Builder query(String orgId, UsageRange range, Granularity granularity, Dimension... by) {
    return GetUsageRequest.newBuilder().setOrgId(orgId).setFrom(range.start()).setTo(range.end())
        .setGranularity(granularity).addAllGroupBy(List.of(by));
  }

  /**
   * Every page of a query into {@code rows}; the last page's response (its totals cover them all).
   * Bounded by GetUsage itself: a query that would give more than 50,000 rows is refused.
   */
  static GetUsageResponse everyPage(TallyClient tally, GetUsageRequest.Builder query, List<UsageRow> rows) {
    GetUsageResponse response;
    String token = "";
    do {
      response = tally.accounts().getUsage(query.setPageToken(token).build());
      rows.addAll(response.getRowsList());
      token = response.getNextPageToken();
    } while (!token.isEmpty());
    return response;
  }

  static String label(String value) {
    return value.isEmpty() ? NO_LABEL : value;
  }

  /**
   * A series per model, the {@link #MODELS_DRAWN} that used the most apart and the rest as one;
   * each day of {@code range} a value.
   */
  static List<Charts.Series> creditsByModel(UsageRange range, List<UsageRow> rows) {
    Map<LocalDate, Integer> dayIndex = dayIndex(range);
    Map<String, long[]> byModel = new LinkedHashMap<>();
    for (UsageRow row : rows) {
      Integer index = dayIndex.get(day(row.getBucketStart()));
      if (index == null) continue;
      long[] values = byModel.computeIfAbsent(label(row.getModel()), model -> new long[dayIndex.size()]);
      values[index] = Charts.add(values[index], row.getUsage().getCharged());
    }
    List<Charts.Series> series = new ArrayList<>();
    byModel.forEach((model, values) -> series.add(new Charts.Series(model, values)));
    series.removeIf(one -> one.total() == 0);
    series.sort(Comparator.comparingLong(Charts.Series::total).reversed().thenComparing(Charts.Series::name));
    if (series.size() <= MODELS_DRAWN + 1) return series;
    long[] rest = new long[dayIndex.size()];
    for (Charts.Series one : series.subList(MODELS_DRAWN, series.size())) {
      for (int i = 0; i < rest.length; i++) rest[i] = Charts.add(rest[i], one.values()[i]);
    }
    List<Charts.Series> drawn = new ArrayList<>(series.subList(0, MODELS_DRAWN));
    drawn.add(new Charts.Series("all other models", rest));
    return drawn;
  }

  /** Input, output, cache-read and cache-write tokens per day of {@code range}, over every model. */
  static List<Charts.Series> tokensByKind(UsageRange range, List<UsageRow> rows) {
    Map<LocalDate, Integer> dayIndex = dayIndex(range);
    long[] input = new long[dayIndex.size()];
    long[] output = new long[dayIndex.size()];
    long[] cacheRead = new long[dayIndex.size()];
    long[] cacheWrite = new long[dayIndex.size()];
    for (UsageRow row : rows) {
      Integer index = dayIndex.get(day(row.getBucketStart()));
      if (index == null) continue;
      UsageSums usage = row.getUsage();
      input[index] = Charts.add(input[index], usage.getInputTokens());
      output[index] = Charts.add(output[index], usage.getOutputTokens());
      cacheRead[index] = Charts.add(cacheRead[index], usage.getCacheReadTokens());
      cacheWrite[index] = Charts.add(cacheWrite[index], usage.getCacheWriteTokens());
    }
    return List.of(new Charts.Series("input", input), new Charts.Series("output", output),
        new Charts.Series("cache read", cacheRead), new Charts.Series("cache write", cacheWrite));
  }

  private static Map<LocalDate, Integer> dayIndex(UsageRange range) {
    Map<LocalDate, Integer> index = new HashMap<>();
    for (LocalDate day : range.days()) index.put(day, index.size());
    return index;
  }

  private static void callsByCallType(Html page, List<UsageRow> rows) {
    List<UsageRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong((UsageRow row) -> row.getUsage().getCalls()).reversed()
        .thenComparing(UsageRow::getCallType));
    List<String> callTypes = new ArrayList<>();
    long[] billed = new long[sorted.size()];
    long[] failed = new long[sorted.size()];
    for (int i = 0; i < sorted.size(); i++) {
      UsageSums usage = sorted.get(i).getUsage();
      callTypes.add(label(sorted.get(i).getCallType()));
      billed[i] = usage.getCalls();
      failed[i] = Charts.add(usage.getReleased(), usage.getExpired());
    }
    Charts.stacked(page, "calls-by-call-type", "Calls by call type", "Call type", callTypes,
        List.of(new Charts.Series("billed", billed), new Charts.Series("failed (not billed)", failed)), Charts.Unit.COUNT);
  }

  private static void periodBar(Html page, PeriodUsage period) {
    if (period.getAllocation() <= 0) {
      page.raw("<figure class=\"chart\" id=\"period-allocation\"><figcaption>This billing period</figcaption><p>")
          .text(Charts.Unit.CREDITS.shown(period.getCharged()))
          .raw(" credits used so far; the plan allocates none, so there are no 80 % and 100 % marks.</p></figure>");
      return;
    }
    Charts.allocation(page, "period-allocation", "This billing period (" + Pages.time(period.getStart()) + " to "
        + Pages.time(period.getEnd()) + ") against its allocation", period.getCharged(), period.getAllocation());
  }

  private static void rangeForm(Html page, String orgId, UsageRange range, LocalDate periodStart) {
    page.raw("<section aria-labelledby=\"range-h\"><h2 id=\"range-h\">Days</h2>")
        .raw("<form method=\"get\" class=\"row\" action=\"").text(Links.usage(orgId)).raw("\">")
        .input("range-from", "from", "date", "From", range.from().toString(), "required")
        .input("range-to", "to", "date", "To (inclusive)", range.to().toString(), "required")
        .button("Show").raw("</form><p>").link(Links.usage(orgId), "This billing period (from " + periodStart + ")")
        .raw("</p></section>");
  }

  private static void projectTable(Html page, String orgId, UsageRange range, GetUsageResponse response) {
    page.raw("<section aria-labelledby=\"projects-h\"><h2 id=\"projects-h\">By project and model</h2><p>")
        .link(Links.usageCsv(orgId, range), "Download as CSV").raw(" (every row, credits as exact decimals)</p>");
    List<UsageRow> rows = response.getRowsList();
    if (rows.isEmpty()) {
      page.raw("<p>No usage in these days.</p></section>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"projects\"><thead><tr><th scope=\"col\">Project</th>")
        .raw("<th scope=\"col\">Model</th><th scope=\"col\" class=\"num\">Credits</th><th scope=\"col\" class=\"num\">Calls</th>")
        .raw("<th scope=\"col\" class=\"num\">Input tokens</th><th scope=\"col\" class=\"num\">Output tokens</th>")
        .raw("<th scope=\"col\" class=\"num\">Cache read</th><th scope=\"col\" class=\"num\">Cache write</th>")
        .raw("<th scope=\"col\" class=\"num\">Failed</th></tr></thead><tbody>");
    for (UsageRow row : rows) {
      UsageSums usage = row.getUsage();
      page.raw("<tr>").element("td", label(row.getProject())).element("td", label(row.getModel()));
      number(page, Charts.Unit.CREDITS, usage.getCharged());
      number(page, Charts.Unit.COUNT, usage.getCalls());
      number(page, Charts.Unit.COUNT, usage.getInputTokens());
      number(page, Charts.Unit.COUNT, usage.getOutputTokens());
      number(page, Charts.Unit.COUNT, usage.getCacheReadTokens());
      number(page, Charts.Unit.COUNT, usage.getCacheWriteTokens());
      number(page, Charts.Unit.COUNT, Charts.add(usage.getReleased(), usage.getExpired()));
      page.raw("</tr>");
    }
    UsageSums totals = response.getTotals();
    page.raw("</tbody><tfoot><tr><th scope=\"row\" colspan=\"2\">Total</th>");
    number(page, Charts.Unit.CREDITS, totals.getCharged());
    number(page, Charts.Unit.COUNT, totals.getCalls());
    number(page, Charts.Unit.COUNT, totals.getInputTokens());
    number(page, Charts.Unit.COUNT, totals.getOutputTokens());
    number(page, Charts.Unit.COUNT, totals.getCacheReadTokens());
    number(page, Charts.Unit.COUNT, totals.getCacheWriteTokens());
    number(page, Charts.Unit.COUNT, Charts.add(totals.getReleased(), totals.getExpired()));
    page.raw("</tr></tfoot></table></div>");
    if (!response.getNextPageToken().isEmpty()) {
      page.raw("<p>The first ").text(Charts.Unit.COUNT.shown(PROJECT_ROWS)).raw(" rows; the CSV has every row.</p>");
    }
    page.raw("</section>");
  }

  private static void number(Html page, Charts.Unit unit, long value) {
    page.raw("<td class=\"num\">").text(unit.shown(value)).raw("</td>");
  }
}
