package dev.tally.client;

import static dev.tally.v1.Credits.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.Balance;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ReserveRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Metering calls through the SDK against a real node on real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReservationFlowTest {

  TallyClient tally;
  Orgs orgs;

  @BeforeAll
  void connect() {
    tally = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).defaultDeadline(Duration.ofSeconds(30)).build();
    orgs = new Orgs(tally.accounts());
  }

  @AfterAll
  void disconnect() {
    tally.close();
  }

  Balance balance(String orgId) {
    return tally.balance(orgId).getBalance();
  }

  @Test
  void aCallThatSucceedsIsCommittedAndTheRestOfTheHoldReturns() {
    String org = orgs.withCredits(of(10));

    try (Reservation reservation = tally.reserve(org, Estimate.microCredits(of(3)))) {
      assertEquals(of(3), reservation.held());
      assertEquals(of(7), balance(org).getAvailable());
      CommitResponse committed = reservation.commit(Usage.microCredits(of(2)));
      assertEquals(of(2), committed.getCharged());
      assertEquals(of(1), committed.getReleased());
    }

    Balance after = balance(org);
    assertEquals(of(8), after.getAvailable());
    assertEquals(0, after.getHeld());
    assertEquals(List.of("CREDITS_RESERVED", "RESERVATION_COMMITTED"), reservationEvents(org));
  }

  @Test
  void aCallThatThrowsReleasesTheWholeHoldAndItsExceptionPropagates() {
    String org = orgs.withCredits(of(10));

    IOException thrown = assertThrows(IOException.class, () -> {
      try (Reservation reservation = tally.reserve(org, Estimate.microCredits(of(3)))) {
        assertEquals(of(3), reservation.held());
        assertEquals(of(7), balance(org).getAvailable());
        throw new IOException("model overloaded");
      }
    });

    assertEquals("model overloaded", thrown.getMessage());
    assertEquals(0, thrown.getSuppressed().length, "the release worked");
    Balance after = balance(org);
    assertEquals(of(10), after.getAvailable());
    assertEquals(0, after.getHeld());
    assertEquals(List.of("CREDITS_RESERVED", "RESERVATION_RELEASED"), reservationEvents(org));
  }

  @Test
  void meterCommitsTheUsageReadFromTheCallsResult() {
    String org = orgs.withCredits(of(10));

    String answer = tally.meter(org, Estimate.microCredits(of(5)), () -> "42 tokens", text -> Usage.microCredits(of(4)));

    assertEquals("42 tokens", answer);
    assertEquals(of(6), balance(org).getAvailable());
    assertEquals(0, balance(org).getHeld());
  }

  @Test
  void meterReleasesWhenTheCallThrowsAndRethrowsWhatItThrew() {
    String org = orgs.withCredits(of(10));

    assertThrows(IOException.class, () -> tally.meter(org, Estimate.microCredits(of(5)),
        () -> {
          throw new IOException("timeout");
        },
        text -> Usage.microCredits(of(4))));

    assertEquals(of(10), balance(org).getAvailable());
    assertEquals(List.of("CREDITS_RESERVED", "RESERVATION_RELEASED"), reservationEvents(org));
  }

  @Test
  void meterAsyncCommitsWhenTheFutureSucceedsAndReleasesWhenItFails() {
    String org = orgs.withCredits(of(10));

    String answer = tally.meterAsync(org, Estimate.microCredits(of(5)),
        () -> CompletableFuture.supplyAsync(() -> "done"), text -> Usage.microCredits(of(2))).join();
    CompletionException failure = assertThrows(CompletionException.class, () -> tally.meterAsync(org,
        Estimate.microCredits(of(5)),
        () -> CompletableFuture.<String>failedFuture(new IllegalStateException("model down")),
        text -> Usage.microCredits(of(2))).join());

    assertEquals("done", answer);
    assertEquals("model down", failure.getCause().getMessage());
    Balance after = balance(org);
    assertEquals(of(8), after.getAvailable());
    assertEquals(0, after.getHeld());
    assertEquals(List.of("CREDITS_RESERVED", "RESERVATION_COMMITTED", "CREDITS_RESERVED", "RESERVATION_RELEASED"),
        reservationEvents(org));
  }

  @Test
  void aStreamThatStopsMidwayIsBilledForWhatItDeliveredNotRefunded() {
    String org = orgs.withCredits(of(10));

    assertThrows(IOException.class, () -> {
      try (Reservation reservation = tally.reserve(org, Estimate.microCredits(of(5)))) {
        for (int chunk = 1; chunk <= 3; chunk++) reservation.usedSoFar(Usage.microCredits(chunk * 500_000L));
        throw new IOException("stream reset by peer");
      }
    });

    Balance after = balance(org);
    assertEquals(of(10) - 1_500_000, after.getAvailable());
    assertEquals(0, after.getHeld());
    List<LedgerEntry> commits = orgs.ledger(org, "RESERVATION_COMMITTED");
    assertEquals(1, commits.size());
    assertEquals(1_500_000, commits.get(0).getAmount());
  }

  @Test
  void aStreamThatReportsProgressPastHalfItsLifetimeHasItsHoldExtendedAndBilledOnce() throws Exception {
    AtomicLong nanos = new AtomicLong();
    String org = orgs.withCredits(of(10));
    try (TallyClient movable = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).ticker(nanos::get).build()) {
      ReserveRequest request = ReserveRequest.newBuilder()
          .setOrgId(org).setAmount(of(5)).setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60)).build();

      try (Reservation reservation = movable.reserve(request)) {
        reservation.usedSoFar(Usage.microCredits(1_000));
        assertTrue(orgs.ledger(org, "RESERVATION_EXTENDED").isEmpty(), "nothing to extend before half the lifetime");

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        awaitExtensions(org, 1, () -> reservation.usedSoFar(Usage.microCredits(2_000)));

        nanos.addAndGet(Duration.ofSeconds(31).toNanos());
        awaitExtensions(org, 2, () -> reservation.usedSoFar(Usage.microCredits(3_000)));

        assertEquals(3_000, reservation.commit(Usage.microCredits(3_000)).getCharged());
      }
    }
    List<LedgerEntry> commits = orgs.ledger(org, "RESERVATION_COMMITTED");
    assertEquals(1, commits.size());
    assertEquals(3_000, commits.get(0).getAmount());
    assertEquals(of(10) - 3_000, balance(org).getAvailable());
  }

  /** Reports progress until the org's ledger shows {@code count} extensions (a report sent while one is on its way starts none). */
  private void awaitExtensions(String org, int count, Runnable report) throws InterruptedException {
    Eventually.await(count + " extensions", Duration.ofSeconds(30), () -> {
      report.run();
      return orgs.ledger(org, "RESERVATION_EXTENDED").size() == count;
    });
  }

  @Test
  void extendMovesTheExpiryAndCanHoldMore() {
    String org = orgs.withCredits(of(10));

    try (Reservation reservation = tally.reserve(org, Estimate.microCredits(of(2)))) {
      var before = reservation.expiresAt();
      ExtendReservationResponse extended = reservation.extend(Duration.ofMinutes(30), of(1));

      assertEquals(of(3), extended.getHeld());
      assertEquals(of(3), reservation.held());
      assertTrue(reservation.expiresAt().isAfter(before));
      assertEquals(of(7), extended.getBalance().getAvailable());
      reservation.commit(Usage.microCredits(of(3)));
    }
    assertEquals(of(7), balance(org).getAvailable());
  }

  @Test
  void chargeBillsAKnownPriceInOneStep() {
    String org = orgs.withCredits(of(10));

    ChargeResponse charged = tally.charge(org, Usage.microCredits(of(4)));
    ChargeResponse chargedAsync = tally.chargeAsync(org, Usage.microCredits(of(1))).join();

    assertEquals(of(4), charged.getCharged());
    assertEquals(of(5), chargedAsync.getBalance().getAvailable());
    assertEquals(of(5), tally.balanceAsync(org).join().getBalance().getAvailable());
  }

  @Test
  void reserveAsyncAndTheHandlesAsyncFormsDoTheSame() {
    String org = orgs.withCredits(of(10));

    Reservation committed = tally.reserveAsync(org, Estimate.microCredits(of(2))).join();
    committed.commitAsync(Usage.microCredits(of(1))).join();
    Reservation released = tally.reserveAsync(org, Estimate.microCredits(of(2))).join();
    released.releaseAsync().join();
    Reservation closed = tally.reserveAsync(org, Estimate.microCredits(of(2))).join();
    closed.closeAsync().join();

    assertTrue(committed.isResolved() && released.isResolved() && closed.isResolved());
    assertEquals(of(9), balance(org).getAvailable());
    assertEquals(0, balance(org).getHeld());
  }

  @Test
  void aResolvedReservationIsNotResolvedAgainAndClosingItDoesNothing() {
    String org = orgs.withCredits(of(10));
    Reservation reservation = tally.reserve(org, Estimate.microCredits(of(2)));
    reservation.commit(Usage.microCredits(of(1)));

    assertThrows(IllegalStateException.class, () -> reservation.commit(Usage.microCredits(of(1))));
    assertThrows(IllegalStateException.class, reservation::release);
    reservation.close();

    assertEquals(List.of("CREDITS_RESERVED", "RESERVATION_COMMITTED"), reservationEvents(org));
  }

  List<String> reservationEvents(String org) {
    return orgs.ledger(org).stream()
        .map(LedgerEntry::getType)
        .filter(type -> type.startsWith("RESERVATION_") || type.equals("CREDITS_RESERVED"))
        .toList();
  }
}
