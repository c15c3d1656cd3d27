package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The days a usage page covers, as the page's form sends them, and the hours GetUsage is asked for. */
class UsageRangeTest {

  private static final LocalDate PERIOD = LocalDate.parse("2026-12-01");
  private static final LocalDate TODAY = LocalDate.parse("2026-12-03");

  @Test
  void byDefaultThisPeriodToToday() {
    assertEquals(new UsageRange(PERIOD, TODAY), UsageRange.parse("", "", PERIOD, TODAY));
  }

  @Test
  void theLastDayIsCountedWholeUpToMidnightUtc() {
    UsageRange range = UsageRange.parse("2026-11-30", "2026-12-01", PERIOD, TODAY);
    assertEquals(Instant.parse("2026-11-30T00:00:00Z").getEpochSecond(), range.start().getSeconds());
    assertEquals(Instant.parse("2026-12-02T00:00:00Z").getEpochSecond(), range.end().getSeconds());
    assertEquals(List.of(LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-01")), range.days());
  }

  @Test
  void aRangeEndingBeforeItStartsIsABadRequest() {
    var refused = assertThrows(WebRequest.BadRequest.class, () -> UsageRange.parse("2026-12-02", "2026-12-01", PERIOD, TODAY));
    assertTrue(refused.getMessage().contains("before it starts"), refused.getMessage());
  }

  @Test
  void atMost366DaysAsGetUsageTakes() {
    assertEquals(366, UsageRange.parse("2025-12-03", "2026-12-03", PERIOD, TODAY).days().size());
    assertThrows(WebRequest.BadRequest.class, () -> UsageRange.parse("2025-12-02", "2026-12-03", PERIOD, TODAY));
  }

  @Test
  void aDateThatIsNoDateNamesItsField() {
    var refused = assertThrows(WebRequest.BadRequest.class, () -> UsageRange.parse("yesterday", "", PERIOD, TODAY));
    assertTrue(refused.getMessage().startsWith("from "), refused.getMessage());
  }
}
