package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.node.account.OrgEvent.AlertKind;
import dev.tally.node.account.OrgEvent.AlertRaised;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;

/** Plans, pricing, rate limits, billing periods and alerts (DESIGN §3, §4 rules 8–9 and rate limiting). */
class CommercialTermsTest extends AccountTestBase {

  static final Usage.Call EMBEDDING = new Usage.Call("embedding");

  Operation.Charge charge(Usage usage) {
    return new Operation.Charge(nextId(), 0, usage, Labels.NONE);
  }

  Operation.Charge charge(long amount) {
    return new Operation.Charge(nextId(), amount, null, Labels.NONE);
  }

  Outcome.Statement statement(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return (Outcome.Statement) done(account, new Operation.GetBalance()).result();
  }

  List<OrgEvent> eventsOf(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, Operation op) {
    return execute(account, op).events();
  }

  // ---- pricing

  @Test
  void aCommitOfTokenUsageChargesItsExactPriceAndRecordsHowItWasPriced() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = ((Outcome.Reserved) done(account, new Operation.Reserve(
        nextId(), 0, new Usage.Tokens("gpt-4o", 1000, 2000, 0, 0), TTL, Labels.NONE)).result()).reservationId();
    assertEquals(22_500, ((OpenAccount) account.getState()).held(), "the estimate is priced: 1000 × 2.5 + 2000 × 10 µcr");

