package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * tallyctl usage, statements and statement against a real node on a real Cassandra: the usage report
 * as a table, JSON and CSV; the open statement of a new org.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class UsageCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  @Test
  void anOrgsUsageByModelAsATableJsonAndCsv() throws Exception {
    String org = "usage-" + UUID.randomUUID().toString().substring(0, 8);
    String from = Instant.now().truncatedTo(ChronoUnit.HOURS).toString();
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    ok(tallyctl.run("grant", org, "100", "--kind", "PURCHASE"));
    ok(tallyctl.run("charge", org, "2.5", "--model", "=HYPERLINK(\"x\")"));
    ok(tallyctl.run("charge", org, "1", "--model", "gpt-4o"));

    Eventually.await(org + "'s usage in the report", Duration.ofSeconds(60), () -> {
      JsonObject report = ok(tallyctl.run("usage", org, "--from", from, "--by", "model", "--json")).json();
      return report.getAsJsonObject("totals").get("calls").getAsLong() == 2;
    });
    JsonObject report = ok(tallyctl.run("usage", org, "--from", from, "--by", "model,day", "--json")).json();
    assertEquals(3_500_000L, report.getAsJsonObject("totals").get("charged_micro_credits").getAsLong(), report::toString);
    assertEquals(2, report.getAsJsonArray("rows").size(), report::toString);

    Result table = ok(tallyctl.run("usage", org, "--from", from, "--by", "model"));
    assertTrue(table.out().contains("gpt-4o") && table.out().contains("TOTAL") && table.out().contains("3.5"),
        table::toString);

    Result csv = ok(tallyctl.run("usage", org, "--from", from, "--by", "model", "--csv"));
    List<String> lines = csv.out().lines().toList();
    assertEquals("model,charged_micro_credits,calls,input,output,cache_read,cache_write,released,expired", lines.get(0));
    assertTrue(lines.contains("\"'=HYPERLINK(\"\"x\"\")\",2500000,1,0,0,0,0,0,0"), csv::toString);
    assertTrue(lines.contains("gpt-4o,1000000,1,0,0,0,0,0,0"), csv::toString);

    Result wrong = tallyctl.run("usage", org, "--by", "weekday");
    assertEquals(2, wrong.exit(), wrong::toString);
    assertTrue(wrong.err().contains("hour, day, month"), wrong::toString);
    Result refused = tallyctl.run("usage", org, "--from", "2026-12-01T00:30:00Z");
    assertTrue(refused.exit() != 0 && refused.err().contains("from"), refused::toString);
  }

  @Test
  void aNewOrgsOpenStatementListedAndShown() throws Exception {
    String org = "statement-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    ok(tallyctl.run("grant", org, "10", "--kind", "PURCHASE"));
    ok(tallyctl.run("charge", org, "4", "--model", "gpt-4o"));
    Eventually.await(org + "'s statement with its charge", Duration.ofSeconds(60), () -> {
      JsonObject listed = ok(tallyctl.run("statements", org, "--json")).json();
      return listed.getAsJsonArray("statements").size() == 1
          && listed.getAsJsonArray("statements").get(0).getAsJsonObject().get("used_micro_credits").getAsLong() == 4_000_000L;
    });
    JsonObject statement = ok(tallyctl.run("statements", org, "--json")).json().getAsJsonArray("statements").get(0)
        .getAsJsonObject();
    assertEquals(6_000_000L, statement.get("closing_balance_micro_credits").getAsLong(), statement::toString);

    Result table = ok(tallyctl.run("statements", org));
    assertTrue(table.out().contains("open") && table.out().contains("CLOSING"), table::toString);
    String periodStart = statement.get("period_start").getAsString();
    Result shown = ok(tallyctl.run("statement", org, periodStart));
    assertTrue(shown.out().contains("gpt-4o") && shown.out().contains("PURCHASE") && shown.out().contains("the period is open"),
        shown::toString);
    Result none = tallyctl.run("statement", org, "2001-01-01");
    assertEquals(1, none.exit(), none::toString);
    assertTrue(none.err().contains("STATEMENT_NOT_FOUND"), none::toString);
  }
}
