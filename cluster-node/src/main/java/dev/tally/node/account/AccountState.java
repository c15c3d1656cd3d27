package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.account.Outcome.Result;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Terms;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An org's account as its events made it. Decisions live here and are pure: given the state, an
 * operation and the time, they say which events to persist; {@link #apply} only applies them.
 */
public sealed interface AccountState permits AccountState.Unopened, OpenAccount {

  /** No org with this id was created yet: only {@code CreateOrg} is accepted. */
  record Unopened() implements AccountState, CborSerializable {
    @Override
    public Decision decide(Operation operation, Instant now, Terms terms, RateGate gate) {
      if (operation instanceof Operation.CreateOrg create) {
        OrgEvent.OrgCreated created = new OrgEvent.OrgCreated(create.orgId(), create.displayName(), create.plan(), now);
        return new Decision.Persist(OpenAccount.opening(created, terms.plans().planOrDefault(create.plan())));
      }
      return new Decision.Refuse(Rejection.ORG_NOT_FOUND, "no org with this id exists", Map.of());
    }

    @Override
    public AccountState apply(OrgEvent event, Retention retention) {
      if (event instanceof OrgEvent.OrgCreated created) return OpenAccount.created(created);
      throw new IllegalStateException("an unopened account can only be created, not " + event);
    }
  }

  /** What deciding on one operation gave: events to persist, an answer without change, or a refusal. */
  sealed interface Decision {
    record Persist(List<OrgEvent> events) implements Decision {}

    record Answer(Result result) implements Decision {}

    record Refuse(Rejection reason, String message, Map<String, String> facts) implements Decision {}
  }

  /** The events a batch of operations produced, one outcome per operation, and the state after them. */
  record Handled(List<OrgEvent> events, List<Outcome> outcomes, AccountState after) {}

  Decision decide(Operation operation, Instant now, Terms terms, RateGate gate);

  AccountState apply(OrgEvent event, Retention retention);

  /**
   * Group commit: decides on each operation in order, each seeing the effects of those before it.
   * What fell due (expiries, period ends, debt settlement) comes first, so nothing is decided on a
   * stale balance; alerts follow the charges that cross their thresholds.
   */
  static Handled handle(
      AccountState state, List<Operation> operations, Instant now, AccountSettings settings, RateGate gate) {
    Retention retention = settings.retention();
    List<OrgEvent> events = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>(operations.size());
    AccountState current = settleDue(state, now, settings, events);
    for (Operation operation : operations) {
      Decision decision = current.decide(operation, now, settings.terms(), gate);
      if (decision instanceof Decision.Persist persist) {
        current = applyAll(current, persist.events(), retention, events);
        if (persist.events().stream().anyMatch(AccountState::charges)) {
          current = applyAll(current, ((OpenAccount) current).alertsDue(now, settings.terms()), retention, events);
        }
        current = settleDue(current, now, settings, events);
        OpenAccount account = (OpenAccount) current;
        outcomes.add(new Outcome.Done(account.resultOf(operation), account.balanceAt(now)));
      } else if (decision instanceof Decision.Answer answer) {
        outcomes.add(new Outcome.Done(answer.result(), ((OpenAccount) current).balanceAt(now)));
      } else {
        Decision.Refuse refusal = (Decision.Refuse) decision;
        outcomes.add(new Outcome.Rejected(refusal.reason(), refusal.message(), refusal.facts()));
      }
    }
    return new Handled(events, outcomes, current);
  }

  private static boolean charges(OrgEvent event) {
    return event instanceof OrgEvent.ReservationCommitted || event instanceof OrgEvent.CreditsCharged;
  }

  private static AccountState settleDue(AccountState state, Instant now, AccountSettings settings, List<OrgEvent> events) {
    if (!(state instanceof OpenAccount)) return state;
    AccountState current = state;
    for (List<OrgEvent> due = ((OpenAccount) current).nextDue(now, settings.terms());
        !due.isEmpty();
        due = ((OpenAccount) current).nextDue(now, settings.terms())) {
      current = applyAll(current, due, settings.retention(), events);
    }
    return applyAll(current, ((OpenAccount) current).debtSettlement(now), settings.retention(), events);
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
