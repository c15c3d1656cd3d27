package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl org create --referral-code, referral show and referral transfer against a real node on a real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
class ReferralCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  private String openOrg(String... options) {
    String org = "referral-" + UUID.randomUUID().toString().substring(0, 8);
    String[] args = new String[4 + options.length];
    args[0] = "org";
    args[1] = "create";
    args[2] = org;
    args[3] = "--plan=payg";
    System.arraycopy(options, 0, args, 4, options.length);
    ok(tallyctl.run(args));
    return org;
  }

  @Test
  void aReferredOrgsPurchaseShowsAsARewardThatTransferMovesOnce() {
    String referrer = openOrg();
    JsonObject shown = ok(tallyctl.run("referral", "show", referrer, "--json")).json();
    String code = shown.get("referral_code").getAsString();
    assertTrue(code.startsWith("tr_"), shown::toString);
    String buyer = openOrg("--referral-code", code);
    ok(tallyctl.run("package", "buy", buyer, "standard", "--payment-reference", "pay-" + UUID.randomUUID()));

    Result table = ok(tallyctl.run("referral", "show", referrer));
    String reward = dev.tally.v1.Credits.format(dev.tally.v1.Credits.of(100)); // 10 % of the standard package
    assertTrue(table.out().contains(reward + " credits (not spendable until transferred)"), table::toString);

    String requestId = "transfer-" + UUID.randomUUID();
    Result moved = ok(tallyctl.run("referral", "transfer", referrer, "--request-id", requestId));
    assertTrue(moved.out().startsWith("moved " + reward + " credits"), moved::toString);
    ok(tallyctl.run("referral", "transfer", referrer, "--request-id", requestId)); // a rerun: the same grant
    assertEquals(100_000_000L, ok(tallyctl.run("balance", referrer, "--json")).json()
        .getAsJsonObject("balance").get("available_micro_credits").getAsLong());

    Result empty = tallyctl.run("referral", "transfer", referrer);
    assertNotEquals(0, empty.exit(), empty::toString);
    assertTrue(empty.err().contains("NO_REWARDS_TO_TRANSFER"), empty::toString);
  }

  @Test
  void anOrgCannotUseItsOwnReferralCode() {
    String org = openOrg();
    String code = ok(tallyctl.run("referral", "show", org, "--json")).json().get("referral_code").getAsString();
    Result refused = tallyctl.run("org", "create", org, "--plan=payg", "--referral-code", code);
    assertNotEquals(0, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("SELF_REFERRAL"), refused::toString);
  }
}
