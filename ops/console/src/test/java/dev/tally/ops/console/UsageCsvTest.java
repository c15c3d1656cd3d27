package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.v1.UsageRow;
import dev.tally.v1.UsageSums;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The usage CSV's records: exact decimal credits, quoting, and labels a spreadsheet would run defused. */
class UsageCsvTest {

  @Test
  void aRowIsItsLabelsAndExactCredits() {
    UsageRow row = UsageRow.newBuilder().setProject("support").setModel("gpt-4o").setUsage(UsageSums.newBuilder()
        .setCharged(1_234_500_001L).setCalls(3).setInputTokens(360_003).setOutputTokens(90_000).setReleased(1)).build();
    assertEquals("support,gpt-4o,1234.500001,3,360003,90000,0,0,1,0\r\n", UsageCsv.line(UsageCsv.cells(row)));
  }

  @Test
  void labelsAreQuotedAndFormulasDefused() {
    assertEquals("\"a,b\",\"say \"\"hi\"\"\",'=HYPERLINK(1),'-1\r\n", UsageCsv.line(List.of("a,b", "say \"hi\"", "=HYPERLINK(1)", "-1")));
  }

  @Test
  void theFileNameKeepsToSafeCharacters() {
    UsageRange range = new UsageRange(LocalDate.parse("2026-12-01"), LocalDate.parse("2026-12-03"));
    assertEquals("usage-team_a.b-c_x_-2026-12-01-2026-12-03.csv", UsageCsv.fileName("team:a.b-c@x\"", range));
  }
}
