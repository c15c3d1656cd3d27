package dev.tally.node.terms;

import dev.tally.node.CborSerializable;
import java.util.List;

/**
 * A tier of service. Amounts are micro-credits.
 *
 * @param rolloverMonths periods an allocation stays spendable after its own: 0 = it expires at its period's end
 * @param priceMultiplierPermille the price multiplier in thousandths (1000 = 1×)
 * @param alertThresholdsPercent usage alerts at these percentages of the period's allocation
 * @param lowBalanceFloor a LOW_BALANCE alert when available credits fall below this (0 = none)
 * @param referral what an org on this plan earns from the purchases of the orgs it referred
 */
public record Plan(
    String name,
    long trialCredits,
    int trialDays,
    long monthlyAllocation,
    int rolloverMonths,
    Limits limits,
    int priceMultiplierPermille,
    List<Integer> alertThresholdsPercent,
    long lowBalanceFloor,
    ReferralTerms referral)
    implements CborSerializable {

  /** Plans stored before referral terms existed (and test plans) earn nothing from referrals. */
  public Plan {
    if (referral == null) referral = ReferralTerms.NONE;
  }

  public Plan(String name, long trialCredits, int trialDays, long monthlyAllocation, int rolloverMonths, Limits limits,
      int priceMultiplierPermille, List<Integer> alertThresholdsPercent, long lowBalanceFloor) {
    this(name, trialCredits, trialDays, monthlyAllocation, rolloverMonths, limits, priceMultiplierPermille,
        alertThresholdsPercent, lowBalanceFloor, ReferralTerms.NONE);
  }
}
