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

  @Test
  void anOrgShowsWithItsCreditsOnceTheReadSideHasItAndTheTableNamesIt() throws Exception {
    String org = "listed-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    ok(tallyctl.run("grant", org, "100", "--kind", "PURCHASE"));
    ok(tallyctl.run("charge", org, "2.5"));

    Eventually.await(org + " in the directory with its charge", Duration.ofSeconds(60),
        () -> listed(org).map(entry -> entry.get("used_micro_credits").getAsLong() == 2_500_000L).orElse(false));
    JsonObject entry = listed(org).orElseThrow();
    assertEquals(97_500_000L, entry.get("balance_micro_credits").getAsLong(), entry::toString);
    assertTrue(listed(org, "--status", "depleted").isEmpty(), "not depleted");

    Result table = ok(tallyctl.run("org", "list", "--plan", "payg"));
    assertTrue(table.out().contains(org) && table.out().contains("97.5"), table::toString);
    Result byFormerName = ok(tallyctl.run("orgs", "--plan", "payg"));
    assertTrue(byFormerName.out().contains(org) && byFormerName.out().contains("97.5"), byFormerName::toString);
    var ranked = ok(tallyctl.run("top", "--plan", "payg", "--limit", "100", "--json")).json().getAsJsonArray("orgs");
    for (int i = 1; i < ranked.size(); i++) {
      assertTrue(ranked.get(i - 1).getAsJsonObject().get("period_used_micro_credits").getAsLong()
          >= ranked.get(i).getAsJsonObject().get("period_used_micro_credits").getAsLong(), ranked::toString);
    }
    Result top = ok(tallyctl.run("top", "--limit", "3"));
    assertTrue(top.out().contains("USED THIS PERIOD"), top::toString);
    Result wrong = tallyctl.run("org", "list", "--status", "broke");
    assertEquals(2, wrong.exit(), wrong::toString);
    assertTrue(wrong.err().contains("depleted or in-debt"), wrong::toString);
  }
}
