package dev.tally.node.account;

import dev.tally.node.account.OrgEvent.OverridesSet;
import dev.tally.node.account.OrgEvent.PlanChangeScheduled;
import dev.tally.node.account.OrgEvent.PlanChanged;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.Terms;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The terms an org is on: its plan, its own overrides, and a plan it moves to at the period's end
 * ({@code nextPlan}, null when none). It decides how a change of terms takes effect:
 *
 * <ul>
 *   <li>A plan whose monthly allocation (with the org's overrides) is below the current plan's is a
 *       <b>downgrade</b>: scheduled for the end of the period, until which the org keeps its plan,
 *       limits and multiplier. Nothing already granted is taken back.
 *   <li>Any other plan applies at once. When its allocation is above what the period runs at, it is
 *       an <b>upgrade</b>: the difference, prorated by the time left, is granted at once
 *       ({@link Period#upgradedTo}).
 *   <li>Every plan change replaces a scheduled one: a second downgrade replaces the first, and a
 *       change back to the current plan cancels it.
 *   <li>New overrides apply at once; an own allocation above what the period runs at is granted
 *       like an upgrade, a lower one applies from the next period.
 * </ul>
 */
public record Subscription(String plan, Overrides overrides, String nextPlan) {

  static Subscription on(String plan) {
    return new Subscription(plan, Overrides.NONE, null);
  }

  /** The plan's terms with the org's overrides in force. */
  Plan termsUnder(Terms terms) {
    return overrides.applyTo(terms.plans().planOrDefault(plan));
  }

  /** The terms the next period opens under: the scheduled plan's, or else the current one's. */
  Plan nextTermsUnder(Terms terms) {
    return overrides.applyTo(terms.plans().planOrDefault(nextPlan != null ? nextPlan : plan));
  }

  Decision change(Operation.SetPlan op, Period period, int grantsHeld, Terms terms, Instant now) {
    Plan requested = overrides.applyTo(terms.plans().planOrDefault(op.plan()));
    if (requested.monthlyAllocation() < termsUnder(terms).monthlyAllocation()) {
      return Decision.Persist.of(new PlanChangeScheduled(op.requestId(), op.fingerprint(), op.plan(), period.end(), now));
    }
    List<OrgEvent> events = new ArrayList<>();
    events.add(new PlanChanged(op.requestId(), op.fingerprint(), op.plan(), now));
    events.addAll(period.upgradedTo(requested, now));
    return withinGrantBound(events, grantsHeld);
  }

  Decision override(Operation.SetOverrides op, Period period, int grantsHeld, Terms terms, Instant now) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new OverridesSet(op.requestId(), op.fingerprint(), op.overrides(), now));
    events.addAll(period.upgradedTo(op.overrides().applyTo(terms.plans().planOrDefault(plan)), now));
    return withinGrantBound(events, grantsHeld);
  }

  /** An upgrade's grant counts against the grants an org may hold, like any grant given on request. */
  private static Decision withinGrantBound(List<OrgEvent> events, int grantsHeld) {
    boolean grants = events.stream().anyMatch(e -> e instanceof OrgEvent.CreditsGranted);
    if (grants && grantsHeld >= Grants.MAX_GIVEN_AND_LEFT) {
      return Decision.Refuse.accountLimit("grants", Grants.MAX_GIVEN_AND_LEFT);
    }
    return new Decision.Persist(events);
  }

  /** Rule 8 with scheduled changes: the period closes, a scheduled plan takes over, the next period opens under it. */
  List<OrgEvent> rollover(Period period, Terms terms) {
    List<OrgEvent> atTheEnd = nextPlan == null ? List.of() : List.of(new PlanChanged("", "", nextPlan, period.end()));
    return period.rollover(atTheEnd, nextTermsUnder(terms));
  }

  // ---- applying

  /** On {@code next} from now; whatever was scheduled is off. */
  Subscription changedTo(String next) {
    return new Subscription(next, overrides, null);
  }

  Subscription scheduling(String next) {
    return new Subscription(plan, overrides, next);
  }

  Subscription overriddenBy(Overrides next) {
    return new Subscription(plan, next, nextPlan);
  }
}
