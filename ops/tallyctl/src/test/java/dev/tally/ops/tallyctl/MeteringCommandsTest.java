package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** reserve, extend, commit, release and charge by hand against a real node, and how they fail. */
@ExtendWith({TestCassandra.class, TestNode.class})
class MeteringCommandsTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  /** An org on the prepaid plan holding exactly 10 credits. */
  private String orgWithTenCredits() {
    String org = "meter-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    ok(tallyctl.run("grant", org, "10", "--kind", "PURCHASE"));
    return org;
  }

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    return result;
  }

  private long available(String org) {
    return ok(tallyctl.run("balance", org, "--json")).json().getAsJsonObject("balance").get("available_micro_credits").getAsLong();
  }

  @Test
  void reserveThenCommitChargesTheUsageAndReleasesTheRest() {
    String org = orgWithTenCredits();

    JsonObject held = ok(tallyctl.run("reserve", org, "2", "--json")).json();
    String reservation = held.get("reservation_id").getAsString();
    assertEquals(2_000_000, held.get("held_micro_credits").getAsLong());
    assertEquals(8_000_000, available(org));

    JsonObject committed = ok(tallyctl.run("commit", org, reservation, "1.25", "--json")).json();
    assertEquals(1_250_000, committed.get("charged_micro_credits").getAsLong());
    assertEquals(750_000, committed.get("released_micro_credits").getAsLong());
    assertEquals(8_750_000, available(org));
  }

  @Test
  void extendHoldsMoreAndPushesTheAutomaticReleaseOut() {
    String org = orgWithTenCredits();
    String reservation = ok(tallyctl.run("reserve", org, "2", "--json")).json().get("reservation_id").getAsString();
    Instant before = Instant.now();

    JsonObject extended = ok(tallyctl.run("extend", org, reservation, "--add", "1", "--ttl", "50m", "--json")).json();

    assertEquals(3_000_000, extended.get("held_micro_credits").getAsLong());
    assertEquals(7_000_000, extended.getAsJsonObject("balance").get("available_micro_credits").getAsLong());
    assertTrue(Instant.parse(extended.get("expires_at").getAsString()).isAfter(before.plus(Duration.ofMinutes(30))), extended::toString);
    assertEquals(7_000_000, available(org));
    Result text = ok(tallyctl.run("extend", org, reservation));
    assertTrue(text.out().startsWith("extended " + reservation + ": holds 3.000000 credits until "), text::toString);
    JsonObject committed = ok(tallyctl.run("commit", org, reservation, "3", "--json")).json();
    assertEquals(3_000_000, committed.get("charged_micro_credits").getAsLong());
  }

  @Test
  void extendAddingMoreThanIsAvailableIsRefused() {
    String org = orgWithTenCredits();
    String reservation = ok(tallyctl.run("reserve", org, "2", "--json")).json().get("reservation_id").getAsString();

    Result tooMuch = tallyctl.run("extend", org, reservation, "--add", "9");

    assertEquals(ExitCode.REFUSED.status, tooMuch.exit(), tooMuch::toString);
    assertTrue(tooMuch.err().contains("CREDITS_EXHAUSTED"), tooMuch.err());
    assertEquals(8_000_000, available(org));
  }

  @Test
  void releaseGivesTheWholeHoldBackAndASecondResolutionIsRefused() {
    String org = orgWithTenCredits();
    String reservation = ok(tallyctl.run("reserve", org, "3", "--json")).json().get("reservation_id").getAsString();

    Result released = ok(tallyctl.run("release", org, reservation));

    assertTrue(released.out().startsWith("released 3.000000 credits of " + reservation), released.out());
    assertEquals(10_000_000, available(org));
    Result again = tallyctl.run("commit", org, reservation, "1");
    assertEquals(ExitCode.REFUSED.status, again.exit(), again::toString);
    assertTrue(again.err().contains("RESERVATION_RESOLVED"), again.err());
  }

  @Test
  void chargeTakesTheAmountAtOnceAndAChargeBeyondTheBalanceIsRefused() {
    String org = orgWithTenCredits();

    Result charged = ok(tallyctl.run("charge", org, "0.5"));

    assertTrue(charged.out().startsWith("charged 0.500000 credits to " + org), charged.out());
    assertEquals(9_500_000, available(org));
    Result tooMuch = tallyctl.run("charge", org, "100");
    assertEquals(ExitCode.REFUSED.status, tooMuch.exit(), tooMuch::toString);
    assertTrue(tooMuch.err().contains("CREDITS_EXHAUSTED"), tooMuch.err());
    assertEquals(9_500_000, available(org));
  }

  @Test
  void aReserveRerunWithItsRequestIdHoldsOnce() {
    String org = orgWithTenCredits();

    String first = ok(tallyctl.run("reserve", org, "2", "--request-id", "hold-1", "--json")).json().get("reservation_id").getAsString();
    String rerun = ok(tallyctl.run("reserve", org, "2", "--request-id", "hold-1", "--json")).json().get("reservation_id").getAsString();

    assertEquals(first, rerun);
    assertEquals(8_000_000, available(org));
  }
}
