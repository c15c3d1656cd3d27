package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.terms.ReferralTerms;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What an org earned from the purchases of the orgs it referred. {@code balance} is not spendable:
 * it is in no grant and not in the available credits until TransferRewards moves it into a REFERRAL
 * grant. {@code earned} and {@code transferred} are lifetime totals for display; {@code earnedInPeriod}
 * is what the billing period starting at {@code periodStart} earned; {@code earnedByReferredOrg} is
 * what each referred org's purchases earned, ever, for at most {@link #MAX_REFERRED_ORGS} of them.
 */
public record Rewards(
    long balance,
    long earned,
    long transferred,
    Instant periodStart,
    long earnedInPeriod,
    Map<String, Long> earnedByReferredOrg)
    implements CborSerializable {

  /**
   * The most referred orgs an org earns from: each is kept with its total for the per-referred-org
   * cap. A reward from one more is refused (ACCOUNT_LIMIT, limit "referred_orgs"); the purchase stands.
   */
  public static final int MAX_REFERRED_ORGS = 1_000;

  /** The most a reward balance holds (10^15 µcr, the API's largest grant): rewards beyond it are cut to fit. */
  public static final long MAX_BALANCE = ReferralTerms.MAX_AMOUNT;

  static final Rewards NONE = new Rewards(0, 0, 0, null, 0, Map.of());

  /** What the period that started at {@code start} has earned so far: nothing yet in a new period. */
  public long earnedInPeriodStarting(Instant start) {
    return start.equals(periodStart) ? earnedInPeriod : 0;
  }

  /** Whether one more referred org would pass {@link #MAX_REFERRED_ORGS}. */
  boolean fullFor(String referredOrgId) {
    return !earnedByReferredOrg.containsKey(referredOrgId) && earnedByReferredOrg.size() >= MAX_REFERRED_ORGS;
  }

  /**
   * What a purchase of {@code purchased} µcr by {@code referredOrgId} earns under {@code terms} in the
   * period that started at {@code start}: the plan's reward, cut to what the referred org's cap, the
   * period's cap and the balance's bound leave (never below 0, also when a plan's caps were lowered).
   */
  long rewardFor(String referredOrgId, long purchased, ReferralTerms terms, Instant start) {
    long reward = terms.rewardFor(purchased);
    reward = Math.min(reward, terms.capPerReferredOrg() - earnedByReferredOrg.getOrDefault(referredOrgId, 0L));
    reward = Math.min(reward, terms.capPerPeriod() - earnedInPeriodStarting(start));
    reward = Math.min(reward, MAX_BALANCE - balance);
    return Math.max(0, reward);
  }

  /**
   * With {@code reward} earned from {@code referredOrgId} in the period that started at {@code start}.
   * Each sum stays within the caps, at most 10^15 (see {@link #rewardFor}); the lifetime total saturates.
   */
  Rewards earning(String referredOrgId, long reward, Instant start) {
    if (reward == 0) return this;
    Map<String, Long> byOrg = new HashMap<>(earnedByReferredOrg);
    byOrg.merge(referredOrgId, reward, Math::addExact);
    return new Rewards(Math.addExact(balance, reward), Period.saturated(earned, reward), transferred, start,
        Math.addExact(earnedInPeriodStarting(start), reward), Map.copyOf(byOrg));
  }

  /** With the whole balance moved to the org's credits. */
  Rewards movedToCredits() {
    return new Rewards(0, earned, Period.saturated(transferred, balance), periodStart, earnedInPeriod, earnedByReferredOrg);
  }
}
