package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.OrgEvent.ReferralCodeIssued;
import dev.tally.node.account.OrgEvent.RewardEarned;
import dev.tally.node.account.OrgEvent.RewardsTransferred;
import dev.tally.node.terms.ReferralTerms;
import java.time.Instant;

/**
 * An org's part in referrals (issue 17 item 4): its own referral code (null until first asked for),
 * the org that referred it (null: none; set at creation, never changed) and its rewards. Decides what
 * a reward, a transfer and a look at the referral write; the account only dispatches to it.
 */
public record Referral(String code, String referredBy, Rewards rewards) implements CborSerializable {

  static final Referral NONE = new Referral(null, null, Rewards.NONE);

  static Referral referredByOrg(String referrerOrgId) {
    return new Referral(null, referrerOrgId, Rewards.NONE);
  }

  /** The org's referral as it shows it: a code is issued (persisted) the first time it is asked for. */
  Decision decideLook(Operation.GetReferral look, Instant periodStart, Instant now) {
    if (code == null) return Decision.Persist.of(new ReferralCodeIssued(look.codeIfNone(), now));
    return new Decision.Answer(view(periodStart));
  }

  Outcome.ReferralView view(Instant periodStart) {
    return new Outcome.ReferralView(code, referredBy != null, rewards.balance(), rewards.earned(), rewards.transferred(),
        rewards.earnedInPeriodStarting(periodStart), rewards.earnedByReferredOrg().size());
  }

  /** A referred org's purchase: the reward its terms give, cut by the caps; 0 is recorded too, for the ledger. */
  Decision decideReward(Operation.CreditReward reward, ReferralTerms terms, Instant periodStart, Instant now) {
    long earned = rewards.rewardFor(reward.referredOrgId(), reward.purchased(), terms, periodStart);
    if (earned > 0 && rewards.fullFor(reward.referredOrgId())) {
      return Decision.Refuse.accountLimit("referred_orgs", Rewards.MAX_REFERRED_ORGS);
    }
    return Decision.Persist.of(new RewardEarned(reward.requestId(), reward.fingerprint(), reward.referredOrgId(),
        reward.purchased(), earned, periodStart, now));
  }

  /** The whole reward balance becomes a REFERRAL grant that never expires; an empty balance has nothing to move. */
  Decision decideTransfer(Operation.TransferRewards transfer, Grants grants, Instant now) {
    if (rewards.balance() == 0) return Decision.Refuse.noRewards();
    if (grants.size() >= Grants.MAX_GIVEN_AND_LEFT) return Decision.Refuse.accountLimit("grants", Grants.MAX_GIVEN_AND_LEFT);
    String grantId = transfer.grantId();
    if (grants.get(grantId) != null) return Decision.Refuse.grantExists(grantId);
    return new Decision.Persist(java.util.List.of(
        new RewardsTransferred(grantId, rewards.balance(), now),
        new OrgEvent.CreditsGranted(transfer.requestId(), transfer.fingerprint(), grantId, GrantKind.REFERRAL,
            rewards.balance(), Grants.DEFAULT_PRIORITY, now, null, now)));
  }

  Referral applying(OrgEvent event) {
    if (event instanceof ReferralCodeIssued issued) return new Referral(issued.code(), referredBy, rewards);
    if (event instanceof RewardEarned earned) {
      return new Referral(code, referredBy, rewards.earning(earned.referredOrgId(), earned.reward(), earned.periodStart()));
    }
    if (event instanceof RewardsTransferred) return new Referral(code, referredBy, rewards.movedToCredits());
    throw new IllegalArgumentException("not a referral event: " + event);
  }
}
