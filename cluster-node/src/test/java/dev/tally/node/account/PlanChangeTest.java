package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.OrgEvent.AllocationRaised;
import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.OverridesSet;
import dev.tally.node.account.OrgEvent.PeriodClosed;
import dev.tally.node.account.OrgEvent.PeriodOpened;
import dev.tally.node.account.OrgEvent.PlanChangeScheduled;
import dev.tally.node.account.OrgEvent.PlanChanged;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Overrides;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 item 7: an upgrade applies at once with the new allocation prorated for the rest of the
 * period, a downgrade at the period's end, and an org's own allocation and rollover. The clock is
 * the test's: each test starts on 5 November 2026 at 10:00 UTC, with 25 days 14 hours of the
 * 30-day November left.
 */
class PlanChangeTest extends AccountTestBase {

  static final Instant MID_NOVEMBER = Instant.parse("2026-11-16T00:00:00Z");
  static final Instant DECEMBER = Instant.parse("2026-12-01T00:00:00Z");
  static final Instant JANUARY = Instant.parse("2027-01-01T00:00:00Z");
  /** monthly: 100 credits, no rollover. team: 400 credits, rollover 1 month, multiplier 1.2 (TestTerms). */
  static final long MONTHLY = 100 * MICROS_PER_CREDIT;
  static final long TEAM = 400 * MICROS_PER_CREDIT;

  Outcome.Statement statement(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return (Outcome.Statement) done(account, new Operation.GetBalance()).result();
  }

  Outcome.OrgInfo info(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return (Outcome.OrgInfo) done(account, new Operation.GetOrg()).result();
  }

  List<OrgEvent> setPlan(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, String plan) {
    return execute(account, new Operation.SetPlan(nextId(), plan)).events();
  }

  List<OrgEvent> setOverrides(
      EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, Long allocation, Integer rollover) {
    return execute(account, new Operation.SetOverrides(nextId(),
        new Overrides(null, null, null, null, List.of(), null, allocation, rollover))).events();
  }

  /** The events of the first operation after the clock reached {@code at}: what fell due, first. */
  List<OrgEvent> moveTo(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, Instant at) {
    clock.advance(Duration.between(clock.instant(), at));
    return execute(account, new Operation.GetBalance()).events();
  }

  static List<Class<?>> kinds(List<OrgEvent> events) {
    return events.stream().<Class<?>>map(Object::getClass).toList();
  }

  static Grant grantNamed(Outcome.Statement statement, String grantId) {
    return statement.grants().stream().filter(g -> g.grantId().equals(grantId)).findFirst()
        .orElseThrow(() -> new AssertionError("no grant " + grantId + " in " + statement.grants()));
  }

  // ---- upgrades

  @Test
  void aMidPeriodUpgradeGrantsTheNewAllocationForTheRestOfThePeriodAtOnce() {
    var account = org();

    List<OrgEvent> events = setPlan(account, "monthly");

    assertEquals(List.of(PlanChanged.class, AllocationRaised.class, CreditsGranted.class), kinds(events));
    CreditsGranted topUp = (CreditsGranted) events.get(2);
    // 100 credits × 2,210,400 s left (25 d 14 h) / 2,592,000 s (30 d) = 85.2777777… credits, rounded down.
    assertEquals(85_277_777, topUp.amount());
    assertEquals(GrantKind.SUBSCRIPTION, topUp.kind());
    assertEquals(DECEMBER, topUp.expiresAt(), "monthly rolls nothing over: it ends with November");
    assertEquals(85_277_777, balance(account).available(), "spendable at once");
    Outcome.Statement now = statement(account);
    assertEquals("monthly", now.plan());
    assertNull(now.nextPlan());
    assertEquals(85_277_777, now.period().allocation(), "what November was allocated");
    assertEquals(MONTHLY, now.period().runsAt(), "the rate November runs at from now");

    List<OrgEvent> december = moveTo(account, DECEMBER);
    assertEquals(85_277_777, ((OrgEvent.GrantExpired) december.get(0)).expired());
    assertEquals(MONTHLY, balance(account).available(), "December's whole allocation, nothing of November's");
  }

  @Test
  void anUpgradeGrantsTheRaiseForTheRestOfThePeriodAndKeepsWhatThePeriodHadAlready() {
    var account = orgOn("monthly");
    done(account, new Operation.Charge(nextId(), 30 * MICROS_PER_CREDIT, null, Labels.NONE));
    clock.advance(Duration.between(clock.instant(), MID_NOVEMBER));

    List<OrgEvent> events = setPlan(account, "team");

    CreditsGranted topUp = assertInstanceOf(CreditsGranted.class, events.get(2));
    assertEquals(150 * MICROS_PER_CREDIT, topUp.amount(), "(400 − 100) credits × the half of November left");
    assertEquals(JANUARY, topUp.expiresAt(), "team's allocations roll over one month");
    Outcome.Statement now = statement(account);
    Grant november = grantNamed(now, "allocation-2026-11");
    assertEquals(70 * MICROS_PER_CREDIT, november.remaining(), "the allocation November had is kept, drawn as it was");
    assertEquals(DECEMBER, november.expiresAt(), "and expires as it would have");
    assertEquals(220 * MICROS_PER_CREDIT, balance(account).available());
    assertEquals(1200, now.terms().priceMultiplierPermille(), "team's terms are in force at once");
    assertEquals(250 * MICROS_PER_CREDIT, now.period().allocation());
    assertEquals(TEAM, now.period().runsAt());

    assertEquals(List.of(PlanChanged.class), kinds(setPlan(account, "team")), "the same plan again grants nothing more");
  }

