package dev.tally.node.api;

import dev.tally.node.account.Holds;
import dev.tally.node.terms.Overrides;
import dev.tally.v1.SetOverridesRequest;
import java.util.List;

/** A SetOverridesRequest read: every override within its documented range (accounts.proto), then the org's own terms. */
final class OverridesRequest {

  /** The highest request rate an org may be given: a billion a minute. */
  static final long MAX_REQUESTS_PER_MINUTE = 1_000_000_000L;

  private OverridesRequest() {}

  /** All violations at once. */
  static RequestChecks checks(SetOverridesRequest request) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .require(!request.hasRequestsPerMinute()
                || (request.getRequestsPerMinute() >= 0 && request.getRequestsPerMinute() <= MAX_REQUESTS_PER_MINUTE),
            "requests_per_minute", "must be between 0 and " + MAX_REQUESTS_PER_MINUTE)
        .require(!request.hasConcurrentReservations()
                || (request.getConcurrentReservations() >= 0 && request.getConcurrentReservations() <= Holds.MAX_OPEN),
            "concurrent_reservations", "must be between 0 and " + Holds.MAX_OPEN)
        .require(!request.hasPriceMultiplierPermille()
                || (request.getPriceMultiplierPermille() >= 1 && request.getPriceMultiplierPermille() <= 100_000),
            "price_multiplier_permille", "must be between 1 and 100000")
        .require(request.getAlertThresholdsPercentCount() <= Overrides.MAX_ALERT_THRESHOLDS,
            "alert_thresholds_percent", "must hold at most " + Overrides.MAX_ALERT_THRESHOLDS + " thresholds")
        .require(request.getAlertThresholdsPercentList().stream().allMatch(p -> p >= 1 && p <= 1000),
            "alert_thresholds_percent", "each must be between 1 and 1000")
        .require(!request.hasRolloverMonths()
                || (request.getRolloverMonths() >= 0 && request.getRolloverMonths() <= Overrides.MAX_ROLLOVER_MONTHS),
            "rollover_months", "must be between 0 and " + Overrides.MAX_ROLLOVER_MONTHS);
    if (request.hasCreditsPerMinute()) checks.nonNegativeAmount("credits_per_minute", request.getCreditsPerMinute());
    if (request.hasLowBalanceFloor()) checks.nonNegativeAmount("low_balance_floor", request.getLowBalanceFloor());
    if (request.hasMonthlyAllocation()) checks.nonNegativeAmount("monthly_allocation", request.getMonthlyAllocation());
    return checks;
  }

  /** The org's own terms the request sets; what it leaves unset follows the plan. */
  static Overrides overrides(SetOverridesRequest request) {
    return new Overrides(
        request.hasRequestsPerMinute() ? request.getRequestsPerMinute() : null,
        request.hasCreditsPerMinute() ? request.getCreditsPerMinute() : null,
        request.hasConcurrentReservations() ? request.getConcurrentReservations() : null,
        request.hasPriceMultiplierPermille() ? request.getPriceMultiplierPermille() : null,
        List.copyOf(request.getAlertThresholdsPercentList()),
        request.hasLowBalanceFloor() ? request.getLowBalanceFloor() : null,
        request.hasMonthlyAllocation() ? request.getMonthlyAllocation() : null,
        request.hasRolloverMonths() ? request.getRolloverMonths() : null);
  }
}
