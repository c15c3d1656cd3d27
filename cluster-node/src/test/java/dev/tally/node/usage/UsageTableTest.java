package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.Labels;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** A round's usage rows, of many orgs, go to Cassandra a few org days to a write, each row once. */
class UsageTableTest {

  static final Instant HOUR = Instant.parse("2026-12-03T10:00:00Z");

  static UsageRows.Written day(String orgId, int rows) {
    List<UsageRows.Row> written = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      UsageKey key = UsageKey.of(HOUR, new Labels("model-" + i, "", "", ""), "");
      written.add(new UsageRows.Row(key, UsageCounts.ZERO, i + 1));
    }
    return new UsageRows.Written(orgId, LocalDate.of(2026, 12, 3), UsageRows.Day.EMPTY, written);
  }

  @Property(tries = 200)
  void everyRowIsWrittenOnceInWritesOfAFewDaysAndRowsEach(
      @ForAll @IntRange(min = 0, max = 40) int orgs, @ForAll @IntRange(min = 1, max = 50) int mostRows, @ForAll long seed) {
    Random random = new Random(seed);
    List<UsageRows.Written> days = new ArrayList<>();
    List<UsageTable.DayRow> expected = new ArrayList<>();
    for (int o = 0; o < orgs; o++) {
      UsageRows.Written day = day("org-" + o, 1 + random.nextInt(mostRows));
      days.add(day);
      day.rows().forEach(row -> expected.add(new UsageTable.DayRow(day.orgId(), day.day(), row)));
    }
    List<List<UsageTable.DayRow>> batches = UsageTable.batches(days);
    assertEquals(expected, batches.stream().flatMap(List::stream).toList(), "each row once, in order");
    for (List<UsageTable.DayRow> batch : batches) {
      assertTrue(!batch.isEmpty() && batch.size() <= UsageTable.ROWS_PER_WRITE, "rows in a write: " + batch.size());
      assertTrue(batch.stream().map(UsageTable.DayRow::orgId).distinct().count() <= UsageTable.DAYS_PER_WRITE);
    }
  }

  @org.junit.jupiter.api.Test
  void tenOrgsOfOneRowEachAreOneWrite() {
    List<UsageRows.Written> days = new ArrayList<>();
    for (int o = 0; o < 25; o++) days.add(day("org-" + o, 1));
    assertEquals(List.of(10, 10, 5), UsageTable.batches(days).stream().map(List::size).toList());
  }
}
