package dev.tally.node.account;

import dev.tally.node.account.Decision.Refuse;
import dev.tally.node.account.OrgEvent.AlertKind;
import dev.tally.node.account.OrgEvent.AlertRaised;
import dev.tally.node.account.OrgEvent.AllocationRaised;
import dev.tally.node.account.OrgEvent.CreditsCharged;
import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.CreditsReserved;
import dev.tally.node.account.OrgEvent.DebtSettled;
import dev.tally.node.account.OrgEvent.GrantExpired;
import dev.tally.node.account.OrgEvent.GrantExpiringSoon;
import dev.tally.node.account.OrgEvent.GrantVoided;
import dev.tally.node.account.OrgEvent.OrgCreated;
import dev.tally.node.account.OrgEvent.OverridesSet;
import dev.tally.node.account.OrgEvent.PeriodClosed;
import dev.tally.node.account.OrgEvent.PeriodOpened;
import dev.tally.node.account.OrgEvent.PlanChangeScheduled;
import dev.tally.node.account.OrgEvent.PlanChanged;
import dev.tally.node.account.OrgEvent.ReservationCommitted;
import dev.tally.node.account.OrgEvent.ReservationExpired;
import dev.tally.node.account.OrgEvent.ReservationExtended;
import dev.tally.node.account.OrgEvent.ReservationReleased;
import dev.tally.node.account.Outcome.Result;
import dev.tally.node.account.RateGate.Throttled;
import dev.tally.node.account.RequestMemory.How;
import dev.tally.node.account.RequestMemory.Remembered;
import dev.tally.node.account.RequestMemory.Resolution;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Cost;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.Terms;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An org's open account: the terms it is on (plan, overrides, a scheduled plan change), grants,
 * open reservations, debt, the current billing period, the memory of recent requests and its
 * referral (code, referrer and rewards). {@code depleted}: the last depletion alert said the org has
 * nothing left to spend (DEPLETED, not yet followed by RESUMED).
 */