  @Test
  void aSecondUpgradeInThePeriodGrantsOnlyTheDifferenceFromTheFirst() {
    var account = org();
    setPlan(account, "monthly");
    clock.advance(Duration.between(clock.instant(), MID_NOVEMBER));

    List<OrgEvent> events = setPlan(account, "team");

    assertEquals(150 * MICROS_PER_CREDIT, ((CreditsGranted) events.get(2)).amount(), "(400 − 100) × ½, not 400 × ½");
    assertEquals(85_277_777 + 150 * MICROS_PER_CREDIT, statement(account).period().allocation());
  }

  @Test
  void anUpgradeIsRefusedWhenItsGrantWouldPassTheGrantsAnOrgMayHold() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 5000), 50, 2, TestTerms.TERMS);
    var account = org();
    for (int batch = 0; batch < Grants.MAX_GIVEN_AND_LEFT / 100; batch++) {
      List<Operation> grants = new ArrayList<>();
      for (int i = 0; i < 100; i++) grants.add(purchase(1));
      execute(account, grants.toArray(Operation[]::new));
    }
    assertEquals(Grants.MAX_GIVEN_AND_LEFT, ((OpenAccount) account.getState()).grants().size());

    assertEquals(Rejection.ACCOUNT_LIMIT, rejected(account, new Operation.SetPlan(nextId(), "monthly")).reason());
    assertEquals("payg", statement(account).plan(), "nothing changed");
    assertEquals(List.of(PlanChanged.class), kinds(setPlan(account, "premium")), "a change that grants nothing goes ahead");
  }

  // ---- downgrades

  @Test
  void aDowngradeWaitsForThePeriodsEndAndIsShownUntilThen() {
    var account = orgOn("team");

    List<OrgEvent> events = setPlan(account, "monthly");

    PlanChangeScheduled scheduled = assertInstanceOf(PlanChangeScheduled.class, events.get(0));
    assertEquals(1, events.size());
    assertEquals(DECEMBER, scheduled.effectiveAt());
    Outcome.Statement now = statement(account);
    assertEquals("team", now.plan(), "the org keeps its plan until the period ends");
    assertEquals(1200, now.terms().priceMultiplierPermille());
    assertEquals(new Outcome.NextPlan("monthly", DECEMBER), now.nextPlan());
    assertEquals(new Outcome.NextPlan("monthly", DECEMBER), info(account).nextPlan());
    assertEquals(TEAM, balance(account).available(), "nothing granted is taken back");

    List<OrgEvent> december = moveTo(account, DECEMBER);

    assertEquals(List.of(PeriodClosed.class, PlanChanged.class, PeriodOpened.class, CreditsGranted.class), kinds(december));
    PlanChanged applied = (PlanChanged) december.get(1);
    assertEquals("monthly", applied.plan());
    assertEquals("", applied.requestId(), "the account applies it on its own");
    assertEquals(MONTHLY, ((PeriodOpened) december.get(2)).allocation(), "December opens under monthly");
    Outcome.Statement after = statement(account);
    assertEquals("monthly", after.plan());
    assertNull(after.nextPlan());
    assertEquals(1000, after.terms().priceMultiplierPermille());
    assertEquals(TEAM + MONTHLY, balance(account).available(), "November's team allocation rolls over into December");
  }

  @Test
  void aChangeBackToTheCurrentPlanCancelsAScheduledDowngradeAndGrantsNothing() {
    var account = orgOn("team");
    setPlan(account, "monthly");

    assertEquals(List.of(PlanChanged.class), kinds(setPlan(account, "team")));

    assertNull(statement(account).nextPlan());
    List<OrgEvent> december = moveTo(account, DECEMBER);
    assertEquals(TEAM, ((PeriodOpened) december.get(1)).allocation());
    assertEquals("team", statement(account).plan());
  }

  @Test
  void aSecondDowngradeReplacesTheFirst() {
    var account = orgOn("team");
    setPlan(account, "monthly");
    setPlan(account, "payg");

    assertEquals(new Outcome.NextPlan("payg", DECEMBER), statement(account).nextPlan());
    List<OrgEvent> december = moveTo(account, DECEMBER);
    assertEquals("payg", ((PlanChanged) december.get(1)).plan());
    assertEquals(List.of(PeriodClosed.class, PlanChanged.class, PeriodOpened.class), kinds(december), "payg has no allocation");
  }

  @Test
  void anUpgradeAfterAScheduledDowngradeAppliesAtOnceAndCancelsIt() {
    var account = orgOn("monthly");
    setPlan(account, "payg");
    clock.advance(Duration.between(clock.instant(), MID_NOVEMBER));

    List<OrgEvent> events = setPlan(account, "team");

    assertEquals(150 * MICROS_PER_CREDIT, ((CreditsGranted) events.get(2)).amount());
    assertNull(statement(account).nextPlan());
    moveTo(account, DECEMBER);
    assertEquals("team", statement(account).plan());
  }

  // ---- an org's own terms

  @Test
  void anOrgsOwnAllocationIsGrantedLikeAnUpgradeAndItsOwnRolloverAppliesToTheAllocationsFromThen() {
    var account = orgOn("monthly");
    clock.advance(Duration.between(clock.instant(), MID_NOVEMBER));

    List<OrgEvent> events = setOverrides(account, 250 * MICROS_PER_CREDIT, 2);

    assertEquals(List.of(OverridesSet.class, AllocationRaised.class, CreditsGranted.class), kinds(events));
    CreditsGranted topUp = (CreditsGranted) events.get(2);
    assertEquals(75 * MICROS_PER_CREDIT, topUp.amount(), "(250 − 100) × ½");
    assertEquals(Instant.parse("2027-02-01T00:00:00Z"), topUp.expiresAt(), "two periods after November's end");

    List<OrgEvent> december = moveTo(account, DECEMBER);
    CreditsGranted decemberAllocation = (CreditsGranted) december.get(december.size() - 1);
    assertEquals(250 * MICROS_PER_CREDIT, decemberAllocation.amount(), "the org's own allocation, not monthly's 100");
    assertEquals(Instant.parse("2027-03-01T00:00:00Z"), decemberAllocation.expiresAt());
    assertEquals("monthly", statement(account).plan());
    assertEquals(List.of(PlanChanged.class), kinds(setPlan(account, "team")),
        "its own allocation replaces every plan's: moving to team is neither an upgrade nor a downgrade");
  }

  @Test
  void loweringAnOrgsOwnAllocationKeepsThePeriodsAndRaisingItBackGrantsNothingMore() {
    var account = orgOn("monthly");

    assertEquals(List.of(OverridesSet.class), kinds(setOverrides(account, 0L, null)));
    assertEquals(MONTHLY, balance(account).available(), "November keeps its allocation");
    assertEquals(List.of(OverridesSet.class), kinds(setOverrides(account, MONTHLY, null)), "November runs at 100 already");
    setOverrides(account, 0L, null);

    List<OrgEvent> december = moveTo(account, DECEMBER);
    PeriodOpened opened = (PeriodOpened) december.stream().filter(e -> e instanceof PeriodOpened).findFirst().orElseThrow();
    assertEquals(0, opened.allocation(), "the lower allocation from December");
    assertTrue(december.get(december.size() - 1) instanceof OrgEvent.AlertRaised alert && alert.kind() == OrgEvent.AlertKind.DEPLETED,
        "November's allocation gone and none for December: the org is depleted");
  }

  // ---- replay

  @Test
  void upgradesScheduledChangesAndOwnTermsReplayToTheSameStateAcrossThePeriodsEnd() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 1000), 1000, 2, TestTerms.TERMS);
    var account = org();
    setPlan(account, "monthly");
    clock.advance(Duration.between(clock.instant(), MID_NOVEMBER));
    setPlan(account, "payg");
    setOverrides(account, 250 * MICROS_PER_CREDIT, 2);
    AccountState scheduled = account.getState();
    assertEquals("payg", ((OpenAccount) scheduled).subscription().nextPlan());
    assertEquals(scheduled, account.restart().state());

    moveTo(account, DECEMBER);
    AccountState december = account.getState();
    assertEquals(december, account.restart().state());
    assertEquals("payg", ((OpenAccount) december).plan());
    assertEquals(250 * MICROS_PER_CREDIT, ((OpenAccount) december).period().allocation(), "payg with the org's own allocation");
  }

  @Test
  void aScheduledChangeAndTheRaisedRateSurviveASnapshotAndRecovery() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 1000), 2, 2, TestTerms.TERMS);
    var account = org();
    setPlan(account, "monthly");
    setPlan(account, "payg");
    OpenAccount before = (OpenAccount) account.getState();
    OpenAccount recovered = (OpenAccount) account.restart().state();
    assertEquals(AccountSnapshot.of(before), AccountSnapshot.of(recovered));
    assertEquals("payg", recovered.subscription().nextPlan());
    assertEquals(MONTHLY, recovered.period().runsAt());
    assertTrue(recovered.period().allocation() > 0);
  }
}
