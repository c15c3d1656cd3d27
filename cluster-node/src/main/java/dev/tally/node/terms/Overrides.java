package dev.tally.node.terms;

import dev.tally.node.CborSerializable;
import java.util.List;

/**
 * An org's own terms (custom enterprise terms), set by an operator: limits, price multiplier,
 * alerts, and its own monthly allocation and rollover. A null field, or an empty threshold list,
 * falls back to the plan. An own allocation replaces the allocation of whatever plan the org is on.
 * {@code monthlyAllocation} and {@code rolloverMonths} are null in overrides stored before they
 * existed: the plan's.
 */
public record Overrides(
    Long requestsPerMinute,
    Long creditsPerMinute,
    Integer concurrentReservations,
    Integer priceMultiplierPermille,
    List<Integer> alertThresholdsPercent,
    Long lowBalanceFloor,
    Long monthlyAllocation,
    Integer rolloverMonths)
    implements CborSerializable {

  public static final Overrides NONE = new Overrides(null, null, null, null, List.of(), null, null, null);

  /** The most alert thresholds an org may set: each is remembered per period once raised. */
  public static final int MAX_ALERT_THRESHOLDS = 10;

  /**
   * The largest monthly allocation, of a plan or an org's own: a billion credits, the API's largest
   * single amount, so an allocation and its upgrades stay among the grants whose sum fits a long.
   */
  public static final long MAX_MONTHLY_ALLOCATION = dev.tally.v1.Credits.of(1_000_000_000);

  /** The longest rollover, of a plan or an org's own: ten years of periods. */
  public static final int MAX_ROLLOVER_MONTHS = 120;

  /** Whether they set an allocation or rollover of the org's own. */
  public boolean hasOwnAllocationTerms() {
    return monthlyAllocation != null || rolloverMonths != null;
  }

  /** The plan's terms with these overrides in force. */
  public Plan applyTo(Plan plan) {
    Limits limits = plan.limits();
    return new Plan(
        plan.name(),
        plan.trialCredits(),
        plan.trialDays(),
        monthlyAllocation != null ? monthlyAllocation : plan.monthlyAllocation(),
        rolloverMonths != null ? rolloverMonths : plan.rolloverMonths(),
        new Limits(
            requestsPerMinute != null ? requestsPerMinute : limits.requestsPerMinute(),
            creditsPerMinute != null ? creditsPerMinute : limits.creditsPerMinute(),
            concurrentReservations != null ? concurrentReservations : limits.concurrentReservations()),
        priceMultiplierPermille != null ? priceMultiplierPermille : plan.priceMultiplierPermille(),
        alertThresholdsPercent.isEmpty() ? plan.alertThresholdsPercent() : alertThresholdsPercent,
        lowBalanceFloor != null ? lowBalanceFloor : plan.lowBalanceFloor(),
        plan.referral());
  }
}
