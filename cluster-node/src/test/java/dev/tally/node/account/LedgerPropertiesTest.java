package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.AccountState.Handled;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.RequestMemory.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

/**
 * Random interleavings of grants, voids, reserves, commits below and above the hold, releases,
 * one-step charges, retries and clock moves (which expire holds and grants and roll billing periods
 * over, issuing allocations) never let a reserve exceed the balance, always conserve credits
 * (granted = remaining + drawn + expired + voided) and raise each alert at most once per period.
 */
class LedgerPropertiesTest {

  static final long LARGEST_AMOUNT = AccountBoundsTest.LARGEST_AMOUNT;

  static final AccountSettings SETTINGS =
      new AccountSettings(new Retention(Duration.ofHours(1), 50), 100, 2, TestTerms.TERMS);

  /** One random step; indexes pick among the reservations, grants and requests seen so far. */
  sealed interface Step {}

  record GrantStep(GrantKind kind, long amount, int expiresInMinutes, int startsInMinutes) implements Step {}

  record VoidStep(int grantIndex) implements Step {}

  record ReserveStep(long amount, int ttlMinutes) implements Step {}

  record CommitStep(int reservationIndex, long amount) implements Step {}

  record ReleaseStep(int reservationIndex) implements Step {}

  record ChargeStep(long amount) implements Step {}

  record ExtendStep(int reservationIndex, long additional) implements Step {}

  record RetryStep(int requestIndex) implements Step {}

  /** Commits the oldest reservation this sequence has not committed through this step yet. */
  record CommitNextStep(long amount) implements Step {}

  record ClockStep(int minutes) implements Step {}

  @Provide
  Arbitrary<List<List<Step>>> batches() {
    return steps(Arbitraries.longs().between(1, 2_000), 3_000)
        .list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(60);
  }

