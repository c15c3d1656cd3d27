package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.balance;

import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.referral.ReferralCode;
import dev.tally.v1.GetReferralRequest;
import dev.tally.v1.Referral;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.TransferRewardsResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts' referral calls: GetReferral has the org's account issue its code (once) and records the
 * code's owner in the code's {@link ReferralCode} entity before showing it; TransferRewards moves the
 * reward balance; CreateOrg resolves a referral code here. Rewards themselves are credited by the
 * purchase's entity ({@code ReferenceGrant}), never through a call.
 */
final class ReferralCalls {

  /** The longest referral code text looked at: anything longer is not a code. */
  static final int MAX_CODE_LENGTH = 100;

  private static final Logger log = LoggerFactory.getLogger(ReferralCalls.class);

  private final OrgCalls calls;
  private final ClusterSharding sharding;
  private final Duration timeout;

  /** @param timeout the longest a call waits for a code's entity */
  ReferralCalls(OrgBatcher batcher, ClusterSharding sharding, Duration timeout) {
    this.calls = new OrgCalls(batcher);
    this.sharding = sharding;
    this.timeout = timeout;
  }

  /** The org whose referral code {@code code} is; null when none is (a mistyped code asks no entity). */
  CompletableFuture<String> referrerOf(String code) {
    if (!ReferralCode.FORMAT.wellFormed(code)) return CompletableFuture.completedFuture(null);
    return code(code).<ReferralCode.Owner>ask(ReferralCode.Resolve::new, timeout).toCompletableFuture()
        .thenApply(ReferralCode.Owner::orgId);
  }

  void show(GetReferralRequest request, StreamObserver<Referral> responses) {
    if (refuseInvalid(new RequestChecks().orgId(request.getOrgId()), responses)) return;
    String orgId = request.getOrgId();
    calls.runWith(orgId, new Operation.GetReferral(ReferralCode.FORMAT.generate()), responses, done -> {
      Outcome.ReferralView view = (Outcome.ReferralView) done.result();
      // Recorded (once; a no-op after) before it is shown: a code anyone knows resolves.
      code(view.code()).<ReferralCode.Owner>ask(replyTo -> new ReferralCode.Assign(orgId, replyTo), timeout)
          .whenComplete((owner, failure) -> {
            try {
              if (failure != null) {
                responses.onError(TallyErrors.failure(failure));
              } else if (!orgId.equals(owner.orgId())) {
                log.error("org {} drew a referral code that is org {}'s", orgId, owner.orgId());
                responses.onError(TallyErrors.failure(new IllegalStateException("referral code drawn twice")));
              } else {
                responses.onNext(referral(orgId, view));
                responses.onCompleted();
              }
            } catch (StatusRuntimeException cancelled) {
              // the caller went away; nothing to tell it
            }
          });
    });
  }

  void transfer(TransferRewardsRequest request, StreamObserver<TransferRewardsResponse> responses) {
    RequestChecks checks = new RequestChecks().orgId(request.getOrgId()).id("request_id", request.getRequestId());
    if (refuseInvalid(checks, responses)) return;
    calls.run(request.getOrgId(), new Operation.TransferRewards(request.getRequestId()), responses,
        done -> TransferRewardsResponse.newBuilder()
            .setGrant(ProtoMapping.grant(((Outcome.Granted) done.result()).grant()))
            .setBalance(balance(done.balance()))
            .build());
  }

  private static Referral referral(String orgId, Outcome.ReferralView view) {
    return Referral.newBuilder()
        .setOrgId(orgId)
        .setReferralCode(view.code())
        .setReferred(view.referred())
        .setRewardBalance(view.balance())
        .setRewardsEarned(view.earned())
        .setRewardsTransferred(view.transferred())
        .setRewardsEarnedThisPeriod(view.earnedThisPeriod())
        .setRewardingOrgs(view.rewardingOrgs())
        .build();
  }

  private EntityRef<ReferralCode.Command> code(String code) {
    return sharding.entityRefFor(ReferralCode.ENTITY_TYPE, code);
  }
}
