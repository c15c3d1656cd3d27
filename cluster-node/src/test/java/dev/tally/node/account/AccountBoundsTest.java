package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tally.node.account.AccountState.Handled;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-org bounds that keep every sum of money exact, at their edge: grants with credits left,
 * and debt. Each request is as large as the API allows (10^15 µcr); before these bounds, 9,225
 * grants or two large commits wrapped a balance or a debt past a long.
 */
class AccountBoundsTest {

  static final long LARGEST_AMOUNT = 1_000_000_000_000_000L; // the API's bound on one request (RequestChecks)

  final Instant now = Instant.parse("2026-11-01T00:00:00Z");
  AccountState state = handle(new Operation.CreateOrg("create", "org", "Org", "payg")).after();
  int requests;

  @Test
  void anOrgHoldsAtMostAThousandGrantsAndItsBalanceIsTheirExactSum() {
    List<Operation> grants = new ArrayList<>();
    for (int i = 0; i < Grants.MAX_GIVEN_AND_LEFT; i++) grants.add(grant("g" + i));
    Handled given = handle(grants.toArray(Operation[]::new));
    assertEquals(Grants.MAX_GIVEN_AND_LEFT * LARGEST_AMOUNT, given.after().balanceAt(now).available());

    Rejected refused = assertInstanceOf(Rejected.class, handle(grant("one-more")).outcomes().get(0));
    assertEquals(Rejection.ACCOUNT_LIMIT, refused.reason());
    assertEquals(Map.of("limit", "grants", "bound", "1000"), refused.facts());

    handle(new Operation.VoidGrant(id(), "g0", "make room"));
    assertInstanceOf(Done.class, handle(grant("one-more")).outcomes().get(0), "a voided grant makes room for another");
  }

  @Test
  void debtStopsAtItsBoundAndTheRefusedCommitLeavesItsHoldOpen() {
    handle(new Operation.GrantCredits(id(), "small", GrantKind.PURCHASE, 1_000, null, null, null));
    List<String> holds = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Done reserved = (Done) handle(new Operation.Reserve(id(), 1, null, Duration.ofHours(1), Labels.NONE)).outcomes().get(0);
      holds.add(((Outcome.Reserved) reserved.result()).reservationId());
    }
    int committed = 0;
    Outcome outcome;
    do {
      outcome = handle(new Operation.Commit(id(), holds.get(committed), LARGEST_AMOUNT, null)).outcomes().get(0);
      if (outcome instanceof Done) committed++;
    } while (outcome instanceof Done);

    Rejected refused = assertInstanceOf(Rejected.class, outcome);
    assertEquals(Rejection.ACCOUNT_LIMIT, refused.reason());
    assertEquals("debt", refused.facts().get("limit"));
    long debt = state.balanceAt(now).debt();
    assertEquals(true, debt <= OpenAccount.MAX_DEBT && debt > OpenAccount.MAX_DEBT - LARGEST_AMOUNT, "debt " + debt);
    assertEquals(200 - committed, state.balanceAt(now).openReservations(), "the refused commit's hold stays open");
    assertInstanceOf(Done.class,
        handle(new Operation.Release(id(), holds.get(committed))).outcomes().get(0), "and can still be released");
  }

  private Operation grant(String grantId) {
    return new Operation.GrantCredits(id(), grantId, GrantKind.PURCHASE, LARGEST_AMOUNT, null, null, null);
  }

  private String id() {
    return "r" + ++requests;
  }

  private Handled handle(Operation... operations) {
    Handled handled = AccountState.handle(
        state == null ? new AccountState.Unopened() : state, List.of(operations), now, LedgerPropertiesTest.SETTINGS,
        RateGate.OPEN, ReservationIds.RANDOM);
    state = handled.after();
    return handled;
  }
}
