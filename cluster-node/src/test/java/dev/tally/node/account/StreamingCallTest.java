package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.Outcome.Rejection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A streamed call keeps its hold alive with time-only extensions while it delivers usage; that
 * usage is billed in full on commit, even when the org's balance went negative under the hold.
 */
class StreamingCallTest extends AccountTestBase {

  @Test
  void aStreamWhoseGrantExpiresUnderItStillExtendsAndIsBilledInFull() {
    var account = org(grant("promo", GrantKind.PROMOTION, 10 * MICROS_PER_CREDIT, clock.instant().plus(Duration.ofMinutes(2))));
    String stream = reserve(account, 4 * MICROS_PER_CREDIT);
    clock.advance(Duration.ofMinutes(3));
    assertEquals(-4 * MICROS_PER_CREDIT, balance(account).available(), "the grant expired under the hold");

    Outcome.Extended extended = (Outcome.Extended) done(account, new Operation.Extend(nextId(), stream, TTL, 0)).result();
    assertEquals(clock.instant().plus(TTL), extended.expiresAt());
    assertEquals(Rejection.CREDITS_EXHAUSTED,
        rejected(account, new Operation.Extend(nextId(), stream, TTL, 1)).reason(), "adding credits needs them");

    clock.advance(Duration.ofMinutes(4)); // past the first expiry, within the extended one
    Outcome.Committed committed =
        (Outcome.Committed) done(account, new Operation.Commit(nextId(), stream, 6 * MICROS_PER_CREDIT, null)).result();
    assertEquals(6 * MICROS_PER_CREDIT, committed.charged(), "delivered usage is billed in full");
    assertEquals(6 * MICROS_PER_CREDIT, balance(account).debt());
  }

  @Test
  void aStreamWhoseOrgFallsIntoDebtUnderItStillExtendsAndIsBilledInFull() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String stream = reserve(account, 4 * MICROS_PER_CREDIT);
    String other = reserve(account, 2 * MICROS_PER_CREDIT);
    done(account, new Operation.Commit(nextId(), other, 20 * MICROS_PER_CREDIT, null));
    assertTrue(balance(account).available() < 0, "the other call's usage put the org in debt");

    clock.advance(Duration.ofMinutes(4));
    done(account, new Operation.Extend(nextId(), stream, TTL, 0));
    clock.advance(Duration.ofMinutes(4));
    Outcome.Committed committed =
        (Outcome.Committed) done(account, new Operation.Commit(nextId(), stream, 7 * MICROS_PER_CREDIT, null)).result();

    assertEquals(7 * MICROS_PER_CREDIT, committed.charged());
    assertEquals(new Outcome.BalanceView(-17 * MICROS_PER_CREDIT, 0, 17 * MICROS_PER_CREDIT, 0, 0), balance(account),
        "27 credits used, 10 granted: 17 owed");
  }
}