public record OpenAccount(
    String orgId,
    String displayName,
    Instant createdAt,
    Subscription subscription,
    Grants grants,
    Holds reservations,
    long debt,
    Period period,
    RequestMemory memory,
    Referral referral,
    boolean depleted)
    implements AccountState {

  /**
   * The most debt an org may owe, in µcr (10^17): a commit whose usage beyond its hold would pass it
   * is refused, so debt, and the balance it is subtracted from, stay far inside a long.
   */
  public static final long MAX_DEBT = 100_000_000_000_000_000L;

  static OpenAccount created(OrgCreated event) {
    return new OpenAccount(event.orgId(), event.displayName(), event.at(), Subscription.on(event.plan()), Grants.NONE,
        Holds.NONE, 0, Period.monthOf(event.at(), 0), RequestMemory.EMPTY,
        event.referredBy() == null ? Referral.NONE : Referral.referredByOrg(event.referredBy()), false);
  }

  // ---- reading

  /** Rule 1: available = Σ remaining of grants in effect − Σ held − debt. */
  @Override
  public Outcome.BalanceView balanceAt(Instant now) {
    long granted = grants.remainingAt(now);
    return new Outcome.BalanceView(
        Math.subtractExact(Math.subtractExact(granted, held()), debt), held(), debt, granted, reservations.size());
  }

  public long availableAt(Instant now) {
    return balanceAt(now).available();
  }

  /** The sum of the open reservations' holds. */
  public long held() {
    return reservations.held();
  }

  public String plan() {
    return subscription.plan();
  }

  public Overrides overrides() {
    return subscription.overrides();
  }

  /** The plan's terms with the org's overrides in force. */
  public Plan termsUnder(Terms terms) {
    return subscription.termsUnder(terms);
  }

  /**
   * The next moment after {@code now} something falls due on its own: a hold or grant expiry, the
   * expiry notice, the end of the billing period, or a grant taking effect that could pay debt or end
   * a depletion.
   */
  @Override
  public Optional<Instant> nextDeadline(Instant now, Duration expiryNotice) {
    Instant next = grants.firstDeadline(debt > 0 || depleted, now, expiryNotice, period.end());
    Optional<Instant> hold = reservations.firstExpiry();
    return Optional.of(hold.isPresent() && hold.get().isBefore(next) ? hold.get() : next);
  }

  @Override
  public Result resultOf(Operation operation) {
    if (operation instanceof Operation.Requested requested) return memory.request(requested.requestId()).result();
    if (operation instanceof Operation.GetReferral) return referral.view(period.start());
    return orgInfo();
  }

  private Outcome.OrgInfo orgInfo() {
    return new Outcome.OrgInfo(orgId, displayName, createdAt, plan(), referral.referredBy(), nextPlanAt());
  }

  /** The plan the org moves to at the period's end, and when; null when no change is scheduled. */
  private Outcome.NextPlan nextPlanAt() {
    return subscription.nextPlan() == null ? null : new Outcome.NextPlan(subscription.nextPlan(), period.end());
  }

  // ---- deciding

  @Override
  public Decision decide(Operation operation, Instant now, Terms terms, RateGate gate, ReservationIds ids) {
    if (operation instanceof Operation.Requested requested) return decideRequested(requested, now, terms, gate, ids);
    if (operation instanceof Operation.GetBalance) {
      return new Decision.Answer(new Outcome.Statement(grants.inDrawOrder(), plan(), termsUnder(terms), period, nextPlanAt()));
    }
    if (operation instanceof Operation.ListGrants list) {
      List<GrantLine> lines = grants.listedAfter(list.after(), list.limit() + 1);
      boolean more = lines.size() > list.limit();
      return new Decision.Answer(new Outcome.GrantList(more ? lines.subList(0, list.limit()) : lines, more));
    }
    if (operation instanceof Operation.GetReferral look) return referral.decideLook(look, period.start(), now);
    if (operation instanceof Operation.RecordEndpointDisabled disabled) {
      return Decision.Persist.of(new AlertRaised(AlertKind.WEBHOOK_ENDPOINT_DISABLED, 0, period.start(), period.charged(),
          availableAt(now), now, disabled.endpointId()));
    }
    if (operation instanceof Operation.CreateOrg create
        && !(create.displayName().equals(displayName) && create.plan().equals(plan())
            && java.util.Objects.equals(create.referredBy(), referral.referredBy()))) {
      return Refuse.orgExists(orgId);
    }
    return new Decision.Answer(orgInfo());
  }

  private Decision decideRequested(
      Operation.Requested operation, Instant now, Terms terms, RateGate gate, ReservationIds ids) {
    Remembered earlier = memory.request(operation.requestId());
    if (earlier != null) return earlier.answer(operation);
    Plan inForce = termsUnder(terms);
    if (operation instanceof Operation.Reserve reserve) return decideReserve(reserve, now, terms, inForce, gate, ids);
    if (operation instanceof Operation.Commit commit) return decideCommit(commit, now, terms, inForce);
    if (operation instanceof Operation.Release release) return decideRelease(release, now);
    if (operation instanceof Operation.Charge charge) return decideCharge(charge, now, terms, inForce, gate);
    if (operation instanceof Operation.Extend extend) return decideExtend(extend, now);
    if (operation instanceof Operation.GrantCredits grant) return decideGrant(grant, now);
    if (operation instanceof Operation.VoidGrant voidGrant) return decideVoid(voidGrant, now);
    if (operation instanceof Operation.CreditReward reward) {
      return referral.decideReward(reward, inForce.referral(), period.start(), now);
    }
    if (operation instanceof Operation.TransferRewards transfer) return referral.decideTransfer(transfer, grants, now);
    if (operation instanceof Operation.RecordCreditRequestDecided d) {
      return Decision.Persist.of(new OrgEvent.CreditRequestDecided(
          d.requestId(), d.fingerprint(), d.number(), d.approved(), d.amount(), d.grantId(), now));
    }
    if (operation instanceof Operation.RecordApiKeyCreated c) {
      return Decision.Persist.of(new OrgEvent.ApiKeyCreated(
          c.requestId(), c.fingerprint(), c.keyId(), c.role(), c.label(), c.rotatedFrom(), now));
    }
    if (operation instanceof Operation.RecordApiKeyRevoked r) {
      return Decision.Persist.of(new OrgEvent.ApiKeyRevoked(
          r.requestId(), r.fingerprint(), r.keyId(), r.role(), r.label(), r.revokedAt(), now));
    }
    if (operation instanceof Operation.SetPlan setPlan) return subscription.change(setPlan, period, grants.size(), terms, now);
    return subscription.override((Operation.SetOverrides) operation, period, grants.size(), terms, now);
  }

  private Decision decideGrant(Operation.GrantCredits op, Instant now) {
    if (grants.get(op.grantId()) != null) return Refuse.grantExists(op.grantId());
    if (grants.size() >= Grants.MAX_GIVEN_AND_LEFT) return Refuse.accountLimit("grants", Grants.MAX_GIVEN_AND_LEFT);
    int priority = op.priority() != null ? op.priority() : Grants.DEFAULT_PRIORITY;
    Instant effectiveAt = op.effectiveAt() != null ? op.effectiveAt() : now;
    return Decision.Persist.of(new CreditsGranted(
        op.requestId(), op.fingerprint(), op.grantId(), op.kind(), op.amount(), priority, effectiveAt, op.expiresAt(),
        now));
  }

  private Decision decideVoid(Operation.VoidGrant op, Instant now) {
    Grant grant = grants.get(op.grantId());
    if (grant == null) return Refuse.grantNotFound(op.grantId());
    return Decision.Persist.of(
        new GrantVoided(op.requestId(), op.fingerprint(), op.grantId(), grant.remaining(), op.reason(), now));
  }

  /** Rule 1 and the rate limits, checked in one step: balance first, then concurrency and the buckets. */
  private Decision decideReserve(
      Operation.Reserve op, Instant now, Terms terms, Plan inForce, RateGate gate, ReservationIds ids) {
    long amount = op.estimate() != null ? terms.prices().cost(op.estimate(), inForce.priceMultiplierPermille()).amount() : op.amount();
    Optional<Decision> refused = beyondAvailable(amount, now).or(() -> rateLimited(inForce, amount, true, now, gate));
    if (refused.isPresent()) return refused.get();
    return Decision.Persist.of(new CreditsReserved(
        op.requestId(), op.fingerprint(), ids.next(), amount, now.plus(op.ttl()), op.labels(), op.apiKeyId(), now));
  }

  /**
   * Only credits added to a hold must be available. A pure time extension always goes ahead while
   * the hold is open, even with a negative balance (a grant expired or was voided under the hold,
   * or there is debt): a stream's usage is delivered already, and a hold that expired would leave
   * its commit nothing to bill (rule 2).
   */
  private Decision decideExtend(Operation.Extend op, Instant now) {
    if (reservations.get(op.reservationId()) == null) return notOpen(op.reservationId());
    Optional<Decision> refused = op.additional() > 0 ? beyondAvailable(op.additional(), now) : Optional.empty();
    if (refused.isPresent()) return refused.get();
    return Decision.Persist.of(new ReservationExtended(
        op.requestId(), op.fingerprint(), op.reservationId(), op.additional(), now.plus(op.ttl()), now));
  }

  /** Rule 2: charge the actual usage; the excess over the hold comes from what is available, the rest is debt. */
  private Decision decideCommit(Operation.Commit op, Instant now, Terms terms, Plan inForce) {
    Reservation reservation = reservations.get(op.reservationId());
    if (reservation == null) return notOpen(op.reservationId());
    Cost cost = priced(op.amount(), op.usage(), terms, inForce);
    long availableOnceReleased = availableAt(now) + reservation.held();
    // Usage within the hold is paid by the credits it holds, whatever debt came after it; only what the
    // org's credits cannot cover becomes debt. (Once the debt is counted back, what is left after the other
    // holds: less than the hold only when grants expired or were voided under it.)
    long heldForIt = Math.min(reservation.held(), availableOnceReleased + debt);
    long covered = Math.max(0, Math.min(cost.amount(), Math.max(heldForIt, availableOnceReleased)));
    long debtIncurred = cost.amount() - covered;
    if (debtIncurred > MAX_DEBT - debt) return Refuse.accountLimit("debt", MAX_DEBT);
    return Decision.Persist.of(new ReservationCommitted(
        op.requestId(), op.fingerprint(), op.reservationId(), reservation.held(), cost.amount(),
        grants.drawsFor(covered, now), debtIncurred, reservation.labels(), reservation.apiKeyId(), op.usage(),
        cost, now));
  }

  /** Rule 4: a release returns the whole hold. */
  private Decision decideRelease(Operation.Release op, Instant now) {
    Reservation reservation = reservations.get(op.reservationId());
    if (reservation == null) return notOpen(op.reservationId());
    return Decision.Persist.of(
        new ReservationReleased(op.requestId(), op.fingerprint(), op.reservationId(), reservation.held(),
            reservation.labels(), reservation.apiKeyId(), now));
  }

  private Decision decideCharge(Operation.Charge op, Instant now, Terms terms, Plan inForce, RateGate gate) {
    Cost cost = priced(op.amount(), op.usage(), terms, inForce);
    Optional<Decision> refused =
        beyondAvailable(cost.amount(), now).or(() -> rateLimited(inForce, cost.amount(), false, now, gate));
    if (refused.isPresent()) return refused.get();
    return Decision.Persist.of(new CreditsCharged(
        op.requestId(), op.fingerprint(), cost.amount(), grants.drawsFor(cost.amount(), now), op.labels(), op.apiKeyId(),
        op.usage(), cost, now));
  }

  private static Cost priced(long amount, Usage usage, Terms terms, Plan inForce) {
    return usage != null ? terms.prices().cost(usage, inForce.priceMultiplierPermille()) : Cost.plain(amount);
  }

  /** Rule 1: a spend goes ahead only if {@code amount ≤ available}; otherwise it is refused and nothing changes. */
  private Optional<Decision> beyondAvailable(long amount, Instant now) {
    long available = availableAt(now);
    return amount > available ? Optional.of(Refuse.creditsExhausted(amount, available)) : Optional.empty();
  }

  /**
   * Rate limiting, checked after the balance: the plan's concurrent open reservations (only for a
   * spend that opens one), then the per-minute buckets, which take the request only if it passes.
   */
  private Optional<Decision> rateLimited(Plan inForce, long amount, boolean opensReservation, Instant now, RateGate gate) {
    int planLimit = inForce.limits().concurrentReservations();
    int concurrent = planLimit > 0 ? Math.min(planLimit, Holds.MAX_OPEN) : Holds.MAX_OPEN;
    if (opensReservation && reservations.size() >= concurrent) {
      Instant firstToExpire = reservations.firstExpiry().orElse(now);
      return Optional.of(Refuse.rateLimited(new Throttled("concurrent_reservations", Duration.between(now, firstToExpire))));
    }
    return gate.admit(inForce.limits(), amount, now).map(Refuse::rateLimited);
  }

  /** Rule 5: a reservation that is not open was never made, or was resolved already. */
  private Decision notOpen(String reservationId) {
    return Refuse.unknownOrResolved(reservationId, memory.resolution(reservationId));
  }

  /**
   * What falls due by {@code now}, earliest first and one moment at a time: the holds and grants
   * that expired up to the period's end (rules 4 and 7) and the grants' expiry notices due by then,
   * or else the period's close and the next one's opening with its allocation (rule 8). Empty when
   * nothing is due.
   */
  @Override
  public List<OrgEvent> nextDue(Instant now, Terms terms, Duration expiryNotice) {
    Instant until = period.end().isAfter(now) ? now : period.end();
    List<ReservationExpired> holds = reservations.expiriesBy(until);
    List<GrantExpired> grantsExpired = grants.expiriesBy(until);
    List<GrantExpiringSoon> notices = grants.expiryNoticesBy(until, expiryNotice);
    if (holds.isEmpty() && grantsExpired.isEmpty() && notices.isEmpty()) {
      // what nearly every operation finds: nothing due, unless the period ended
      return period.end().isAfter(now) ? List.of() : subscription.rollover(period, terms);
    }
    List<OrgEvent> expiries = new ArrayList<>(holds.size() + grantsExpired.size() + notices.size());
    expiries.addAll(holds);
    expiries.addAll(grantsExpired);
    expiries.addAll(notices);
    expiries.sort(Comparator.comparing(OrgEvent::at));
    return expiries;
  }

  /** Rule 2: debt is paid off from credits that no hold needs, as soon as there are some. */
  @Override
  public List<OrgEvent> debtSettlement(Instant now) {
    if (debt == 0) return List.of();
    long free = grants.remainingAt(now) - held();
    long settled = Math.min(debt, free);
    if (settled <= 0) return List.of();
    return List.of(new DebtSettled(settled, grants.drawsFor(settled, now), now));
  }

  @Override
  public List<OrgEvent> alertsDue(List<OrgEvent> written, Instant now, Terms terms) {
    return period.alertsDue(written, termsUnder(terms), availableAt(now), now);
  }

  /**
   * DEPLETED when credits leaving for good (a charge, or a grant expiring or voided) leave nothing
   * available, so that every reserve is refused; RESUMED when, after that, credits are available
   * again, whatever made them so (a grant, a grant taking effect, a hold released). They alternate,
   * so neither is raised twice in a row.
   */
  @Override
  public List<OrgEvent> depletionDue(List<OrgEvent> written, Instant now) {
    // Most operations (a reserve, a release) neither take credits nor find the org depleted: no sum.
    if (!depleted && !anyTakesCredits(written)) return List.of();
    long available = availableAt(now);
    if (depleted == available > 0) {
      AlertKind kind = depleted ? AlertKind.RESUMED : AlertKind.DEPLETED;
      return List.of(new AlertRaised(kind, 0, period.start(), period.charged(), available, now));
    }
    return List.of();
  }

  private static boolean anyTakesCredits(List<OrgEvent> events) {
    for (OrgEvent event : events) {
      if (takesCredits(event)) return true;
    }
    return false;
  }

  private static boolean takesCredits(OrgEvent event) {
    return event instanceof ReservationCommitted || event instanceof CreditsCharged || event instanceof GrantExpired
        || event instanceof GrantVoided;
  }

  // ---- applying

  @Override
  public OpenAccount apply(OrgEvent event, Retention retention) {
    if (event instanceof CreditsReserved e) {
      Reservation reservation = new Reservation(e.reservationId(), e.amount(), e.expiresAt(), e.labels(), e.apiKeyId());
      return withHolds(reservations.opening(reservation))
          .remembering(e, new Outcome.Reserved(e.reservationId(), e.amount(), e.expiresAt()), retention);
    }
    if (event instanceof ReservationCommitted e) {
      long released = Math.max(0, e.held() - e.charged());
      return closing(e.reservationId(), How.COMMITTED, e.at(), retention)
          .drawing(e.draws(), e.debtIncurred(), e.at())
          .withPeriod(period.charging(e.charged(), e.usage(), e.labels()))
          .remembering(e, new Outcome.Committed(e.charged(), released, e.debtIncurred(), e.draws(), e.cost()), retention);
    }
    if (event instanceof ReservationReleased e) {
      return closing(e.reservationId(), How.RELEASED, e.at(), retention)
          .remembering(e, new Outcome.Released(e.released()), retention);
    }
    if (event instanceof ReservationExpired e) return closing(e.reservationId(), How.EXPIRED, e.at(), retention);
    if (event instanceof ReservationExtended e) {
      Holds extended = reservations.extending(e.reservationId(), e.additional(), e.expiresAt());
      Reservation reservation = extended.get(e.reservationId());
      return withHolds(extended)
          .remembering(e, new Outcome.Extended(reservation.held(), reservation.expiresAt()), retention);
    }
    if (event instanceof CreditsCharged e) {
      return drawing(e.draws(), 0, e.at())
          .withPeriod(period.charging(e.charged(), e.usage(), e.labels()))
          .remembering(e, new Outcome.Charged(e.charged(), e.draws(), e.cost()), retention);
    }
    if (event instanceof CreditsGranted e) {
      Grants granted = grants.granting(e);
      return withGrants(granted).withPeriod(period.crediting(e.amount())).remembering(e, new Outcome.Granted(granted.get(e.grantId())), retention);
    }
    if (event instanceof GrantVoided e) {
      return withGrants(grants.ending(e.grantId(), GrantLine.State.VOIDED, e.at()))
          .remembering(e, new Outcome.Voided(e.voided()), retention);
    }
    if (event instanceof GrantExpired e) return withGrants(grants.ending(e.grantId(), GrantLine.State.EXPIRED, e.at()));
    if (event instanceof OrgEvent.GrantExpiringSoon e) return withGrants(grants.noticing(e.grantId()));
    if (event instanceof DebtSettled e) return drawing(e.draws(), -e.settled(), e.at()).withMemory(settledAtOnce(e));
    if (event instanceof PeriodOpened e) return withPeriod(Period.opened(e, availableAt(e.at())));
    if (event instanceof PeriodClosed) return this;
    if (event instanceof OrgEvent.RewardEarned e) {
      return withReferral(referral.applying(e)).remembering(e, new Outcome.Rewarded(e.reward()), retention);
    }
    if (event instanceof OrgEvent.ReferralCodeIssued || event instanceof OrgEvent.RewardsTransferred) {
      return withReferral(referral.applying(event));
    }
    if (event instanceof OrgEvent.CreditRequestDecided || event instanceof OrgEvent.ApiKeyCreated
        || event instanceof OrgEvent.ApiKeyRevoked) {
      return remembering((OrgEvent.Requested) event, new Outcome.Recorded(event.at()), retention);
    }
    if (event instanceof AlertRaised e && e.kind() == AlertKind.DEPLETED) return withDepleted(true);
    if (event instanceof AlertRaised e && e.kind() == AlertKind.RESUMED) return withDepleted(false);
    if (event instanceof AlertRaised e && e.kind() == AlertKind.WEBHOOK_ENDPOINT_DISABLED) return this;
    if (event instanceof AlertRaised e) return withPeriod(period.raising(e));
    if (event instanceof AllocationRaised e) return withPeriod(period.raised(e));
    if (event instanceof PlanChanged e) {
      return withSubscription(subscription.changedTo(e.plan())).remembering(e, new Outcome.TermsSet(e.plan()), retention);
    }
    if (event instanceof PlanChangeScheduled e) {
      return withSubscription(subscription.scheduling(e.plan())).remembering(e, new Outcome.TermsSet(plan()), retention);
    }
    if (event instanceof OverridesSet e) {
      return withSubscription(subscription.overriddenBy(e.overrides())).remembering(e, new Outcome.TermsSet(plan()), retention);
    }
    throw new IllegalStateException("org " + orgId + " is already created: " + event);
  }

  private OpenAccount closing(String reservationId, How how, Instant at, Retention retention) {
    Reservation reservation = reservations.get(reservationId);
    // Keyed by the hold's own id string, the one its Reserved outcome keeps too, not the event's
    // copy: one string fewer per reservation in memory.
    return withHolds(reservations.minus(reservationId))
        .withMemory(memory.resolve(reservation.reservationId(), new Resolution(how, at), retention));
  }

  /** Takes the drawn credits off their grants at {@code at} and moves debt by {@code debtChange}. */
  private OpenAccount drawing(List<Draw> draws, long debtChange, Instant at) {
    return withGrants(grants.drawing(draws, at)).withDebt(Math.addExact(debt, debtChange));
  }

  /**
   * A grant that paid off debt the moment it arrived (the settlement follows its grant in the same
   * step) answers its request, and that request's retries, with what the settlement left of it. Its
   * remembered answer is replaced only while it is that step's: the same instant, and the grant
   * as it was just before this draw; a later settlement from an older grant changes no answer.
   */
  private RequestMemory settledAtOnce(DebtSettled e) {
    RequestMemory answered = memory;
    for (Draw draw : e.draws()) {
      Grant before = grants.get(draw.grantId());
      if (before == null || before.requestId() == null) continue;
      Remembered remembered = answered.request(before.requestId());
      if (remembered != null && remembered.at().equals(e.at())
          && remembered.result() instanceof Outcome.Granted granted && granted.grant().equals(before)) {
        answered = answered.replacing(before.requestId(),
            new Remembered(remembered.fingerprint(), new Outcome.Granted(before.less(draw.amount())), remembered.at()));
      }
    }
    return answered;
  }

  /** Remembers a request's result for retries (rule 6); what the account did on its own has no request. */
  private OpenAccount remembering(OrgEvent.Requested event, Result result, Retention retention) {
    if (event.requestId().isEmpty()) return this;
    return withMemory(
        memory.remember(event.requestId(), Remembered.of(event.fingerprint(), result, event.at()), retention));
  }

  private OpenAccount withSubscription(Subscription next) {
    return new OpenAccount(orgId, displayName, createdAt, next, grants, reservations, debt, period, memory, referral, depleted);
  }

  private OpenAccount withGrants(Grants next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, next, reservations, debt, period, memory, referral, depleted);
  }

  private OpenAccount withHolds(Holds next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, grants, next, debt, period, memory, referral, depleted);
  }

  private OpenAccount withDebt(long next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, grants, reservations, next, period, memory, referral, depleted);
  }

  private OpenAccount withPeriod(Period next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, grants, reservations, debt, next, memory, referral, depleted);
  }

  private OpenAccount withMemory(RequestMemory next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, grants, reservations, debt, period, next, referral, depleted);
  }

  private OpenAccount withReferral(Referral next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, grants, reservations, debt, period, memory, next, depleted);
  }

  private OpenAccount withDepleted(boolean next) {
    return new OpenAccount(orgId, displayName, createdAt, subscription, grants, reservations, debt, period, memory, referral, next);
  }
}
