package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tally.node.account.OrgEvent.CreditsCharged;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule 3 against the real entity: trial first, then the soonest expiry, then the oldest; priority overrides. */
class DrawOrderTest extends AccountTestBase {

  @Test
  void theTrialGoesFirstThenAPurchaseExpiringTomorrowThenANeverExpiringAllocation() {
    Instant tomorrow = clock.instant().plus(Duration.ofDays(1));
    var account = orgOn("trial",
        grant("allocation", GrantKind.SUBSCRIPTION, 2 * MICROS_PER_CREDIT, null),
        grant("pack", GrantKind.PURCHASE, 2 * MICROS_PER_CREDIT, tomorrow));

    List<Draw> draws = chargeDraws(account, 13 * MICROS_PER_CREDIT);

    assertEquals(List.of(
            new Draw("trial", 10 * MICROS_PER_CREDIT),
            new Draw("pack", 2 * MICROS_PER_CREDIT),
            new Draw("allocation", MICROS_PER_CREDIT)),
        draws, "the plan's 30-day trial, then the pack that expires tomorrow, the allocation that never does last");
  }

  @Test
  void anExplicitPriorityIsAnOperatorsOverrideEitherWay() {
    Instant tomorrow = clock.instant().plus(Duration.ofDays(1));
    var account = orgOn("trial",
        grant("allocation", GrantKind.SUBSCRIPTION, 2 * MICROS_PER_CREDIT, null),
        new Operation.GrantCredits(nextId(), "pack-last", GrantKind.PURCHASE, 2 * MICROS_PER_CREDIT, 501, null, tomorrow),
        new Operation.GrantCredits(nextId(), "fix-first", GrantKind.ADJUSTMENT, MICROS_PER_CREDIT, 0, null, null));

    List<Draw> draws = chargeDraws(account, 14 * MICROS_PER_CREDIT);

    assertEquals(List.of(
            new Draw("fix-first", MICROS_PER_CREDIT),
            new Draw("trial", 10 * MICROS_PER_CREDIT),
            new Draw("allocation", 2 * MICROS_PER_CREDIT),
            new Draw("pack-last", MICROS_PER_CREDIT)),
        draws);
  }

  @Test
  void aGrantGivenWithoutPriorityRecordsTheDefault() {
    var account = org();
    Outcome.Granted granted = (Outcome.Granted) done(account, grant("pack", GrantKind.PURCHASE, 5, null)).result();
    assertEquals(Grants.DEFAULT_PRIORITY, granted.grant().priority());
  }

  private List<Draw> chargeDraws(
      org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account,
      long amount) {
    var charge = execute(account, new Operation.Charge(nextId(), amount, null, Labels.NONE));
    return assertInstanceOf(CreditsCharged.class, charge.events().get(0)).draws();
  }
}
