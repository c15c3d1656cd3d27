package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl org list (also tallyctl orgs) against a real node on a real Cassandra: the directory, a few seconds behind the ledger. */
@ExtendWith({TestCassandra.class, TestNode.class})
class DirectoryCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  private Optional<JsonObject> listed(String org, String... filter) {
    String[] args = new String[4 + filter.length];
    args[0] = "org";
    args[1] = "list";
    args[2] = "--json";
    args[3] = "--plan=payg";
    System.arraycopy(filter, 0, args, 4, filter.length);
    return StreamSupport.stream(ok(tallyctl.run(args)).json().getAsJsonArray("orgs").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(entry -> entry.get("org_id").getAsString().equals(org))
        .findFirst();
  }

  /** A new payg org granted 100 credits that was charged {@code credits}, once the directory counts the charge. */
  private String orgThatUsed(String prefix, String credits, long micros) throws Exception {
    String org = prefix + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    ok(tallyctl.run("grant", org, "100", "--kind", "PURCHASE"));
    ok(tallyctl.run("charge", org, credits));
    Eventually.await(org + " in the directory with its charge", Duration.ofSeconds(60),
        () -> listed(org).map(entry -> entry.get("used_micro_credits").getAsLong() == micros).orElse(false));
    return org;
  }

  @Test
  void anOrgShowsWithItsCreditsOnceTheReadSideHasItAndTheTableNamesIt() throws Exception {
    String org = orgThatUsed("listed-", "2.5", 2_500_000L);
    JsonObject entry = listed(org).orElseThrow();
    assertEquals(97_500_000L, entry.get("balance_micro_credits").getAsLong(), entry::toString);
    assertTrue(listed(org, "--status", "depleted").isEmpty(), "not depleted");

    Result table = ok(tallyctl.run("org", "list", "--plan", "payg"));
    assertTrue(table.out().contains(org) && table.out().contains("97.5"), table::toString);
    Result byFormerName = ok(tallyctl.run("orgs", "--plan", "payg"));
    assertTrue(byFormerName.out().contains(org) && byFormerName.out().contains("97.5"), byFormerName::toString);
    var ranked = ok(tallyctl.run("top", "--plan", "payg", "--limit", "100", "--json")).json().getAsJsonArray("orgs");
    assertMostUsedFirst(ranked);
    Result top = ok(tallyctl.run("top", "--limit", "3"));
    assertTrue(top.out().contains("USED THIS MONTH"), top::toString);
    Result wrong = tallyctl.run("org", "list", "--status", "broke");
    assertEquals(2, wrong.exit(), wrong::toString);
    assertTrue(wrong.err().contains("depleted or in-debt"), wrong::toString);
  }

  @Test
  void orgListSortedByUsageRanksMostUsedFirstInTheMonthAsked() throws Exception {
    String org = orgThatUsed("ranked-", "1.25", 1_250_000L);
    assertEquals(1_250_000L, listed(org, "--sort", "usage").orElseThrow().get("usage_period_used_micro_credits")
        .getAsLong());
    assertMostUsedFirst(ok(tallyctl.run("org", "list", "--json", "--plan=payg", "--sort", "usage")).json()
        .getAsJsonArray("orgs"));

    YearMonth thisMonth = YearMonth.now(ZoneOffset.UTC);
    Result lastMonth = ok(tallyctl.run("org", "list", "--plan=payg", "--sort", "usage", "--month",
        thisMonth.minusMonths(1).toString()));
    assertTrue(lastMonth.out().contains("USED IN " + thisMonth.minusMonths(1)) && lastMonth.out().contains(org),
        lastMonth::toString);
    Result table = ok(tallyctl.run("top", "--plan=payg", "--month", thisMonth.toString(), "--limit", "100"));
    assertTrue(table.out().contains("USED IN " + thisMonth) && table.out().contains(org), table::toString);

    Result notAMonth = tallyctl.run("top", "--month", "2026-13");
    assertEquals(2, notAMonth.exit(), notAMonth::toString);
    assertTrue(notAMonth.err().contains("not a month"), notAMonth::toString);
    Result unsorted = tallyctl.run("org", "list", "--month", thisMonth.toString());
    assertEquals(2, unsorted.exit(), unsorted::toString);
    assertTrue(unsorted.err().contains("--sort usage"), unsorted::toString);
    Result tooOld = tallyctl.run("top", "--month", thisMonth.minusMonths(2).toString());
    assertTrue(tooOld.exit() != 0 && tooOld.err().contains("usage_period"), tooOld::toString);
  }

  private static void assertMostUsedFirst(com.google.gson.JsonArray ranked) {
    for (int i = 1; i < ranked.size(); i++) {
      assertTrue(ranked.get(i - 1).getAsJsonObject().get("usage_period_used_micro_credits").getAsLong()
          >= ranked.get(i).getAsJsonObject().get("usage_period_used_micro_credits").getAsLong(), ranked::toString);
    }
  }
}