    Usage used = new Usage.Tokens("gpt-4o", 1234, 567, 100, 10);
    var commit = execute(account, new Operation.Commit(nextId(), reservation, 0, used));
    OrgEvent.ReservationCommitted committed = assertInstanceOf(OrgEvent.ReservationCommitted.class, commit.events().get(0));
    assertEquals(8918, committed.charged(), "8917.5 µcr rounded up once");
    assertEquals(used, committed.usage());
    assertEquals("test-1", committed.cost().priceBookVersion());
  }

  @Test
  void thePlanMultiplierPricesTheSameCallHigher() {
    var standard = org(purchase(100 * MICROS_PER_CREDIT));
    var premium = orgOn("premium", purchase(100 * MICROS_PER_CREDIT));
    done(standard, charge(EMBEDDING));
    done(premium, charge(EMBEDDING));
    assertEquals(90 * MICROS_PER_CREDIT, balance(standard).available());
    assertEquals(85 * MICROS_PER_CREDIT, balance(premium).available(), "1.5 × 10 credits");
  }

  @Test
  void aPlanChangeOrOverrideTakesEffectForTheNextOperation() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    done(account, new Operation.SetPlan(nextId(), "premium"));
    done(account, charge(EMBEDDING));
    assertEquals(85 * MICROS_PER_CREDIT, balance(account).available());
    done(account, new Operation.SetOverrides(nextId(), new Overrides(null, null, null, 2000, List.of(), null, null, null)));
    done(account, charge(EMBEDDING));
    assertEquals(65 * MICROS_PER_CREDIT, balance(account).available(), "the override's 2 × wins over the plan's 1.5 ×");
    Outcome.Statement statement = statement(account);
    assertEquals("premium", statement.plan());
    assertEquals(2000, statement.terms().priceMultiplierPermille());
  }

  // ---- draw order under plans

  @Test
  void trialCreditsAreSpentBeforePurchasedOnesAndAmongTheRestTheSoonestExpiringFirst() {
    Instant inFiveDays = clock.instant().plus(Duration.ofDays(5));
    Instant inNinetyDays = clock.instant().plus(Duration.ofDays(90));
    var account = orgOn("trial",
        grant("bought", GrantKind.PURCHASE, 10 * MICROS_PER_CREDIT, null),
        grant("code-late", GrantKind.REDEMPTION, 5 * MICROS_PER_CREDIT, inNinetyDays),
        grant("code-soon", GrantKind.REDEMPTION, 5 * MICROS_PER_CREDIT, inFiveDays));
    var events = eventsOf(account, charge(22 * MICROS_PER_CREDIT));
    assertEquals(List.of(
            new Draw("trial", 10 * MICROS_PER_CREDIT),
            new Draw("code-soon", 5 * MICROS_PER_CREDIT),
            new Draw("code-late", 5 * MICROS_PER_CREDIT),
            new Draw("bought", 2 * MICROS_PER_CREDIT)),
        assertInstanceOf(OrgEvent.CreditsCharged.class, events.get(0)).draws());
  }

  // ---- billing periods and rollover

  @Test
  void anAllocationOnAZeroMonthPlanIsGoneAfterThePeriodEnds() {
    var account = orgOn("monthly");
    assertEquals(100 * MICROS_PER_CREDIT, balance(account).available());
    done(account, charge(30 * MICROS_PER_CREDIT));
    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-01T00:00:00Z")));
    List<OrgEvent> rollover = eventsOf(account, new Operation.GetBalance());
    assertEquals(List.of(OrgEvent.GrantExpired.class, OrgEvent.PeriodClosed.class, OrgEvent.PeriodOpened.class,
        OrgEvent.CreditsGranted.class), rollover.stream().map(Object::getClass).toList());
    assertEquals(70 * MICROS_PER_CREDIT, ((OrgEvent.GrantExpired) rollover.get(0)).expired());
    assertEquals(30 * MICROS_PER_CREDIT, ((OrgEvent.PeriodClosed) rollover.get(1)).period().charged());
    assertEquals(100 * MICROS_PER_CREDIT, balance(account).available(), "only December's allocation is left");
  }

  @Test
  void anAllocationOnAThreeMonthPlanIsSpendableForExactlyThreeMorePeriods() {
    var account = orgOn("professional");
    Instant novemberAllocationGone = Instant.parse("2027-03-01T00:00:00Z");
    clock.advance(Duration.between(clock.instant(), novemberAllocationGone.minusSeconds(1)));
    List<String> grants = statement(account).grants().stream().map(Grant::grantId).toList();
    assertTrue(grants.contains("allocation-2026-11"), "still spendable in December, January and February");
    assertEquals(4, grants.size());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(statement(account).grants().stream().noneMatch(g -> g.grantId().equals("allocation-2026-11")));
    assertEquals(400 * MICROS_PER_CREDIT, balance(account).available(), "December to March: four allocations");
  }

  @Test
  void anOrgIdleForFiveMonthsCatchesUpWithFivePeriodClosesInOrder() {
    var account = orgOn("monthly");
    clock.advance(Duration.between(clock.instant(), Instant.parse("2027-04-10T00:00:00Z")));
    List<OrgEvent> events = eventsOf(account, new Operation.GetBalance());
    List<Instant> closed = events.stream()
        .filter(e -> e instanceof OrgEvent.PeriodClosed)
        .map(e -> ((OrgEvent.PeriodClosed) e).period().start())
        .toList();
    assertEquals(List.of(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"),
        Instant.parse("2027-01-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z"),
        Instant.parse("2027-03-01T00:00:00Z")), closed);
    List<Instant> times = events.stream().map(OrgEvent::at).toList();
    assertEquals(times.stream().sorted().toList(), times, "events are in time order");
    assertEquals(100 * MICROS_PER_CREDIT, balance(account).available(), "only April's allocation is left");
  }

  @Test
  void anOrgInMemoryRollsOverOnTimeWithNoTraffic() {
    var account = orgOn("monthly");
    Duration untilDecember = Duration.between(clock.instant(), Instant.parse("2026-12-01T00:00:00Z"));
    clock.advance(untilDecember);
    ManualTime.get(testKit.system()).timePasses(untilDecember);
    assertEquals(Instant.parse("2026-12-01T00:00:00Z"), ((OpenAccount) account.getState()).period().start());
  }

  @Test
  void thePeriodCountsUsageByModelAndByCallType() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    done(account, new Operation.Charge(nextId(), 0, new Usage.Tokens("gpt-4o", 1000, 1000, 0, 0),
        new Labels("", "proj", "user", "completion")));
    done(account, charge(EMBEDDING));
    Period period = statement(account).period();
    assertEquals(2, period.calls());
    assertEquals(Map.of("gpt-4o", 12_500L, "", 10 * MICROS_PER_CREDIT), period.chargedByModel());
    assertEquals(Map.of("completion", 12_500L, "embedding", 10 * MICROS_PER_CREDIT), period.chargedByCallType());
    assertEquals(Map.of("gpt-4o", 2000L), period.tokensByModel());
  }

  // ---- rate limits

  Operation.Reserve reserveOne() {
    return new Operation.Reserve(nextId(), 1, null, TTL, Labels.NONE);
  }

  @Test
  void aRateLimitedReserveIsToldTheRealWaitAndARetryAfterItPasses() {
    var account = orgOn("paced", purchase(1000 * MICROS_PER_CREDIT));
    for (int i = 0; i < 60; i++) done(account, reserveOne());
    Rejected limited = rejected(account, reserveOne());
    assertEquals(Rejection.RATE_LIMITED, limited.reason());
    assertEquals("requests_per_minute", limited.facts().get("limit"));
    long waitMillis = Long.parseLong(limited.facts().get("retry_after_ms"));
    assertTrue(Math.abs(waitMillis - 1000) <= 100, () -> "60 a minute refill one a second, told " + waitMillis + " ms");

    clock.advance(Duration.ofMillis(waitMillis - 100));
    assertEquals(Rejection.RATE_LIMITED, rejected(account, reserveOne()).reason(), "not before the wait");
    clock.advance(Duration.ofMillis(100));
    done(account, reserveOne());
  }

  @Test
  void creditsPerMinuteAreConsumedByTheReservedAmount() {
    settings = new AccountSettings(settings.retention(), 50, 2, new dev.tally.node.terms.Terms(
        new dev.tally.node.terms.PlanCatalog(java.util.Map.of("payg", TestTerms.plan("payg", 0, 0,
            new dev.tally.node.terms.Limits(0, 10 * MICROS_PER_CREDIT, 0), 1000)), "payg"), TestTerms.PRICES));
    var account = org(purchase(1000 * MICROS_PER_CREDIT));
    reserve(account, 6 * MICROS_PER_CREDIT);
    Rejected limited = rejected(account, new Operation.Reserve(nextId(), 6 * MICROS_PER_CREDIT, null, TTL, Labels.NONE));
    assertEquals("credits_per_minute", limited.facts().get("limit"));
    reserve(account, 4 * MICROS_PER_CREDIT);
  }

  @Test
  void openReservationsAreLimitedToTheConcurrencyOfThePlan() {
    var account = orgOn("limited", purchase(1000 * MICROS_PER_CREDIT));
    String first = reserve(account, MICROS_PER_CREDIT);
    reserve(account, MICROS_PER_CREDIT);
    Rejected limited = rejected(account, new Operation.Reserve(nextId(), MICROS_PER_CREDIT, null, TTL, Labels.NONE));
    assertEquals(Rejection.RATE_LIMITED, limited.reason());
    assertEquals("concurrent_reservations", limited.facts().get("limit"));
    done(account, new Operation.Release(nextId(), first));
    reserve(account, MICROS_PER_CREDIT);
  }

  @Test
  void runningOutOfCreditsIsNotARateLimit() {
    var account = orgOn("limited", purchase(MICROS_PER_CREDIT));
    assertEquals(Rejection.CREDITS_EXHAUSTED, rejected(account, charge(2 * MICROS_PER_CREDIT)).reason());
  }

  // ---- alerts

  @Test
  void eachThresholdFiresOncePerPeriodTheMomentAChargeCrossesIt() {
    var account = orgOn("alerting");
    assertTrue(alertsIn(eventsOf(account, charge(79 * MICROS_PER_CREDIT))).isEmpty());
    List<AlertRaised> eighty = alertsIn(eventsOf(account, charge(MICROS_PER_CREDIT)));
    assertEquals(List.of(80), percents(eighty));
    assertTrue(alertsIn(eventsOf(account, charge(MICROS_PER_CREDIT))).isEmpty(), "80 % fired already this period");
    List<AlertRaised> crossing = alertsIn(eventsOf(account, charge(19 * MICROS_PER_CREDIT)));
    assertEquals(List.of(AlertKind.USAGE_THRESHOLD, AlertKind.LOW_BALANCE, AlertKind.DEPLETED),
        crossing.stream().map(AlertRaised::kind).toList(), "the whole allocation used: nothing is left either");
    assertEquals(100, crossing.get(0).thresholdPercent());

    String orgId = ((OpenAccount) account.getState()).orgId();
    // Each notice carries its event's sequence number in the org's journal.
    List<Object> journal = account.persistenceTestKit().persistedInStorage(OrgAccount.persistenceId(orgId).id());
    alerts.expectMessage(Topic.publish(new AlertNotice(orgId, journal.indexOf(eighty.get(0)) + 1L, eighty.get(0))));
    alerts.expectMessage(Topic.publish(new AlertNotice(orgId, journal.indexOf(crossing.get(0)) + 1L, crossing.get(0))));

    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-01T00:00:00Z")));
    assertEquals(List.of(80, 100), percents(alertsIn(eventsOf(account, charge(100 * MICROS_PER_CREDIT))).stream()
        .filter(a -> a.kind() == AlertKind.USAGE_THRESHOLD).toList()), "a new period, new alerts");
  }

  @Test
  void aTrialOnlyOrgGetsTheEightyPercentAlertOfItsTrialCredits() {
    var account = orgOn("trial");
    assertTrue(alertsIn(eventsOf(account, charge(7 * MICROS_PER_CREDIT))).isEmpty(), "70 % of the 10-credit trial");
    assertEquals(List.of(80), percents(alertsIn(eventsOf(account, charge(MICROS_PER_CREDIT)))));
  }

  @Test
  void withoutAnAllocationTheBaseIsWhatThePeriodBeganWithPlusWhatWasGrantedInIt() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    clock.advance(Duration.between(clock.instant(), Instant.parse("2026-12-01T00:00:00Z")));
    done(account, purchase(10 * MICROS_PER_CREDIT));
    assertTrue(alertsIn(eventsOf(account, charge(15 * MICROS_PER_CREDIT))).isEmpty(), "75 % of 10 carried over + 10 bought");
    assertEquals(List.of(80), percents(alertsIn(eventsOf(account, charge(MICROS_PER_CREDIT)))));
  }

  static List<AlertRaised> alertsIn(List<OrgEvent> events) {
    return events.stream().filter(e -> e instanceof AlertRaised).map(e -> (AlertRaised) e).toList();
  }

  static List<Integer> percents(List<AlertRaised> alerts) {
    return alerts.stream().map(AlertRaised::thresholdPercent).toList();
  }

  @Test
  void aNewOrgGetsItsPlansTrialAndFirstAllocation() {
    var account = orgOn("trial");
    Grant trial = statement(account).grants().get(0);
    assertEquals(GrantKind.TRIAL, trial.kind());
    assertEquals(10 * MICROS_PER_CREDIT, trial.remaining());
    assertEquals(clock.instant().plus(Duration.ofDays(30)), trial.expiresAt());
    assertInstanceOf(Done.class, execute(account, new Operation.GetOrg()).reply().outcomes().get(0));
  }
}
