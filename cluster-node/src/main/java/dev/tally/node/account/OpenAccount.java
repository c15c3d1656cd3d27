package dev.tally.node.account;

import dev.tally.node.account.AccountState.Decision;
import dev.tally.node.account.OrgEvent.AlertKind;
import dev.tally.node.account.OrgEvent.AlertRaised;
import dev.tally.node.account.OrgEvent.CreditsCharged;
import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.CreditsReserved;
import dev.tally.node.account.OrgEvent.DebtSettled;
import dev.tally.node.account.OrgEvent.GrantExpired;
import dev.tally.node.account.OrgEvent.GrantVoided;
import dev.tally.node.account.OrgEvent.OrgCreated;
import dev.tally.node.account.OrgEvent.OverridesSet;
import dev.tally.node.account.OrgEvent.PeriodClosed;
import dev.tally.node.account.OrgEvent.PeriodOpened;
import dev.tally.node.account.OrgEvent.PlanChanged;
import dev.tally.node.account.OrgEvent.ReservationCommitted;
import dev.tally.node.account.OrgEvent.ReservationExpired;
import dev.tally.node.account.OrgEvent.ReservationExtended;
import dev.tally.node.account.OrgEvent.ReservationReleased;
import dev.tally.node.account.Outcome.Rejection;
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
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * An org's open account: its plan and overrides, grants, open reservations, debt, the current
 * billing period and the memory of recent requests. {@code held} is the sum of the open
 * reservations' holds, kept so a balance costs no scan.
 */
