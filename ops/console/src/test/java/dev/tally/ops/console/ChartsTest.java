package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The charts' markup: the numbers as text for people and exact for the script, labels escaped. */
class ChartsTest {

  private static String stacked(List<Charts.Series> series, Charts.Unit unit) {
    Html page = new Html();
    Charts.stacked(page, "c", "Credits per day", "Day", List.of("2026-12-01", "2026-12-02"), series, unit);
    return page.toString();
  }

  @Test
  void creditsShowWithSeparatorsAndTheScriptGetsExactDecimals() {
    String page = stacked(List.of(new Charts.Series("gpt-4o", new long[] {1_234_500_000L, 1L}),
        new Charts.Series("embedding", new long[] {0, 2_000_000L})), Charts.Unit.CREDITS);

    assertTrue(page.contains("data-role=\"value\" data-v=\"1234.500000\">1,234.5</td>"), page);
    assertTrue(page.contains("data-v=\"0.000001\">0.000001</td>"), page);
    assertFalse(page.contains("1234500000"), "never raw micro-credits");
    assertTrue(page.contains("<data hidden id=\"c-total\" value=\"1236.500001\">"), "the grand total for tests and scripts");
    assertTrue(page.contains("data-role=\"row-total\" data-v=\"2.000001\">2.000001</td>"), "a total per day");
  }

  @Test
  void theSummaryNamesTheTotalAndTheLargestSeriesFirst() {
    String page = stacked(List.of(new Charts.Series("small", new long[] {1_000_000L, 0}),
        new Charts.Series("large", new long[] {5_000_000L, 5_000_000L})), Charts.Unit.CREDITS);

    assertTrue(page.contains(">Credits per day: 11 in all; large 10, small 1.</p>"), page);
    assertTrue(page.contains("class=\"chart-box\" aria-hidden=\"true\" hidden"), "the drawing repeats the text beside it");
  }

  @Test
  void seriesAndCategoryNamesAreText() {
    Html page = new Html();
    Charts.stacked(page, "c", "Calls", "Call type", List.of("<b>x</b>"),
        List.of(new Charts.Series("<img src=x onerror=alert(1)>", new long[] {3})), Charts.Unit.COUNT);

    assertFalse(page.toString().contains("<img"), page.toString());
    assertFalse(page.toString().contains("<b>"), page.toString());
    assertTrue(page.toString().contains("&lt;img src=x onerror=alert(1)&gt;"));
  }

  @Test
  void countsShowWithSeparators() {
    assertEquals("12,345,678", Charts.Unit.COUNT.shown(12_345_678));
    assertEquals("12345678", Charts.Unit.COUNT.data(12_345_678));
  }

  @Test
  void theAllocationBarHasItsMarksAt80And100Percent() {
    Html page = new Html();
    Charts.allocation(page, "p", "This period", 850_000_000L, 1_000_000_000L);

    assertTrue(page.toString().contains("data-role=\"used\" data-v=\"850.000000\">850</td>"), page.toString());
    assertTrue(page.toString().contains("data-role=\"mark\" data-v=\"800.000000\">800</td>"));
    assertTrue(page.toString().contains("data-role=\"mark\" data-v=\"1000.000000\">1,000</td>"));
    assertTrue(page.toString().contains("850 of 1,000 credits used, 85 %, past the 80 % mark."), page.toString());
  }

  @Test
  void sumsStopAtTheLargestLongRatherThanWrap() {
    assertEquals(Long.MAX_VALUE, Charts.add(Long.MAX_VALUE - 1, 5));
    assertEquals(7, Charts.add(3, 4));
    assertEquals(Long.MAX_VALUE, new Charts.Series("s", new long[] {Long.MAX_VALUE, Long.MAX_VALUE}).total());
  }

  @Test
  void aSeriesNeedsAValuePerCategory() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> stacked(List.of(new Charts.Series("short", new long[] {1})), Charts.Unit.COUNT));
  }
}
