package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.OrgEvent.OrgCreated;
import dev.tally.node.account.Outcome.BalanceView;
import dev.tally.node.account.Outcome.Result;
import dev.tally.node.account.RequestMemory.Remembered;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.Terms;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An org's account as its events made it. Decisions live here and are pure: given the state, an
 * operation and the time, they say which events to persist; {@link #apply} only applies them.
 */
public sealed interface AccountState permits AccountState.Unopened, OpenAccount {

  /** No org with this id was created yet: only {@code CreateOrg} is accepted, and nothing else falls due. */
  record Unopened() implements AccountState, CborSerializable {

    private static final BalanceView NOTHING = new BalanceView(0, 0, 0, 0, 0);

    @Override
    public Decision decide(Operation operation, Instant now, Terms terms, RateGate gate, ReservationIds ids) {
      if (operation instanceof Operation.CreateOrg create) {
        OrgCreated created = new OrgCreated(
            create.requestId(), create.orgId(), create.displayName(), create.plan(), now, create.referredBy());
        return new Decision.Persist(opening(created, terms.plans().planOrDefault(create.plan())));
      }
      return Decision.Refuse.orgNotFound();
    }

    /** What a new org on {@code plan} starts with: its trial credits and its first period with its allocation. */
    private static List<OrgEvent> opening(OrgCreated created, Plan plan) {
      List<OrgEvent> events = new ArrayList<>(List.of(created));
      Instant now = created.at();
      if (plan.trialCredits() > 0) {
        Instant expiresAt = plan.trialDays() > 0 ? now.plus(Duration.ofDays(plan.trialDays())) : null;
        events.add(Grants.issued("trial", GrantKind.TRIAL, plan.trialCredits(), now, expiresAt));
      }
      events.addAll(Period.monthOf(now, plan.monthlyAllocation()).opening(plan, now));
      return events;
    }

    @Override
    public AccountState apply(OrgEvent event, Retention retention) {
      if (event instanceof OrgCreated created) return OpenAccount.created(created);
      throw new IllegalStateException("an unopened account can only be created, not " + event);
    }

    @Override
    public BalanceView balanceAt(Instant now) {
      return NOTHING;
    }

    @Override
    public RequestMemory memory() {
      return RequestMemory.EMPTY;
    }

    @Override
    public Result resultOf(Operation operation) {
      throw new IllegalStateException("an unopened account has decided nothing that could have a result");
    }

    @Override
    public Optional<Instant> nextDeadline(Instant now, Duration expiryNotice) {
      return Optional.empty();
    }

    @Override
    public List<OrgEvent> nextDue(Instant now, Terms terms, Duration expiryNotice) {
      return List.of();
    }

    @Override
    public List<OrgEvent> debtSettlement(Instant now) {
      return List.of();
    }

    @Override
    public List<OrgEvent> alertsDue(List<OrgEvent> written, Instant now, Terms terms) {
      return List.of();
    }

    @Override
    public List<OrgEvent> depletionDue(List<OrgEvent> written, Instant now) {
      return List.of();
    }
  }

  /** The events a batch of operations produced, one outcome per operation, and the state after them. */
  record Handled(List<OrgEvent> events, List<Outcome> outcomes, AccountState after) {}

  /** {@code ids} names any reservation the operation opens. */
  Decision decide(Operation operation, Instant now, Terms terms, RateGate gate, ReservationIds ids);

  AccountState apply(OrgEvent event, Retention retention);

  BalanceView balanceAt(Instant now);

  /** The requests (and reservation resolutions) the account remembers. */
  RequestMemory memory();

  /** The result of an operation this state has just applied. */
  Result resultOf(Operation operation);

  /** When the account next has something to do on its own, if ever. */
  Optional<Instant> nextDeadline(Instant now, Duration expiryNotice);

  /** What fell due by {@code now}, one moment at a time; empty when nothing is due. */
  List<OrgEvent> nextDue(Instant now, Terms terms, Duration expiryNotice);

  /** Debt paid off from credits that became free. */
  List<OrgEvent> debtSettlement(Instant now);

  /** The alerts that the events {@code written} for one operation raise. */
  List<OrgEvent> alertsDue(List<OrgEvent> written, Instant now, Terms terms);

  /** The account's depletion or resumption after the events {@code written} (one operation's, or what fell due). */
  List<OrgEvent> depletionDue(List<OrgEvent> written, Instant now);

  /**
   * Group commit: decides on each operation in order, each seeing the effects of those before it.
   * What fell due (expiries, period ends, debt settlement) comes first, so nothing is decided on a
   * stale balance; alerts follow the charges that cross their thresholds, and a depletion or
   * resumption comes last, once the balance of the operation (or of what fell due) is settled.
   */
  static Handled handle(
      AccountState state,
      List<Operation> operations,
      Instant now,
      AccountSettings settings,
      RateGate gate,
      ReservationIds ids) {
    return handle(state, operations, now, settings, gate, ids, Map.of());
  }

  /**
   * As above, with {@code recalled}: requests of the batch that {@code state} no longer remembers,
   * read back from {@link RequestOutcomeTable}. A request {@code state} remembered is answered from
   * that memory even when an earlier operation of the batch pushed it out.
   */
  static Handled handle(
      AccountState state,
      List<Operation> operations,
      Instant now,
      AccountSettings settings,
      RateGate gate,
      ReservationIds ids,
      Map<String, Remembered> recalled) {
    Retention retention = settings.retention();
    Terms terms = settings.terms();
    List<OrgEvent> events = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>(operations.size());
    AccountState current = settleDue(state, now, settings, events);
    current = applyAll(current, current.depletionDue(events, now), retention, events);
    for (Operation operation : operations) {
      List<OrgEvent> written = new ArrayList<>();
      try {
        Remembered earlier = earlier(operation, state, current, recalled);
        Decision decision = earlier != null
            ? earlier.answer((Operation.Requested) operation)
            : current.decide(operation, now, terms, gate, ids);
        if (decision instanceof Decision.Persist persist) {
          AccountState next = applyAll(current, persist.events(), retention, written);
          next = applyAll(next, next.alertsDue(persist.events(), now, terms), retention, written);
          next = settleDue(next, now, settings, written);
          next = applyAll(next, next.depletionDue(written, now), retention, written);
          outcomes.add(new Outcome.Done(next.resultOf(operation), next.balanceAt(now)));
          current = next;
          events.addAll(written);
        } else if (decision instanceof Decision.Answer answer) {
          outcomes.add(new Outcome.Done(answer.result(), current.balanceAt(now)));
        } else {
          Decision.Refuse refusal = (Decision.Refuse) decision;
          outcomes.add(new Outcome.Rejected(refusal.reason(), refusal.message(), refusal.facts()));
        }
      } catch (RuntimeException bug) {
        // A bug in one operation fails that operation alone: nothing of it is written, the batch and the org go on.
        outcomes.add(new Outcome.Failed(operation.getClass().getSimpleName() + ": " + bug));
      }
    }
    return new Handled(events, outcomes, current);
  }

  /** What a request's id was first used for, as far as the batch knows it; null for a new request. */
  private static Remembered earlier(
      Operation operation, AccountState before, AccountState current, Map<String, Remembered> recalled) {
    if (!(operation instanceof Operation.Requested requested)) return null;
    String requestId = requested.requestId();
    Remembered earlier = current.memory().request(requestId);
    if (earlier == null) earlier = before.memory().request(requestId);
    return earlier != null ? earlier : recalled.get(requestId);
  }

  private static AccountState settleDue(AccountState state, Instant now, AccountSettings settings, List<OrgEvent> events) {
    AccountState current = state;
    for (List<OrgEvent> due = current.nextDue(now, settings.terms(), settings.expiryNotice());
        !due.isEmpty();
        due = current.nextDue(now, settings.terms(), settings.expiryNotice())) {
      current = applyAll(current, due, settings.retention(), events);
    }
    return applyAll(current, current.debtSettlement(now), settings.retention(), events);
  }

  private static AccountState applyAll(
      AccountState state, List<OrgEvent> toApply, Retention retention, List<OrgEvent> events) {
    for (OrgEvent event : toApply) {
      state = state.apply(event, retention);
      events.add(event);
    }
    return state;
  }
}