public record OpenAccount(
    String orgId,
    String displayName,
    Instant createdAt,
    String plan,
    Overrides overrides,
    PMap<String, Grant> grants,
    Holds reservations,
    long held,
    long debt,
    long grantsGiven,
    long reservationsMade,
    Period period,
    RequestMemory memory)
    implements AccountState {

  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM").withZone(ZoneOffset.UTC);

  static OpenAccount created(OrgCreated event) {
    return new OpenAccount(
        event.orgId(), event.displayName(), event.at(), event.plan(), Overrides.NONE, HashTreePMap.empty(),
        Holds.NONE, 0, 0, 0, 0, Period.monthOf(event.at(), 0), RequestMemory.EMPTY);
  }

  /** What a new org on {@code plan} starts with: its trial credits and its first period with its allocation. */
  static List<OrgEvent> opening(OrgCreated created, Plan plan) {
    List<OrgEvent> events = new ArrayList<>(List.of(created));
    Instant now = created.at();
    if (plan.trialCredits() > 0) {
      Instant expiresAt = plan.trialDays() > 0 ? now.plus(Duration.ofDays(plan.trialDays())) : null;
      events.add(issued("trial", GrantKind.TRIAL, plan.trialCredits(), now, expiresAt));
    }
    events.addAll(periodOpening(Period.monthOf(now, plan.monthlyAllocation()), plan, now));
    return events;
  }

  private static List<OrgEvent> periodOpening(Period period, Plan plan, Instant at) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new PeriodOpened(period.start(), period.end(), period.allocation(), at));
    if (period.allocation() > 0) {
      // Rule 8: rollover is grant expiry — 0 months: gone at this period's end; n: n period-ends later.
      events.add(issued("allocation-" + MONTH.format(period.start()), GrantKind.SUBSCRIPTION, period.allocation(),
          period.start(), period.endPlusMonths(plan.rolloverMonths())));
    }
    return events;
  }

  private static CreditsGranted issued(String grantId, GrantKind kind, long amount, Instant at, Instant expiresAt) {
    return new CreditsGranted("", "", grantId, kind, amount, kind.defaultPriority(), at, expiresAt, at);
  }

  // ---- reading

  /** Rule 1: available = Σ remaining of grants in effect − Σ held − debt. */
  public Outcome.BalanceView balanceAt(Instant now) {
    long granted = grantsInEffect(now).mapToLong(Grant::remaining).sum();
    return new Outcome.BalanceView(granted - held - debt, held, debt, granted, reservations.size());
  }

  public long availableAt(Instant now) {
    return balanceAt(now).available();
  }

  /** Grants with credits left, in draw order (including those not yet in effect). */
  public List<Grant> grantsInDrawOrder() {
    return grants.values().stream().sorted(Grant.DRAW_ORDER).toList();
  }

  /** The plan's terms with the org's overrides in force. */
  public Plan termsUnder(Terms terms) {
    return overrides.applyTo(terms.plans().planOrDefault(plan));
  }

  /**
   * The next moment something falls due on its own: a hold or grant expiry, the end of the billing
   * period, or a grant taking effect that could pay debt.
   */
  public Optional<Instant> nextDeadline() {
    Stream<Instant> reservationExpiries = reservations.firstExpiry().stream();
    Stream<Instant> grantExpiries = grants.values().stream().map(Grant::expiresAt).filter(at -> at != null);
    Stream<Instant> grantsThatCouldPayDebt =
        debt > 0 ? grants.values().stream().map(Grant::effectiveAt) : Stream.empty();
    return Stream.of(reservationExpiries, grantExpiries, grantsThatCouldPayDebt, Stream.of(period.end()))
        .flatMap(s -> s)
        .min(Comparator.naturalOrder());
  }

  Result resultOf(Operation operation) {
    if (operation instanceof Operation.Requested requested) return memory.request(requested.requestId()).result();
    return orgInfo();
  }

  private Outcome.OrgInfo orgInfo() {
    return new Outcome.OrgInfo(orgId, displayName, createdAt, plan);
  }

  private Stream<Grant> grantsInEffect(Instant now) {
    return grants.values().stream().filter(grant -> grant.inEffectAt(now));
  }

  // ---- deciding

  @Override
  public Decision decide(Operation operation, Instant now, Terms terms, RateGate gate) {
    if (operation instanceof Operation.Requested requested) return decideRequested(requested, now, terms, gate);
    if (operation instanceof Operation.GetBalance) {
      return new Decision.Answer(new Outcome.Statement(grantsInDrawOrder(), plan, termsUnder(terms), period));
    }
    if (operation instanceof Operation.CreateOrg create
        && !(create.displayName().equals(displayName) && create.plan().equals(plan))) {
      return refuse(Rejection.ORG_EXISTS, "org " + orgId + " exists with another name or plan");
    }
    return new Decision.Answer(orgInfo());
  }

  private Decision decideRequested(Operation.Requested operation, Instant now, Terms terms, RateGate gate) {
    Remembered earlier = memory.request(operation.requestId());
    if (earlier != null) {
      return earlier.sameContent(operation.fingerprint())
          ? new Decision.Answer(earlier.result())
          : refuse(Rejection.IDEMPOTENCY_MISMATCH, "request id " + operation.requestId() + " was used for another request");
    }
    Plan inForce = termsUnder(terms);
    if (operation instanceof Operation.Reserve reserve) return decideReserve(reserve, now, terms, inForce, gate);
    if (operation instanceof Operation.Commit commit) return decideCommit(commit, now, terms, inForce);
    if (operation instanceof Operation.Release release) return decideRelease(release, now);
    if (operation instanceof Operation.Charge charge) return decideCharge(charge, now, terms, inForce, gate);
    if (operation instanceof Operation.Extend extend) return decideExtend(extend, now);
    if (operation instanceof Operation.GrantCredits grant) return decideGrant(grant, now);
    if (operation instanceof Operation.VoidGrant voidGrant) return decideVoid(voidGrant, now);
    if (operation instanceof Operation.SetPlan setPlan) {
      return persist(new PlanChanged(setPlan.requestId(), setPlan.fingerprint(), setPlan.plan(), now));
    }
    Operation.SetOverrides set = (Operation.SetOverrides) operation;
    return persist(new OverridesSet(set.requestId(), set.fingerprint(), set.overrides(), now));
  }

  private Decision decideGrant(Operation.GrantCredits op, Instant now) {
    if (grants.containsKey(op.grantId())) return refuse(Rejection.GRANT_EXISTS, "grant " + op.grantId() + " exists");
    int priority = op.priority() != null ? op.priority() : op.kind().defaultPriority();
    Instant effectiveAt = op.effectiveAt() != null ? op.effectiveAt() : now;
    return persist(new CreditsGranted(
        op.requestId(), op.fingerprint(), op.grantId(), op.kind(), op.amount(), priority, effectiveAt, op.expiresAt(),
        now));
  }

  private Decision decideVoid(Operation.VoidGrant op, Instant now) {
    Grant grant = grants.get(op.grantId());
    if (grant == null) return refuse(Rejection.GRANT_NOT_FOUND, "no grant " + op.grantId() + " with credits left");
    return persist(new GrantVoided(op.requestId(), op.fingerprint(), op.grantId(), grant.remaining(), op.reason(), now));
  }

  /** Rule 1 and the rate limits, checked in one step: balance first, then concurrency and the buckets. */
  private Decision decideReserve(Operation.Reserve op, Instant now, Terms terms, Plan inForce, RateGate gate) {
    long amount = op.estimate() != null ? terms.prices().cost(op.estimate(), inForce.priceMultiplierPermille()).amount() : op.amount();
    long available = availableAt(now);
    if (amount > available) return creditsExhausted(amount, available);
    int concurrent = inForce.limits().concurrentReservations();
    if (concurrent > 0 && reservations.size() >= concurrent) {
      Instant firstToExpire = reservations.firstExpiry().orElse(now);
      return rateLimited(new Throttled("concurrent_reservations", Duration.between(now, firstToExpire)));
    }
    Optional<Throttled> throttled = gate.admit(inForce.limits(), amount, now);
    if (throttled.isPresent()) return rateLimited(throttled.get());
    String reservationId = "rsv-" + (reservationsMade + 1);
    return persist(new CreditsReserved(
        op.requestId(), op.fingerprint(), reservationId, amount, now.plus(op.ttl()), op.labels(), now));
  }

  private Decision decideExtend(Operation.Extend op, Instant now) {
    Reservation reservation = reservations.get(op.reservationId());
    if (reservation == null) return unknownOrResolved(op.reservationId());
    long available = availableAt(now);
    if (op.additional() > available) return creditsExhausted(op.additional(), available);
    return persist(new ReservationExtended(
        op.requestId(), op.fingerprint(), op.reservationId(), op.additional(), now.plus(op.ttl()), now));
  }

  /** Rule 2: charge the actual usage; the excess over the hold comes from what is available, the rest is debt. */
  private Decision decideCommit(Operation.Commit op, Instant now, Terms terms, Plan inForce) {
    Reservation reservation = reservations.get(op.reservationId());
    if (reservation == null) return unknownOrResolved(op.reservationId());
    Cost cost = priced(op.amount(), op.usage(), terms, inForce);
    long availableOnceReleased = availableAt(now) + reservation.held();
    long covered = Math.max(0, Math.min(cost.amount(), availableOnceReleased));
    return persist(new ReservationCommitted(
        op.requestId(), op.fingerprint(), op.reservationId(), reservation.held(), cost.amount(),
        drawsFor(covered, now), cost.amount() - covered, reservation.labels(), op.usage(), cost, now));
  }

  private Decision decideRelease(Operation.Release op, Instant now) {
    Reservation reservation = reservations.get(op.reservationId());
    if (reservation == null) return unknownOrResolved(op.reservationId());
    return persist(new ReservationReleased(op.requestId(), op.fingerprint(), op.reservationId(), reservation.held(), now));
  }

  private Decision decideCharge(Operation.Charge op, Instant now, Terms terms, Plan inForce, RateGate gate) {
    Cost cost = priced(op.amount(), op.usage(), terms, inForce);
    long available = availableAt(now);
    if (cost.amount() > available) return creditsExhausted(cost.amount(), available);
    Optional<Throttled> throttled = gate.admit(inForce.limits(), cost.amount(), now);
    if (throttled.isPresent()) return rateLimited(throttled.get());
    return persist(new CreditsCharged(
        op.requestId(), op.fingerprint(), cost.amount(), drawsFor(cost.amount(), now), op.labels(), op.usage(), cost,
        now));
  }

  private static Cost priced(long amount, Usage usage, Terms terms, Plan inForce) {
    return usage != null ? terms.prices().cost(usage, inForce.priceMultiplierPermille()) : Cost.plain(amount);
  }

  /**
   * What falls due by {@code now}, earliest first and one moment at a time: the holds and grants
   * that expired up to the period's end (rules 4 and 7), or else the period's close and the next
   * one's opening with its allocation (rule 8). Empty when nothing is due.
   */
  List<OrgEvent> nextDue(Instant now, Terms terms) {
    Instant until = period.end().isAfter(now) ? now : period.end();
    Stream<OrgEvent> reservationsDue = reservations.expiredAt(until).stream()
        .map(reservation -> new ReservationExpired(reservation.reservationId(), reservation.held(), reservation.expiresAt()));
    Stream<OrgEvent> grantsDue = grants.values().stream()
        .filter(grant -> grant.expiredAt(until))
        .map(grant -> new GrantExpired(grant.grantId(), grant.remaining(), grant.expiresAt()));
    List<OrgEvent> expiries = Stream.concat(reservationsDue, grantsDue).sorted(Comparator.comparing(OrgEvent::at)).toList();
    if (!expiries.isEmpty() || period.end().isAfter(now)) return expiries;
    Plan inForce = termsUnder(terms);
    List<OrgEvent> rollover = new ArrayList<>();
    rollover.add(new PeriodClosed(period, period.end()));
    rollover.addAll(periodOpening(period.following(inForce.monthlyAllocation()), inForce, period.end()));
    return rollover;
  }

  /** Debt is paid off from credits that no hold needs, as soon as there are some. */
  List<OrgEvent> debtSettlement(Instant now) {
    if (debt == 0) return List.of();
    long free = balanceAt(now).grantedRemaining() - held;
    long settled = Math.min(debt, free);
    if (settled <= 0) return List.of();
    return List.of(new DebtSettled(settled, drawsFor(settled, now), now));
  }

  /** Rule 9: thresholds of the allocation and the low-balance floor, each once per period, when a charge crosses them. */
  List<OrgEvent> alertsDue(Instant now, Terms terms) {
    Plan inForce = termsUnder(terms);
    long available = availableAt(now);
    List<OrgEvent> alerts = new ArrayList<>();
    if (period.allocation() > 0) {
      for (int percent : inForce.alertThresholdsPercent().stream().sorted().toList()) {
        AlertRaised alert = new AlertRaised(AlertKind.USAGE_THRESHOLD, percent, period.start(), period.charged(), available, now);
        if (!period.raised(alert.key()) && period.charged() * 100 >= period.allocation() * percent) alerts.add(alert);
      }
    }
    AlertRaised low = new AlertRaised(AlertKind.LOW_BALANCE, 0, period.start(), period.charged(), available, now);
    if (inForce.lowBalanceFloor() > 0 && available < inForce.lowBalanceFloor() && !period.raised(low.key())) alerts.add(low);
    return alerts;
  }

  /** Rule 3: takes {@code amount} from the grants in effect in draw order. The caller ensures they hold enough. */
  private List<Draw> drawsFor(long amount, Instant now) {
    List<Draw> draws = new ArrayList<>();
    long left = amount;
    for (Grant grant : grantsInEffect(now).sorted(Grant.DRAW_ORDER).toList()) {
      if (left == 0) break;
      long taken = Math.min(left, grant.remaining());
      if (taken > 0) draws.add(new Draw(grant.grantId(), taken));
      left -= taken;
    }
    if (left != 0) throw new IllegalStateException("grants in effect cannot cover " + amount);
    return draws;
  }

  private Decision unknownOrResolved(String reservationId) {
    Resolution resolution = memory.resolution(reservationId);
    if (resolution == null) return refuse(Rejection.RESERVATION_NOT_FOUND, "no open reservation " + reservationId);
    String how = resolution.how().name().toLowerCase(Locale.ROOT);
    return new Decision.Refuse(
        Rejection.RESERVATION_RESOLVED,
        "reservation " + reservationId + " was already " + how + " at " + resolution.at(),
        Map.of("resolution", how, "resolved_at", resolution.at().toString()));
  }

  private static Decision creditsExhausted(long wanted, long available) {
    return new Decision.Refuse(
        Rejection.CREDITS_EXHAUSTED,
        "needs " + wanted + " µcr but " + available + " µcr are available",
        Map.of("requested", Long.toString(wanted), "available", Long.toString(available)));
  }

  private static Decision rateLimited(Throttled throttled) {
    // Rounded up: a retry after the advertised wait must pass.
    long waitMillis = (throttled.retryAfter().toNanos() + 999_999) / 1_000_000;
    return new Decision.Refuse(
        Rejection.RATE_LIMITED,
        "the org's " + throttled.limit() + " limit is reached; retry in " + waitMillis + " ms",
        Map.of("limit", throttled.limit(), "retry_after_ms", Long.toString(waitMillis)));
  }

  private static Decision refuse(Rejection reason, String message) {
    return new Decision.Refuse(reason, message, Map.of());
  }

  private static Decision persist(OrgEvent event) {
    return new Decision.Persist(List.of(event));
  }

  // ---- applying

  @Override
  public OpenAccount apply(OrgEvent event, Retention retention) {
    if (event instanceof CreditsReserved e) {
      Reservation reservation = new Reservation(e.reservationId(), e.amount(), e.expiresAt(), e.labels());
      return with(grants, reservations.plus(reservation), held + e.amount(), debt, grantsGiven,
              reservationsMade + 1, memory)
          .remembering(e, new Outcome.Reserved(e.reservationId(), e.amount(), e.expiresAt()), retention);
    }
    if (event instanceof ReservationCommitted e) {
      long released = Math.max(0, e.held() - e.charged());
      return closing(e.reservationId(), How.COMMITTED, e.at(), retention)
          .drawing(e.draws(), e.debtIncurred())
          .withPeriod(period.charging(e.charged(), e.usage(), e.labels()))
          .remembering(e, new Outcome.Committed(e.charged(), released, e.debtIncurred(), e.draws(), e.cost()), retention);
    }
    if (event instanceof ReservationReleased e) {
      return closing(e.reservationId(), How.RELEASED, e.at(), retention)
          .remembering(e, new Outcome.Released(e.released()), retention);
    }
    if (event instanceof ReservationExpired e) return closing(e.reservationId(), How.EXPIRED, e.at(), retention);
    if (event instanceof ReservationExtended e) {
      Reservation extended = reservations.get(e.reservationId()).extended(e.additional(), e.expiresAt());
      return with(grants, reservations.plus(extended), held + e.additional(), debt, grantsGiven,
              reservationsMade, memory)
          .remembering(e, new Outcome.Extended(extended.held(), extended.expiresAt()), retention);
    }
    if (event instanceof CreditsCharged e) {
      return drawing(e.draws(), 0)
          .withPeriod(period.charging(e.charged(), e.usage(), e.labels()))
          .remembering(e, new Outcome.Charged(e.charged(), e.draws(), e.cost()), retention);
    }
    if (event instanceof CreditsGranted e) {
      Grant grant = new Grant(
          e.grantId(), e.kind(), e.amount(), e.amount(), e.priority(), e.effectiveAt(), e.expiresAt(), grantsGiven + 1);
      return with(grants.plus(e.grantId(), grant), reservations, held, debt, grantsGiven + 1, reservationsMade, memory)
          .remembering(e, new Outcome.Granted(grant), retention);
    }
    if (event instanceof GrantVoided e) {
      return with(grants.minus(e.grantId()), reservations, held, debt, grantsGiven, reservationsMade, memory)
          .remembering(e, new Outcome.Voided(e.voided()), retention);
    }
    if (event instanceof GrantExpired e) {
      return with(grants.minus(e.grantId()), reservations, held, debt, grantsGiven, reservationsMade, memory);
    }
    if (event instanceof DebtSettled e) return drawing(e.draws(), -e.settled());
    if (event instanceof PeriodOpened e) {
      return withPeriod(new Period(e.start(), e.end(), e.allocation(), 0, 0, Map.of(), Map.of(), Map.of(), List.of()));
    }
    if (event instanceof PeriodClosed) return this;
    if (event instanceof AlertRaised e) return withPeriod(period.raising(e.key()));
    if (event instanceof PlanChanged e) {
      return new OpenAccount(orgId, displayName, createdAt, e.plan(), overrides, grants, reservations, held, debt,
          grantsGiven, reservationsMade, period, memory).remembering(e, new Outcome.TermsSet(e.plan()), retention);
    }
    if (event instanceof OverridesSet e) {
      return new OpenAccount(orgId, displayName, createdAt, plan, e.overrides(), grants, reservations, held, debt,
          grantsGiven, reservationsMade, period, memory).remembering(e, new Outcome.TermsSet(plan), retention);
    }
    throw new IllegalStateException("org " + orgId + " is already created: " + event);
  }

  private OpenAccount closing(String reservationId, How how, Instant at, Retention retention) {
    Reservation reservation = reservations.get(reservationId);
    // Keyed by the hold's own id string, the one its Reserved outcome keeps too, not the event's
    // copy: one string fewer per reservation in memory.
    return with(grants, reservations.minus(reservationId), held - reservation.held(), debt, grantsGiven,
        reservationsMade, memory.resolve(reservation.reservationId(), new Resolution(how, at), retention));
  }

  /** Takes the drawn credits off their grants (dropping emptied grants) and moves debt by {@code debtChange}. */
  private OpenAccount drawing(List<Draw> draws, long debtChange) {
    PMap<String, Grant> drawn = grants;
    for (Draw draw : draws) {
      Grant grant = drawn.get(draw.grantId()).less(draw.amount());
      drawn = grant.remaining() == 0 ? drawn.minus(grant.grantId()) : drawn.plus(grant.grantId(), grant);
    }
    return with(drawn, reservations, held, debt + debtChange, grantsGiven, reservationsMade, memory);
  }

  /** Remembers a request's result for retries (rule 6); what the account did on its own has no request. */
  private OpenAccount remembering(OrgEvent.Requested event, Result result, Retention retention) {
    if (event.requestId().isEmpty()) return this;
    RequestMemory remembered =
        memory.remember(event.requestId(), Remembered.of(event.fingerprint(), result, event.at()), retention);
    return with(grants, reservations, held, debt, grantsGiven, reservationsMade, remembered);
  }

  private OpenAccount withPeriod(Period next) {
    return new OpenAccount(orgId, displayName, createdAt, plan, overrides, grants, reservations, held, debt,
        grantsGiven, reservationsMade, next, memory);
  }

  private OpenAccount with(
      PMap<String, Grant> grants,
      Holds reservations,
      long held,
      long debt,
      long grantsGiven,
      long reservationsMade,
      RequestMemory memory) {
    return new OpenAccount(orgId, displayName, createdAt, plan, overrides, grants, reservations, held, debt,
        grantsGiven, reservationsMade, period, memory);
  }
}
