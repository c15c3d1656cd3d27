package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl code generate and redeem against a real node on a real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
class CodeCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private String openOrg() {
    String org = "redeemer-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    return org;
  }

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  private long available(String org) {
    return ok(tallyctl.run("balance", org, "--json")).json()
        .getAsJsonObject("balance").get("available_micro_credits").getAsLong();
  }

  @Test
  void generatedCodesArePrintedOnceAndEachRedeemsOnce() {
    String requestId = "codes-" + UUID.randomUUID();
    Result made = ok(tallyctl.run("code", "generate", "2", "--credits", "25", "--label", "launch", "--request-id", requestId));
    List<String> codes = made.out().lines().filter(line -> line.startsWith("tc_")).toList();
    assertEquals(2, codes.size(), made::toString);
    Result rerun = ok(tallyctl.run("code", "generate", "2", "--credits", "25", "--request-id", requestId));
    assertTrue(rerun.out().lines().noneMatch(codes::contains), "a rerun prints no code: " + rerun);

    String org = openOrg();
    String other = openOrg();
    Result redeemed = ok(tallyctl.run("redeem", org, codes.get(0)));
    assertTrue(redeemed.out().startsWith("redeemed tc_..."), redeemed::toString);
    JsonObject again = ok(tallyctl.run("redeem", org, codes.get(0), "--json")).json();
    assertTrue(again.get("replayed").getAsBoolean(), again::toString);
    assertEquals(25_000_000L, available(org));

    Result refused = tallyctl.run("redeem", other, codes.get(0));
    assertNotEquals(0, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("REDEMPTION_CODE_USED_UP"), refused::toString);
    assertEquals(0, available(other));
  }
}
