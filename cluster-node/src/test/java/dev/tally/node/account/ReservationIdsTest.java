package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.Outcome.Rejection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/**
 * A reservation's name is never issued twice for an org, whatever its journal lost, so a commit,
 * release or extend reaches only the hold its own reserve opened (issue 23).
 */
class ReservationIdsTest extends AccountTestBase {

  @Test
  void aReserveLostFromTheJournalLeavesItsNameUnusedSoItsCommitReachesNoOtherRequestsHold() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String acknowledgedThenLost = reserve(account, 2 * MICROS_PER_CREDIT);
    loseTheLastWrite(account);
    assertEquals(0, balance(account).held(), "the recovered account never saw the lost reserve");

    String another = reserve(account, 3 * MICROS_PER_CREDIT);

    assertNotEquals(acknowledgedThenLost, another, "the next reserve gets a name of its own");
    var lateCommit = new Operation.Commit(nextId(), acknowledgedThenLost, 2 * MICROS_PER_CREDIT, null);
    assertEquals(Rejection.RESERVATION_NOT_FOUND, rejected(account, lateCommit).reason());
    assertEquals(Rejection.RESERVATION_NOT_FOUND,
        rejected(account, new Operation.Release(nextId(), acknowledgedThenLost)).reason());
    assertEquals(Rejection.RESERVATION_NOT_FOUND,
        rejected(account, new Operation.Extend(nextId(), acknowledgedThenLost, TTL, 0)).reason());
    assertEquals(3 * MICROS_PER_CREDIT, balance(account).held(), "the other request's hold is untouched");
    var itsOwnCommit = new Operation.Commit(nextId(), another, MICROS_PER_CREDIT, null);
    assertEquals(MICROS_PER_CREDIT, ((Outcome.Committed) done(account, itsOwnCommit).result()).charged());
  }

  @Test
  void holdsNamedByTheOldPerOrgCounterStillResolveAndNewHoldsAreNotNamedAfterIt() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    List<Object> journal = new ArrayList<>(account.persistenceTestKit().persistedInStorage(persistenceId(account)));
    journal.add(reservedAsBefore("rsv-1", 2 * MICROS_PER_CREDIT));
    journal.add(reservedAsBefore("rsv-2", MICROS_PER_CREDIT));
    rewrite(account, journal);
    assertEquals(3 * MICROS_PER_CREDIT, balance(account).held(), "both old holds are recovered");

    done(account, new Operation.Commit(nextId(), "rsv-1", MICROS_PER_CREDIT, null));
    done(account, new Operation.Release(nextId(), "rsv-2"));
    String next = reserve(account, MICROS_PER_CREDIT);

    assertFalse(next.startsWith("rsv-"), "new names are random, not the counter's " + next);
    assertEquals(new Outcome.BalanceView(8 * MICROS_PER_CREDIT, MICROS_PER_CREDIT, 0, 9 * MICROS_PER_CREDIT, 1),
        balance(account));
  }

  @Test
  void namesCarry128RandomBitsAndDoNotRepeat() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String name = ReservationIds.RANDOM.next();
      assertTrue(name.matches("rsv_[A-Za-z0-9_-]{22}"), name);
      assertTrue(names.add(name), "issued twice: " + name);
    }
  }

  /** The journal lost the account's last write (Cassandra lost an acknowledged write); the entity recovers from the rest. */
  private static void loseTheLastWrite(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    List<Object> journal = account.persistenceTestKit().persistedInStorage(persistenceId(account));
    rewrite(account, journal.subList(0, journal.size() - 1));
  }

  private static void rewrite(
      EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, List<Object> events) {
    PersistenceTestKit journal = account.persistenceTestKit();
    String persistenceId = persistenceId(account);
    List<Object> kept = List.copyOf(events);
    journal.clearByPersistenceId(persistenceId);
    journal.persistForRecovery(persistenceId, kept);
    account.restart();
  }

  private static String persistenceId(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return OrgAccount.persistenceId(((OpenAccount) account.getState()).orgId()).id();
  }

  /** A reserve's event as nodes wrote it when reservations were named by a per-org counter. */
  private OrgEvent.CreditsReserved reservedAsBefore(String reservationId, long amount) {
    var reserve = new Operation.Reserve(nextId(), amount, null, TTL, Labels.NONE);
    return new OrgEvent.CreditsReserved(reserve.requestId(), reserve.fingerprint(), reservationId, amount,
        clock.instant().plus(TTL), Labels.NONE, "", clock.instant());
  }
}
