package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.GrantLine.State;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An org's grant list keeps its finished grants (used up, expired, voided) beside the active ones. */
class GrantListTest extends AccountTestBase {

  @Test
  void finishedGrantsStayListedWithWhatBecameOfTheirCredits() {
    var account = org(
        grant("used", GrantKind.TRIAL, 2 * MICROS_PER_CREDIT, null),
        grant("lapsing", GrantKind.PROMOTION, 3 * MICROS_PER_CREDIT, clock.instant().plus(Duration.ofDays(1))),
        grant("voided", GrantKind.ADJUSTMENT, 4 * MICROS_PER_CREDIT, null),
        grant("bought", GrantKind.PURCHASE, 5 * MICROS_PER_CREDIT, null));
    done(account, new Operation.Charge(nextId(), 3 * MICROS_PER_CREDIT, null, Labels.NONE));
    done(account, new Operation.VoidGrant(nextId(), "voided", "given by mistake"));
    clock.advance(Duration.ofDays(2));

    Outcome.GrantList all = list(account, 0, 10);

    assertFalse(all.more());
    assertEquals(List.of("used", "lapsing", "voided", "bought"), all.grants().stream().map(l -> l.grant().grantId()).toList());
    assertEquals(List.of(State.USED_UP, State.EXPIRED, State.VOIDED, State.ACTIVE),
        all.grants().stream().map(GrantLine::state).toList());
    GrantLine lapsed = all.grants().get(1);
    assertEquals(List.of(MICROS_PER_CREDIT, 0L, 2 * MICROS_PER_CREDIT), List.of(lapsed.used(), lapsed.remaining(), lapsed.expired()));
    assertEquals(4 * MICROS_PER_CREDIT, all.grants().get(2).voided());
    assertEquals(5 * MICROS_PER_CREDIT, all.grants().get(3).remaining());

    Outcome.GrantList firstTwo = list(account, 0, 2);
    assertTrue(firstTwo.more());
    long lastListed = firstTwo.grants().get(1).grant().sequence();
    assertEquals(List.of("voided", "bought"),
        list(account, lastListed, 2).grants().stream().map(l -> l.grant().grantId()).toList(), "the next page");
  }

  private static Outcome.GrantList list(
      org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account,
      long after, int limit) {
    return (Outcome.GrantList) done(account, new Operation.ListGrants(after, limit)).result();
  }
}
