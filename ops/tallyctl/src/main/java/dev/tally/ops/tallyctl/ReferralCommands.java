package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.v1.Referral;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.TransferRewardsResponse;

/** Referral rewards: an org's code and rewards, and moving its reward balance to its credits. */
final class ReferralCommands {

  private ReferralCommands() {}

  static void show(Invocation run) {
    String org = run.operand(0);
    Referral referral = run.tally().read(org, () -> run.tally().accounts().getReferral(org));
    if (run.out().json) {
      run.out().document(ApiJson.of(referral));
      return;
    }
    run.out().table(new Table()
        .row("org", referral.getOrgId())
        .row("referral code", referral.getReferralCode())
        .row("referred", referral.getReferred() ? "yes" : "no")
        .row("reward balance", format(referral.getRewardBalance()) + " credits (not spendable until transferred)")
        .row("earned", format(referral.getRewardsEarned()) + " credits")
        .row("earned this period", format(referral.getRewardsEarnedThisPeriod()) + " credits")
        .row("transferred", format(referral.getRewardsTransferred()) + " credits")
        .row("rewarding orgs", Integer.toString(referral.getRewardingOrgs())));
  }

  static void transfer(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    TransferRewardsRequest request = TransferRewardsRequest.newBuilder().setOrgId(org).setRequestId(requestId).build();
    TransferRewardsResponse moved = run.tally().change(org, requestId,
        () -> run.tally().accounts().transferRewards(request));
    if (run.out().json) {
      JsonObject document = ApiJson.of(moved);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    run.out().line("moved " + format(moved.getGrant().getAmount()) + " credits of rewards to " + org + "'s credits");
    run.out().table(new Table()
        .row("grant", moved.getGrant().getGrantId())
        .row("available", format(moved.getBalance().getAvailable()) + " credits")
        .row("request id", requestId));
  }
}
