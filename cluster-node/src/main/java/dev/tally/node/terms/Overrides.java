package dev.tally.node.terms;

import dev.tally.node.CborSerializable;
import java.util.List;

/**
 * An org's own terms (custom enterprise limits). A null field, or an empty threshold list, falls
 * back to the plan.
 */
public record Overrides(
    Long requestsPerMinute,
    Long creditsPerMinute,
    Integer concurrentReservations,
    Integer priceMultiplierPermille,
    List<Integer> alertThresholdsPercent,
    Long lowBalanceFloor)
    implements CborSerializable {

  public static final Overrides NONE = new Overrides(null, null, null, null, List.of(), null);

  /** The most alert thresholds an org may set: each is remembered per period once raised. */
  public static final int MAX_ALERT_THRESHOLDS = 10;

  /** The plan's terms with these overrides in force. */
  public Plan applyTo(Plan plan) {
    Limits limits = plan.limits();
    return new Plan(
        plan.name(),
        plan.trialCredits(),
        plan.trialDays(),
        plan.monthlyAllocation(),
        plan.rolloverMonths(),
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
