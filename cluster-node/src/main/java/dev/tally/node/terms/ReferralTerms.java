package dev.tally.node.terms;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;

import com.typesafe.config.Config;
import dev.tally.node.CborSerializable;

/**
 * What an org on a plan earns when an org it referred buys a package (issue 17 item 4). Amounts in µcr.
 *
 * @param percent the reward as a percentage (0–100) of the purchase's credits, rounded down; 0 = {@code fixed}
 * @param fixed the reward per purchase when {@code percent} is 0
 * @param capPerReferredOrg the most all purchases of one referred org earn, ever
 * @param capPerPeriod the most all referred orgs' purchases earn in one billing period
 */
public record ReferralTerms(int percent, long fixed, long capPerReferredOrg, long capPerPeriod) implements CborSerializable {

  /** A plan without referral terms: its orgs earn nothing from the orgs they refer. */
  public static final ReferralTerms NONE = new ReferralTerms(0, 0, 0, 0);

  /** The largest reward or cap a plan may name: the API's largest grant, so every sum of rewards stays exact. */
  public static final long MAX_AMOUNT = 1_000_000_000L * MICROS_PER_CREDIT;

  public ReferralTerms {
    if (percent < 0 || percent > 100) throw new IllegalArgumentException("referral percent must be 0 to 100: " + percent);
    for (long amount : new long[] {fixed, capPerReferredOrg, capPerPeriod}) {
      if (amount < 0 || amount > MAX_AMOUNT) {
        throw new IllegalArgumentException("referral amounts must be 0 to " + MAX_AMOUNT / MICROS_PER_CREDIT + " credits");
      }
    }
  }

  /** A plan's {@code referral} block (whole credits); a plan without one earns nothing. */
  static ReferralTerms from(Config plan) {
    if (!plan.hasPath("referral")) return NONE;
    Config referral = plan.getConfig("referral");
    return new ReferralTerms(
        referral.getInt("percent"),
        Math.multiplyExact(referral.getLong("fixed-credits"), MICROS_PER_CREDIT),
        Math.multiplyExact(referral.getLong("cap-per-referred-org"), MICROS_PER_CREDIT),
        Math.multiplyExact(referral.getLong("cap-per-period"), MICROS_PER_CREDIT));
  }

  /** What a purchase of {@code purchased} µcr earns before the caps; a purchase is at most 10^15 µcr, so the product fits. */
  public long rewardFor(long purchased) {
    return percent > 0 ? Math.multiplyExact(purchased, (long) percent) / 100 : fixed;
  }
}