  /**
   * Requests as large as the API allows, first pressing on each per-org bound (holds committed far
   * beyond themselves until the debt bound, then a flood of grants, which pay the debt, until the
   * grants bound), then random steps repeated up to 200 times at the bounds. At most ~8,000 operations a try: the test's own sums stay inside a long.
   */
  @Provide
  Arbitrary<List<List<Step>>> batchesAtTheLimits() {
    Arbitrary<Long> amount = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(LARGEST_AMOUNT)), Tuple.of(1, Arbitraries.longs().between(1, LARGEST_AMOUNT)));
    // At least half the largest amount each: the first 200 at most pay the debt flood's debt and are used up
    // (with smaller ones, an edge case of jqwik's, all of them could be).
    Arbitrary<Long> large = Arbitraries.longs().between(LARGEST_AMOUNT / 2, LARGEST_AMOUNT);
    Arbitrary<List<Step>> grantFlood = Combinators.combine(Arbitraries.of(GrantKind.class), large)
        .as((kind, granted) -> (Step) new GrantStep(kind, granted, 0, 0))
        .list().ofMinSize(Grants.MAX_GIVEN_AND_LEFT + 250).ofMaxSize(Grants.MAX_GIVEN_AND_LEFT + 300);
    Arbitrary<List<Step>> debtFlood = Combinators.combine(
            Arbitraries.longs().between(1, LARGEST_AMOUNT / 200), Arbitraries.integers().between(120, 200))
        .as((held, holds) -> {
          List<Step> flood = new ArrayList<>(List.of(new GrantStep(GrantKind.PURCHASE, LARGEST_AMOUNT, 0, 0)));
          flood.addAll(Collections.nCopies(holds, new ReserveStep(held, 60)));
          flood.addAll(Collections.nCopies(holds, new CommitNextStep(LARGEST_AMOUNT)));
          return flood;
        });
    Arbitrary<List<List<Step>>> pressure = Combinators.combine(debtFlood, grantFlood)
        .as((debt, grants) -> java.util.stream.Stream.concat(debt.stream(), grants.stream()).map(List::of).toList());
    Arbitrary<List<Step>> batch = steps(amount, LARGEST_AMOUNT).list().ofMinSize(1).ofMaxSize(4);
    Arbitrary<List<List<Step>>> atTheBound = Combinators.combine(batch, Arbitraries.integers().between(1, 200))
        .as((steps, times) -> Collections.nCopies(times, steps))
        .list().ofMinSize(1).ofMaxSize(6)
        .map(repeated -> repeated.stream().flatMap(List::stream).toList());
    return Combinators.combine(pressure, atTheBound)
        .as((first, then) -> java.util.stream.Stream.concat(first.stream(), then.stream()).toList());
  }

  private static Arbitrary<Step> steps(Arbitrary<Long> amount, long largestCommit) {
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 40);
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of(GrantKind.class), amount, Arbitraries.integers().between(0, 120),
            Arbitraries.integers().between(0, 30)).as(GrantStep::new),
        index.map(VoidStep::new),
        Combinators.combine(amount, Arbitraries.integers().between(1, 60)).as(ReserveStep::new),
        Combinators.combine(index, Arbitraries.longs().between(0, largestCommit)).as(CommitStep::new),
        Combinators.combine(index, Arbitraries.longs().between(0, largestCommit)).as(CommitStep::new),
        index.map(ReleaseStep::new),
        amount.map(ChargeStep::new),
        Combinators.combine(index, Arbitraries.longs().between(0, largestCommit / 6)).as(ExtendStep::new),
        index.map(RetryStep::new),
        Arbitraries.integers().between(0, 45).map(ClockStep::new),
        Arbitraries.integers().between(0, 20 * 24 * 60).map(ClockStep::new));
  }

  @Property(tries = 300)
  void reservesNeverExceedTheBalanceAndCreditsAreConserved(@ForAll("batches") @Size(min = 1) List<List<Step>> batches) {
    run(batches);
  }

  /** No sequence of valid requests, however large, wraps a balance, a debt or a total, or fails an operation. */
  @Property(tries = 10)
  void noSumOfMoneyWrapsAtTheDocumentedLimits(@ForAll("batchesAtTheLimits") @Size(min = 1) List<List<Step>> batches) {
    Set<String> boundsReached = run(batches);
    Statistics.label("bounds reached").collect(boundsReached.contains("grants"), boundsReached.contains("debt"));
    // Every try must reach both bounds, or this property proves little.
    Statistics.label("bounds reached").coverage(coverage -> {
      coverage.check(true, true).percentage(percent -> percent == 100.0);
    });
  }

  /** Runs the batches, checking every step; answers the per-org bounds ({@code limit} facts) that refused a request. */
  private Set<String> run(List<List<Step>> batches) {
    Set<String> boundsReached = new HashSet<>();
    Instant now = Instant.parse("2026-11-01T00:00:00Z");
    Handled opened = AccountState.handle(
        new AccountState.Unopened(), List.of(new Operation.CreateOrg("create-org", "org", "Org", "alerting")), now, SETTINGS, RateGate.OPEN,
        ReservationIds.RANDOM);
    AccountState state = opened.after();
    Totals totals = new Totals();
    opened.events().forEach(totals::add);
    List<String> grantIds = new ArrayList<>();
    List<String> reservationIds = new ArrayList<>();
    List<Operation> requests = new ArrayList<>();
    int counter = 0;
    int committedNext = 0;

    for (List<Step> batch : batches) {
      List<Operation> operations = new ArrayList<>();
      for (Step step : batch) {
        String id = "req-" + ++counter;
        Operation operation = null;
        if (step instanceof GrantStep g) {
          String grantId = "grant-" + counter;
          grantIds.add(grantId);
          Instant startsAt = now.plus(Duration.ofMinutes(g.startsInMinutes()));
          Instant expiresAt = g.expiresInMinutes() == 0 ? null : startsAt.plus(Duration.ofMinutes(g.expiresInMinutes()));
          operation = new Operation.GrantCredits(id, grantId, g.kind(), g.amount(), null, startsAt, expiresAt);
        } else if (step instanceof VoidStep v && !grantIds.isEmpty()) {
          operation = new Operation.VoidGrant(id, pick(grantIds, v.grantIndex()), "test");
        } else if (step instanceof ReserveStep r) {
          operation = new Operation.Reserve(id, r.amount(), null, Duration.ofMinutes(r.ttlMinutes()), Labels.NONE);
        } else if (step instanceof CommitStep c) {
          operation = new Operation.Commit(id, reservationFor(reservationIds, c.reservationIndex()), c.amount(), null);
        } else if (step instanceof CommitNextStep c && committedNext < reservationIds.size()) {
          operation = new Operation.Commit(id, reservationIds.get(committedNext++), c.amount(), null);
        } else if (step instanceof ReleaseStep r) {
          operation = new Operation.Release(id, reservationFor(reservationIds, r.reservationIndex()));
        } else if (step instanceof ChargeStep c) {
          operation = new Operation.Charge(id, c.amount(), null, Labels.NONE);
        } else if (step instanceof ExtendStep e) {
          operation = new Operation.Extend(id, reservationFor(reservationIds, e.reservationIndex()), Duration.ofMinutes(5),
              e.additional());
        } else if (step instanceof RetryStep r && !requests.isEmpty()) {
          operation = pick(requests, r.requestIndex());
        } else if (step instanceof ClockStep c) {
          now = now.plus(Duration.ofMinutes(c.minutes()));
        }
        if (operation != null) {
          operations.add(operation);
          requests.add(operation);
        }
      }

      Handled handled = AccountState.handle(state, operations, now, SETTINGS, RateGate.OPEN, ReservationIds.RANDOM);
      for (int i = 0; i < operations.size(); i++) {
        Operation operation = operations.get(i);
        Outcome outcome = handled.outcomes().get(i);
        assertFalse(outcome instanceof Outcome.Failed, () -> operation + " failed: " + outcome);
        if (outcome instanceof Outcome.Rejected rejected && rejected.reason() == Outcome.Rejection.ACCOUNT_LIMIT) {
          boundsReached.add(rejected.facts().get("limit"));
        }
        if (outcome instanceof Done done) {
          if (done.result() instanceof Outcome.Reserved reserved) reservationIds.add(reserved.reservationId());
          boolean spends = operation instanceof Operation.Reserve
              || operation instanceof Operation.Charge
              || (operation instanceof Operation.Extend extend && extend.additional() > 0);
          if (spends && isFirstTime(operation, handled)) {
            assertTrue(done.balance().available() >= 0, () -> "a spend left the balance negative: " + done);
          }
        }
      }
      handled.events().forEach(totals::add);
      state = handled.after();
      totals.check((OpenAccount) state);
    }
    return boundsReached;
  }

  /** A retried spend may meet a balance that went negative since (e.g. a grant expired): only first tries count. */
  private static boolean isFirstTime(Operation operation, Handled handled) {
    return handled.events().stream()
        .anyMatch(e -> e instanceof OrgEvent.Requested r && r.requestId().equals(((Operation.Requested) operation).requestId()));
  }

  private static <T> T pick(List<T> items, int index) {
    return items.get(index % items.size());
  }

  private static String reservationFor(List<String> reservationIds, int index) {
    return reservationIds.isEmpty() || index >= 35 ? "rsv-unknown" : pick(reservationIds, index);
  }

  /** Running sums over every event the account emitted. */
  static final class Totals {
    long granted, drawn, expired, voided, charged, debtIncurred, debtSettled;
    final java.util.Set<String> alerts = new java.util.HashSet<>();

    void add(OrgEvent event) {
      if (event instanceof OrgEvent.AlertRaised e) {
        assertTrue(alerts.add(e.periodStart() + "/" + e.kind() + "/" + e.thresholdPercent()), "alert raised twice: " + e);
      }
      if (event instanceof OrgEvent.CreditsGranted e) granted = Math.addExact(granted, e.amount());
      if (event instanceof OrgEvent.GrantVoided e) voided = Math.addExact(voided, e.voided());
      if (event instanceof OrgEvent.GrantExpired e) expired = Math.addExact(expired, e.expired());
      if (event instanceof OrgEvent.ReservationCommitted e) {
        long covered = e.draws().stream().mapToLong(Draw::amount).sum();
        assertEquals(e.charged(), covered + e.debtIncurred(), "a commit's usage is drawn or becomes debt");
        drawn = Math.addExact(drawn, covered);
        charged = Math.addExact(charged, e.charged());
        debtIncurred = Math.addExact(debtIncurred, e.debtIncurred());
      }
      if (event instanceof OrgEvent.CreditsCharged e) {
        assertEquals(e.charged(), e.draws().stream().mapToLong(Draw::amount).sum());
        drawn = Math.addExact(drawn, e.charged());
        charged = Math.addExact(charged, e.charged());
      }
      if (event instanceof OrgEvent.DebtSettled e) {
        assertEquals(e.settled(), e.draws().stream().mapToLong(Draw::amount).sum());
        drawn = Math.addExact(drawn, e.settled());
        debtSettled = Math.addExact(debtSettled, e.settled());
      }
    }

    void check(OpenAccount account) {
      long remaining = account.grants().values().stream().mapToLong(Grant::remaining).reduce(0, Math::addExact);
      assertEquals(granted, Math.addExact(Math.addExact(remaining, drawn), Math.addExact(expired, voided)),
          "credits are conserved");
      assertEquals(debtIncurred - debtSettled, account.debt(), "debt is what was incurred and not yet settled");
      assertTrue(account.debt() >= 0);
      assertTrue(account.grants().values().stream().allMatch(g -> g.remaining() > 0 && g.remaining() <= g.amount()));
      assertEquals(account.reservations().inExpiryOrder().stream().mapToLong(Reservation::held).sum(), account.held());
      assertEquals(java.util.Set.copyOf(account.reservations().byId().values()),
          java.util.Set.copyOf(account.reservations().inExpiryOrder()), "the expiry index holds exactly the open reservations");
    }
  }
}
