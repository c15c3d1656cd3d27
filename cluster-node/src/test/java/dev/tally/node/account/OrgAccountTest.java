package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.OrgEvent.CreditsCharged;
import dev.tally.node.account.OrgEvent.ReservationCommitted;
import dev.tally.node.account.OrgEvent.ReservationExpired;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.Test;

/** One test per ledger rule of DESIGN §4, against the real entity with Pekko's persistence testkit. */
class OrgAccountTest extends AccountTestBase {

  // ---- rule 1

  @Test
  void availableIsGrantsInEffectMinusHeldMinusDebt() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    reserve(account, 3 * MICROS_PER_CREDIT);
    assertEquals(new Outcome.BalanceView(7 * MICROS_PER_CREDIT, 3 * MICROS_PER_CREDIT, 0, 10 * MICROS_PER_CREDIT, 1), balance(account));
  }

  @Test
  void reserveAboveAvailableIsRejectedAndChangesNothing() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    reserve(account, 6 * MICROS_PER_CREDIT);
    Rejected refusal = rejected(account, new Operation.Reserve(nextId(), 5 * MICROS_PER_CREDIT, null, TTL, Labels.NONE));
    assertEquals(Rejection.CREDITS_EXHAUSTED, refusal.reason());
    assertEquals(Long.toString(4 * MICROS_PER_CREDIT), refusal.facts().get("available"));
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void reservesInOneBatchNeverExceedTheBalance() {
    var account = org(purchase(3 * MICROS_PER_CREDIT));
    Operation[] fiveReserves = new Operation[5];
    for (int i = 0; i < 5; i++) fiveReserves[i] = new Operation.Reserve(nextId(), MICROS_PER_CREDIT, null, TTL, Labels.NONE);
    List<Outcome> outcomes = execute(account, fiveReserves).reply().outcomes();
    assertEquals(3, outcomes.stream().filter(o -> o instanceof Done).count());
    assertEquals(0, balance(account).available());
  }

  // ---- rule 2

  @Test
  void commitBelowHoldReleasesTheRest() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 4 * MICROS_PER_CREDIT);
    Outcome.Committed committed =
        (Outcome.Committed) done(account, new Operation.Commit(nextId(), reservation, MICROS_PER_CREDIT, null)).result();
    assertEquals(MICROS_PER_CREDIT, committed.charged());
    assertEquals(3 * MICROS_PER_CREDIT, committed.released());
    assertEquals(new Outcome.BalanceView(9 * MICROS_PER_CREDIT, 0, 0, 9 * MICROS_PER_CREDIT, 0), balance(account));
  }

  @Test
  void commitAboveHoldDrawsTheExcessFromTheBalance() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 2 * MICROS_PER_CREDIT);
    Outcome.Committed committed =
        (Outcome.Committed) done(account, new Operation.Commit(nextId(), reservation, 5 * MICROS_PER_CREDIT, null)).result();
    assertEquals(5 * MICROS_PER_CREDIT, committed.charged());
    assertEquals(0, committed.debtIncurred());
    assertEquals(5 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void usageBeyondTheGrantsBecomesDebtThatBlocksReservesUntilAGrantPaysIt() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 8 * MICROS_PER_CREDIT);
    var commit = execute(account, new Operation.Commit(nextId(), reservation, 13 * MICROS_PER_CREDIT, null));
    Outcome.Committed committed = (Outcome.Committed) ((Done) commit.reply().outcomes().get(0)).result();
    assertEquals(13 * MICROS_PER_CREDIT, committed.charged(), "usage that happened is never dropped");
    assertEquals(3 * MICROS_PER_CREDIT, committed.debtIncurred());
    assertEquals(new Outcome.BalanceView(-3 * MICROS_PER_CREDIT, 0, 3 * MICROS_PER_CREDIT, 0, 0), balance(account));

    assertEquals(Rejection.CREDITS_EXHAUSTED,
        rejected(account, new Operation.Reserve(nextId(), 1, null, TTL, Labels.NONE)).reason());

    var topUp = execute(account, purchase(5 * MICROS_PER_CREDIT));
    assertInstanceOf(OrgEvent.DebtSettled.class, topUp.events().get(1));
    assertEquals(new Outcome.BalanceView(2 * MICROS_PER_CREDIT, 0, 0, 2 * MICROS_PER_CREDIT, 0), balance(account));
    reserve(account, 2 * MICROS_PER_CREDIT);
  }

  @Test
  void debtThatOnlyAnOpenHoldsEndCanPayWaitsForThatHoldNotForGrantsAlreadyInEffect() {
    var account = org(purchase(5 * MICROS_PER_CREDIT));
    reserve(account, 3 * MICROS_PER_CREDIT);
    String small = reserve(account, MICROS_PER_CREDIT);
    done(account, new Operation.Commit(nextId(), small, 6 * MICROS_PER_CREDIT, null));
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).debt(), "the open 3-credit hold keeps the last credits");

    // A deadline at or before now re-arms the entity's timer at once, for ever: a core spun per such org.
    Instant next = account.getState().nextDeadline(clock.instant(), settings.expiryNotice()).orElseThrow();
    assertEquals(clock.instant().plus(TTL), next, "the open hold's expiry is the next thing that can pay the debt");
  }

  @Test
  void usageWithinAHoldIsPaidByItsCreditsNotBookedAsDebtWhenTheOrgOwes() {
    var account = org(purchase(5 * MICROS_PER_CREDIT));
    String open = reserve(account, 3 * MICROS_PER_CREDIT);
    String small = reserve(account, MICROS_PER_CREDIT);
    done(account, new Operation.Commit(nextId(), small, 6 * MICROS_PER_CREDIT, null));
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).debt());

    Outcome.Committed withinItsHold = (Outcome.Committed)
        done(account, new Operation.Commit(nextId(), open, 2 * MICROS_PER_CREDIT, null)).result();
    assertEquals(0, withinItsHold.debtIncurred(), "the hold's credits pay for what was used within it");
    assertEquals(2 * MICROS_PER_CREDIT, withinItsHold.draws().stream().mapToLong(Draw::amount).sum());
    assertEquals(new Outcome.BalanceView(-3 * MICROS_PER_CREDIT, 0, 3 * MICROS_PER_CREDIT, 0, 0), balance(account),
        "the hold's last credit, freed, paid one credit of the debt");
  }

  @Test
  void aGrantThatPaysOffDebtAtOnceAnswersWithWhatTheSettlementLeftOfItAndSoDoItsRetries() {
    var account = org(purchase(5 * MICROS_PER_CREDIT));
    reserve(account, 3 * MICROS_PER_CREDIT);
    String small = reserve(account, MICROS_PER_CREDIT);
    done(account, new Operation.Commit(nextId(), small, 6 * MICROS_PER_CREDIT, null));
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).debt());

    // Trial credits are drawn first, so the settlement takes this grant's three credits.
    var topUp = new Operation.GrantCredits(nextId(), "top-up", GrantKind.TRIAL, 3 * MICROS_PER_CREDIT, null, null, null);
    Outcome.Granted answer = (Outcome.Granted) done(account, topUp).result();
    assertEquals(0, answer.grant().remaining(), "its three credits paid three of the four owed");
    assertEquals(MICROS_PER_CREDIT, balance(account).debt());
    assertEquals(answer, done(account, topUp).result(), "a retry gets the same answer");
    account.restart();
    assertEquals(answer, done(account, topUp).result(), "and so after recovery, which replays the settlement");
  }

  @Test
  void anOperationThatThrowsFailsAloneAndTheRestOfItsBatchAndTheOrgGoOn() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    Usage unpriceable = new Usage.Tokens("gpt-4o", Long.MAX_VALUE, Long.MAX_VALUE, 0, 0);

    var batch = execute(account,
        new Operation.Reserve(nextId(), 0, unpriceable, TTL, Labels.NONE),
        new Operation.Reserve(nextId(), 2 * MICROS_PER_CREDIT, null, TTL, Labels.NONE));

    assertInstanceOf(Outcome.Failed.class, batch.reply().outcomes().get(0));
    assertInstanceOf(Done.class, batch.reply().outcomes().get(1));
    assertEquals(1, batch.events().size(), "only the good operation is written");
    assertEquals(8 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void anUnlimitedPlanStillHoldsAtMostTheNodesBoundOfReservationsOpenAtOnce() {
    // Every request in memory: this test has no request table (IdempotencyBeyondMemoryTest has).
    settings = new AccountSettings(new Retention(Duration.ofHours(24), Holds.MAX_OPEN + 10), 50, 2, TestTerms.TERMS);
    var account = org(purchase(Holds.MAX_OPEN + 1));
    for (int opened = 0; opened < Holds.MAX_OPEN; opened += 1_000) {
      Operation[] thousand = new Operation[1_000];
      for (int i = 0; i < thousand.length; i++) thousand[i] = new Operation.Reserve(nextId(), 1, null, TTL, Labels.NONE);
      assertTrue(execute(account, thousand).reply().outcomes().stream().allMatch(Done.class::isInstance));
    }

    Rejected refused = rejected(account, new Operation.Reserve(nextId(), 1, null, TTL, Labels.NONE));
    assertEquals(Rejection.RATE_LIMITED, refused.reason());
    assertEquals("concurrent_reservations", refused.facts().get("limit"));
  }

  // ---- rule 3

  @Test
  void drawOrderIsPriorityThenSoonestExpiryThenOldest() {
    Instant soon = clock.instant().plus(Duration.ofDays(10));
    Instant later = clock.instant().plus(Duration.ofDays(20));
    var account = org(
        grant("purchase-old", GrantKind.PURCHASE, 2 * MICROS_PER_CREDIT, null),
        grant("purchase-new", GrantKind.PURCHASE, 2 * MICROS_PER_CREDIT, null),
        grant("promo-later", GrantKind.PROMOTION, MICROS_PER_CREDIT, later),
        grant("promo-soon", GrantKind.PROMOTION, MICROS_PER_CREDIT, soon),
        grant("trial", GrantKind.TRIAL, MICROS_PER_CREDIT, later));
    var charge = execute(account, new Operation.Charge(nextId(), 6 * MICROS_PER_CREDIT, null, Labels.NONE));
    CreditsCharged charged = assertInstanceOf(CreditsCharged.class, charge.events().get(0));
    assertEquals(List.of(
            new Draw("trial", MICROS_PER_CREDIT),
            new Draw("promo-soon", MICROS_PER_CREDIT),
            new Draw("promo-later", MICROS_PER_CREDIT),
            new Draw("purchase-old", 2 * MICROS_PER_CREDIT),
            new Draw("purchase-new", MICROS_PER_CREDIT)),
        charged.draws());
  }

  @Test
  void everyChargeEventListsTheGrantsItDrewFrom() {
    var account = org(grant("trial", GrantKind.TRIAL, MICROS_PER_CREDIT, null), grant("bought", GrantKind.PURCHASE, 5 * MICROS_PER_CREDIT, null));
    String reservation = reserve(account, 2 * MICROS_PER_CREDIT);
    var commit = execute(account, new Operation.Commit(nextId(), reservation, 3 * MICROS_PER_CREDIT, null));
    ReservationCommitted committed = assertInstanceOf(ReservationCommitted.class, commit.events().get(0));
    assertEquals(List.of(new Draw("trial", MICROS_PER_CREDIT), new Draw("bought", 2 * MICROS_PER_CREDIT)), committed.draws());
  }

  // ---- rule 4

  @Test
  void releaseReturnsTheWholeHold() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 4 * MICROS_PER_CREDIT);
    Outcome.Released released = (Outcome.Released) done(account, new Operation.Release(nextId(), reservation)).result();
    assertEquals(4 * MICROS_PER_CREDIT, released.released());
    assertEquals(new Outcome.BalanceView(10 * MICROS_PER_CREDIT, 0, 0, 10 * MICROS_PER_CREDIT, 0), balance(account));
  }

  @Test
  void aReservationPastItsExpiryIsReleasedBeforeTheNextCommandIsHandled() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    reserve(account, 4 * MICROS_PER_CREDIT);
    clock.advance(TTL.plusSeconds(1));
    var next = execute(account, new Operation.GetBalance());
    ReservationExpired expired = assertInstanceOf(ReservationExpired.class, next.events().get(0));
    assertEquals(clock.instant().minusSeconds(1), expired.at(), "stamped with the moment it expired");
    assertEquals(10 * MICROS_PER_CREDIT, ((Done) next.reply().outcomes().get(0)).balance().available());
  }

  @Test
  void aReservationExpiresOnTimeWhileTheOrgIsInMemoryWithNoTraffic() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 4 * MICROS_PER_CREDIT);
    clock.advance(TTL);
    ManualTime.get(testKit.system()).timePasses(TTL);
    OpenAccount state = (OpenAccount) account.getState();
    assertEquals(0, state.held());
    assertEquals(RequestMemory.How.EXPIRED, state.memory().resolution(reservation).how());
  }

  @Test
  void aReservationStillExpiresAfterTheOrgIsRecovered() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    reserve(account, 4 * MICROS_PER_CREDIT);
    account.restart();
    assertEquals(4 * MICROS_PER_CREDIT, ((OpenAccount) account.getState()).held(), "the hold survives recovery");
    clock.advance(TTL);
    ManualTime.get(testKit.system()).timePasses(TTL);
    assertEquals(0, ((OpenAccount) account.getState()).held(), "recovery re-armed the expiry timer");
  }

  // ---- rule 5

  @Test
  void aSecondCommitWithTheSameRequestIdReturnsTheFirstOutcome() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 4 * MICROS_PER_CREDIT);
    Operation.Commit commit = new Operation.Commit(nextId(), reservation, 3 * MICROS_PER_CREDIT, null);
    Outcome.Result first = done(account, commit).result();
    var retry = execute(account, commit);
    assertTrue(retry.events().isEmpty(), "a retry changes nothing");
    assertEquals(first, ((Done) retry.reply().outcomes().get(0)).result());
    assertEquals(7 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void anyOtherSecondResolutionIsRefusedAndSaysHowTheFirstWent() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String reservation = reserve(account, 4 * MICROS_PER_CREDIT);
    done(account, new Operation.Release(nextId(), reservation));
    Rejected commitAfterRelease = rejected(account, new Operation.Commit(nextId(), reservation, MICROS_PER_CREDIT, null));
    assertEquals(Rejection.RESERVATION_RESOLVED, commitAfterRelease.reason());
    assertEquals("released", commitAfterRelease.facts().get("resolution"));
    assertEquals(Rejection.RESERVATION_NOT_FOUND,
        rejected(account, new Operation.Release(nextId(), "rsv-404")).reason());
  }

  // ---- rule 6

  @Test
  void aRetriedRequestReturnsTheOriginalOutcomeAndChangesNothing() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    Operation.Reserve reserve = new Operation.Reserve(nextId(), 2 * MICROS_PER_CREDIT, null, TTL, Labels.NONE);
    Outcome.Result first = done(account, reserve).result();
    var retry = execute(account, reserve);
    assertTrue(retry.events().isEmpty());
    assertEquals(first, ((Done) retry.reply().outcomes().get(0)).result());
    assertEquals(8 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void theSameRequestIdWithOtherContentIsRefused() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String requestId = nextId();
    done(account, new Operation.Charge(requestId, MICROS_PER_CREDIT, null, Labels.NONE));
    assertEquals(Rejection.IDEMPOTENCY_MISMATCH,
        rejected(account, new Operation.Charge(requestId, 2 * MICROS_PER_CREDIT, null, Labels.NONE)).reason());
    assertEquals(9 * MICROS_PER_CREDIT, balance(account).available());
  }

  // ---- rule 7

  @Test
  void grantsExpireAndExpiredCreditsAreNeverDrawn() {
    Instant expiry = clock.instant().plus(Duration.ofDays(1));
    var account = org(grant("promo", GrantKind.PROMOTION, 5 * MICROS_PER_CREDIT, expiry), purchase(2 * MICROS_PER_CREDIT));
    clock.advance(Duration.ofDays(1));
    var charge = execute(account, new Operation.Charge(nextId(), MICROS_PER_CREDIT, null, Labels.NONE));
    OrgEvent.GrantExpired expired = assertInstanceOf(OrgEvent.GrantExpired.class, charge.events().get(0));
    assertEquals(5 * MICROS_PER_CREDIT, expired.expired());
    CreditsCharged charged = assertInstanceOf(CreditsCharged.class, charge.events().get(1));
    assertTrue(charged.draws().stream().noneMatch(d -> d.grantId().equals("promo")));
    assertEquals(MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void voidedCreditsAreNeverDrawn() {
    var account = org(grant("promo", GrantKind.PROMOTION, 5 * MICROS_PER_CREDIT, null), purchase(2 * MICROS_PER_CREDIT));
    Outcome.Voided voided = (Outcome.Voided) done(account, new Operation.VoidGrant(nextId(), "promo", "fraud")).result();
    assertEquals(5 * MICROS_PER_CREDIT, voided.voided());
    assertEquals(Rejection.CREDITS_EXHAUSTED,
        rejected(account, new Operation.Charge(nextId(), 3 * MICROS_PER_CREDIT, null, Labels.NONE)).reason());
  }

  // ---- rule 9: depletion and resumption

  @Test
  void usingUpTheCreditsRaisesOneDepletedAndAGrantOneResumed() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    String first = reserve(account, 5 * MICROS_PER_CREDIT);
    String second = reserve(account, 5 * MICROS_PER_CREDIT);
    assertEquals(List.of(), depletionAlerts(execute(account, new Operation.Commit(nextId(), first, 3 * MICROS_PER_CREDIT, null))),
        "two credits are left");
    var usedUp = execute(account, new Operation.Commit(nextId(), second, 9 * MICROS_PER_CREDIT, null));
    assertEquals(List.of(OrgEvent.AlertKind.DEPLETED), depletionAlerts(usedUp));
    OrgEvent.AlertRaised depleted = (OrgEvent.AlertRaised) usedUp.events().get(usedUp.events().size() - 1);
    assertEquals(-2 * MICROS_PER_CREDIT, depleted.available(), "the usage beyond the credits is debt");
    assertEquals(Rejection.CREDITS_EXHAUSTED, rejected(account, new Operation.Reserve(nextId(), 1, null, TTL, Labels.NONE)).reason());

    account.restart();
    assertEquals(List.of(), depletionAlerts(execute(account, purchase(MICROS_PER_CREDIT))),
        "a grant that only pays part of the debt leaves the org depleted, and recovery remembers it is");
    var topUp = execute(account, purchase(5 * MICROS_PER_CREDIT));
    assertEquals(List.of(OrgEvent.AlertKind.RESUMED), depletionAlerts(topUp));
    assertEquals(4 * MICROS_PER_CREDIT, ((OrgEvent.AlertRaised) topUp.events().get(topUp.events().size() - 1)).available());
    reserve(account, 4 * MICROS_PER_CREDIT);
    assertEquals(List.of(), depletionAlerts(execute(account, purchase(MICROS_PER_CREDIT))), "resumed once, not again");
  }

  @Test
  void aDepletionIsRaisedOnceHoweverManyChargesFollowIt() {
    var account = org(purchase(3 * MICROS_PER_CREDIT));
    String hold = reserve(account, MICROS_PER_CREDIT);
    var usedUp = execute(account, new Operation.Charge(nextId(), 2 * MICROS_PER_CREDIT, null, Labels.NONE));
    assertEquals(List.of(OrgEvent.AlertKind.DEPLETED), depletionAlerts(usedUp));
    assertEquals(List.of(), depletionAlerts(execute(account, new Operation.Commit(nextId(), hold, MICROS_PER_CREDIT, null))),
        "more usage while depleted raises nothing more");
  }

  @Test
  void anExpiryThatLeavesNothingDepletesAndAGrantTakingEffectLaterResumesOnTime() {
    Instant expiry = clock.instant().plus(Duration.ofHours(1));
    var account = org(grant("trial", GrantKind.TRIAL, 3 * MICROS_PER_CREDIT, expiry));
    clock.advance(Duration.ofHours(1));
    ManualTime.get(testKit.system()).timePasses(Duration.ofHours(1));
    assertTrue(((OpenAccount) account.getState()).depleted(), "the expiry, on its timer, left nothing");

    Instant later = clock.instant().plus(Duration.ofHours(2));
    var scheduled = execute(account, new Operation.GrantCredits(nextId(), "next-month", GrantKind.PURCHASE, MICROS_PER_CREDIT, null, later, null));
    assertEquals(List.of(), depletionAlerts(scheduled), "not resumed before the grant takes effect");
    clock.advance(Duration.ofHours(2));
    ManualTime.get(testKit.system()).timePasses(Duration.ofHours(2));
    assertFalse(((OpenAccount) account.getState()).depleted(), "the grant taking effect resumed the org on time");
  }

  @Test
  void aDisabledWebhookEndpointIsRecordedAsAnAlertNamingItAndChangesNoBalance() {
    var account = org(purchase(4 * MICROS_PER_CREDIT));
    var recorded = execute(account, new Operation.RecordEndpointDisabled("we_0123456789abcdef01234567"));
    assertEquals(1, recorded.events().size());
    OrgEvent.AlertRaised alert = assertInstanceOf(OrgEvent.AlertRaised.class, recorded.events().get(0));
    assertEquals(OrgEvent.AlertKind.WEBHOOK_ENDPOINT_DISABLED, alert.kind());
    assertEquals("we_0123456789abcdef01234567", alert.endpointId());
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).available());
    account.restart();
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).available(), "the alert replays");
  }

  private static List<OrgEvent.AlertKind> depletionAlerts(
      CommandResultWithReply<OrgAccount.Command, OrgEvent, AccountState, OrgAccount.Outcomes> result) {
    return result.events().stream()
        .filter(e -> e instanceof OrgEvent.AlertRaised a
            && (a.kind() == OrgEvent.AlertKind.DEPLETED || a.kind() == OrgEvent.AlertKind.RESUMED))
        .map(e -> ((OrgEvent.AlertRaised) e).kind())
        .toList();
  }

  // ---- expiry notices

  @Test
  void aGrantWithCreditsLeftIsNoticedOnceTheNoticeBeforeItExpiresOnItsTimer() {
    Instant expiry = clock.instant().plus(Duration.ofDays(10));
    var account = org(grant("promo", GrantKind.PROMOTION, 5 * MICROS_PER_CREDIT, expiry), purchase(MICROS_PER_CREDIT));
    done(account, new Operation.Charge(nextId(), MICROS_PER_CREDIT, null, Labels.NONE));
    assertEquals(List.of(), notices(account), "ten days before: nothing yet");

    clock.advance(Duration.ofDays(3));
    ManualTime.get(testKit.system()).timePasses(Duration.ofDays(3));
    assertEquals(List.of(new OrgEvent.GrantExpiringSoon("promo", 4 * MICROS_PER_CREDIT, expiry, expiry.minus(Duration.ofDays(7)))),
        notices(account), "seven days before, on the timer, with what is left of it");

    account.restart();
    clock.advance(Duration.ofDays(1));
    done(account, new Operation.Charge(nextId(), MICROS_PER_CREDIT, null, Labels.NONE));
    assertEquals(1, notices(account).size(), "once per grant, recovery included");
  }

  @Test
  void aGrantGivenCloserToItsExpiryThanTheNoticeIsNoticedAtOnceAndOneWithoutExpiryNever() {
    var account = org(purchase(MICROS_PER_CREDIT));
    Instant expiry = clock.instant().plus(Duration.ofDays(2));
    var granted = execute(account, grant("short", GrantKind.PROMOTION, MICROS_PER_CREDIT, expiry));
    assertEquals(List.of(new OrgEvent.GrantExpiringSoon("short", MICROS_PER_CREDIT, expiry, clock.instant())),
        granted.events().stream().filter(e -> e instanceof OrgEvent.GrantExpiringSoon).toList());
  }

  private List<OrgEvent.GrantExpiringSoon> notices(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return account.persistenceTestKit().persistedInStorage(OrgAccount.persistenceId(((OpenAccount) account.getState()).orgId()).id())
        .stream().filter(e -> e instanceof OrgEvent.GrantExpiringSoon).map(e -> (OrgEvent.GrantExpiringSoon) e).toList();
  }

  // ---- rule 10

  @Test
  void creditsBelongToOneOrg() {
    var rich = org(purchase(10 * MICROS_PER_CREDIT));
    var poor = org();
    done(rich, new Operation.Charge(nextId(), MICROS_PER_CREDIT, null, Labels.NONE));
    assertEquals(0, balance(poor).grantedRemaining());
    assertEquals(Rejection.CREDITS_EXHAUSTED,
        rejected(poor, new Operation.Charge(nextId(), MICROS_PER_CREDIT, null, Labels.NONE)).reason());
    assertEquals(9 * MICROS_PER_CREDIT, balance(rich).available());
  }

  // ---- the account's life

  @Test
  void anOrgMustBeCreatedBeforeAnythingElse() {
    var account = unopened("never-created");
    assertEquals(Rejection.ORG_NOT_FOUND, rejected(account, new Operation.GetBalance()).reason());
  }

  @Test
  void askingAfterAnOrgThatDoesNotExistLeavesNoEntityInMemoryButCreatingOneDoes() {
    var account = unopened("not-yet");
    int before = passivations.size();

    rejected(account, new Operation.GetBalance());
    assertEquals(before + 1, passivations.size(), "the unknown org's entity asked to be stopped");

    done(account, new Operation.CreateOrg("create-not-yet", "not-yet", "Not yet", "payg"));
    done(account, new Operation.GetBalance());
    assertEquals(before + 1, passivations.size(), "an org that exists stays until sharding passivates it when idle");
  }

  @Test
  void creatingAnOrgAgainWithTheSameNameAndPlanReturnsItAndAnythingElseIsRefused() {
    var account = org();
    String orgId = ((OpenAccount) account.getState()).orgId();
    var retry = execute(account, new Operation.CreateOrg("retry-" + orgId, orgId, "Org " + orgId, "payg"));
    assertTrue(retry.events().isEmpty());
    assertInstanceOf(Outcome.OrgInfo.class, ((Done) retry.reply().outcomes().get(0)).result());
    assertEquals(Rejection.ORG_EXISTS, rejected(account, new Operation.CreateOrg("other-" + orgId, orgId, "Org " + orgId, "trial")).reason());
    assertEquals(Rejection.ORG_EXISTS, rejected(account, new Operation.CreateOrg("other-" + orgId, orgId, "Other", "payg")).reason());
  }

  @Test
  void aBatchIsPersistedInOneWriteAndAnsweredInOrder() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    var batch = execute(account,
        new Operation.Reserve(nextId(), MICROS_PER_CREDIT, null, TTL, Labels.NONE),
        new Operation.Charge(nextId(), 2 * MICROS_PER_CREDIT, null, Labels.NONE),
        new Operation.Reserve(nextId(), 100 * MICROS_PER_CREDIT, null, TTL, Labels.NONE),
        new Operation.GetBalance());
    assertEquals(2, batch.events().size());
    List<Outcome> outcomes = batch.reply().outcomes();
    assertInstanceOf(Outcome.Reserved.class, ((Done) outcomes.get(0)).result());
    assertInstanceOf(Outcome.Charged.class, ((Done) outcomes.get(1)).result());
    assertEquals(Rejection.CREDITS_EXHAUSTED, ((Rejected) outcomes.get(2)).reason());
    assertEquals(7 * MICROS_PER_CREDIT, ((Done) outcomes.get(3)).balance().available());
  }

  @Test
  void theStateABatchWasDecidedWithIsTheStateItsEventsReplayTo() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 1000), 1000, 2, TestTerms.TERMS);
    var account = org(purchase(10 * MICROS_PER_CREDIT), grant("trial", GrantKind.TRIAL, MICROS_PER_CREDIT, clock.instant().plusSeconds(3600)));
    String held = reserve(account, 2 * MICROS_PER_CREDIT);
    String released = reserve(account, MICROS_PER_CREDIT);
    var batch = execute(account,
        new Operation.Reserve(nextId(), MICROS_PER_CREDIT, null, TTL, Labels.NONE),
        new Operation.Commit(nextId(), held, 3 * MICROS_PER_CREDIT, null),
        new Operation.Charge(nextId(), 2 * MICROS_PER_CREDIT, null, Labels.NONE),
        new Operation.Release(nextId(), released),
        new Operation.Reserve(nextId(), 4 * MICROS_PER_CREDIT, null, TTL, Labels.NONE));
    assertEquals(5, batch.events().size(), "one event per operation");
    AccountState decided = account.getState();
    AccountState replayed = account.restart().state();
    assertEquals(decided, replayed);
  }

  @Test
  void theStateSurvivesASnapshotAndRecovery() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 1000), 3, 2, TestTerms.TERMS);
    var account = org(purchase(10 * MICROS_PER_CREDIT), grant("trial", GrantKind.TRIAL, MICROS_PER_CREDIT, clock.instant().plusSeconds(3600)));
    String reservation = reserve(account, 2 * MICROS_PER_CREDIT);
    done(account, new Operation.Commit(nextId(), reservation, MICROS_PER_CREDIT, null));
    reserve(account, 3 * MICROS_PER_CREDIT);
    AccountState before = account.getState();
    AccountState recovered = account.restart().state();
    assertEquals(AccountSnapshot.of((OpenAccount) before), AccountSnapshot.of((OpenAccount) recovered));
  }
}
