package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.ManyAsks;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.auth.SecretText;
import dev.tally.node.code.CodeBatch;
import dev.tally.node.code.CodeLabel;
import dev.tally.node.code.CodeTerms;
import dev.tally.node.code.RedemptionCode.Reply;
import dev.tally.node.code.RedemptionCode;
import dev.tally.node.code.WrongCodeThrottle;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Accounts' redemption code calls: CreateRedemptionCodes defines each new code's entity, then records
 * the batch under its request id (a retry finds it and makes nothing); RedeemCode throttles wrong
 * guesses per org, then hands the redemption to the code's {@link RedemptionCode} entity, the one
 * writer of its redemptions. Codes appear only in the creating call's answer: never in logs or events.
 */
final class CodeCalls {

  /** The longest code text looked at: anything longer is not a code. */
  static final int MAX_CODE_LENGTH = 100;

  private final ClusterSharding sharding;
  private final WrongCodeThrottle throttle;
  private final Clock clock;
  private final Duration timeout;

  /** @param timeout the longest a call waits for a code's entity, which waits for the org's */
  CodeCalls(ClusterSharding sharding, WrongCodeThrottle throttle, Clock clock, Duration timeout) {
    this.sharding = sharding;
    this.throttle = throttle;
    this.clock = clock;
    this.timeout = timeout;
  }

  void create(CreateRedemptionCodesRequest request, StreamObserver<CreateRedemptionCodesResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .batchId("request_id", request.getRequestId())
        .require(request.getCount() >= 1 && request.getCount() <= CodeBatch.MAX_CODES, "count",
            "must be between 1 and " + CodeBatch.MAX_CODES)
        .positiveAmount("credits", request.getCredits())
        .require(request.getMaxRedemptions() >= 0 && request.getMaxRedemptions() <= CodeTerms.MAX_REDEMPTIONS,
            "max_redemptions", "must be between 1 and " + CodeTerms.MAX_REDEMPTIONS + " (0 = 1)")
        .text("label", request.getLabel(), RequestChecks.MAX_TEXT_LENGTH);
    Instant expiresAt = request.hasExpiresAt() ? checks.instant("expires_at", request.getExpiresAt()) : null;
    checks.require(expiresAt == null || expiresAt.isAfter(clock.instant()), "expires_at", "must lie in the future");
    if (refuseInvalid(checks, responses)) return;
    CodeTerms terms = new CodeTerms(request.getRequestId(), request.getLabel(), request.getCredits(), expiresAt,
        Math.max(1, request.getMaxRedemptions()));
    batch(request.getRequestId()).<CodeBatch.Reply>ask(CodeBatch.Get::new, timeout).toCompletableFuture()
        .thenCompose(known -> known.made() != null
            ? CompletableFuture.completedFuture(answer(known, List.of()))
            : makeBatch(terms, request.getCount()))
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  /**
   * Defines every code before the batch is recorded, so no recorded batch lacks a code. Codes of a
   * batch that loses a race with a concurrent retry stay defined but were never shown to anyone.
   */
  private CompletableFuture<CreateRedemptionCodesResponse> makeBatch(CodeTerms terms, int count) {
    List<String> codes = new ArrayList<>(count);
    List<CodeBatch.Code> hashes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String code = RedemptionCode.FORMAT.generate();
      codes.add(code);
      hashes.add(new CodeBatch.Code(SecretText.sha256Hex(code), RedemptionCode.FORMAT.hint(code)));
    }
    return ManyAsks.each(hashes, code -> code(code.sha256())
            .<org.apache.pekko.Done>ask(replyTo -> new RedemptionCode.Define(terms, replyTo), timeout))
        .thenCompose(all -> listedUnderLabel(terms))
        .thenCompose(listed -> batch(terms.batchId())
            .<CodeBatch.Reply>ask(replyTo -> new CodeBatch.Make(terms, hashes, replyTo), timeout).toCompletableFuture())
        .thenApply(made -> answer(made, made.replayed() ? List.of() : codes));
  }

  /** A labelled batch is listed under its label before it is recorded, so listing by label misses no recorded batch. */
  private CompletableFuture<?> listedUnderLabel(CodeTerms terms) {
    if (terms.label().isEmpty()) return CompletableFuture.completedFuture(null);
    return sharding.entityRefFor(CodeLabel.ENTITY_TYPE, SecretText.sha256Hex(terms.label()))
        .<CodeLabel.Added>ask(replyTo -> new CodeLabel.Add(terms.batchId(), replyTo), timeout).toCompletableFuture();
  }

  private static CreateRedemptionCodesResponse answer(CodeBatch.Reply batch, List<String> codes) {
    return CreateRedemptionCodesResponse.newBuilder()
        .setBatchId(batch.made().terms().batchId())
        .addAllCodes(codes)
        .addAllHints(batch.made().codes().stream().map(CodeBatch.Code::hint).toList())
        .setReplayed(batch.replayed())
        .build();
  }

  void redeem(RedeemCodeRequest request, StreamObserver<RedeemCodeResponse> responses) {
    String code = request.getCode();
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .require(!code.isEmpty(), "code", "is required")
        .require(code.length() <= MAX_CODE_LENGTH, "code", "must be at most " + MAX_CODE_LENGTH + " characters");
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    Optional<Duration> wait = throttle.waitFor(orgId);
    if (wait.isPresent()) {
      responses.onError(TallyErrors.rejected(new Rejected(Rejection.RATE_LIMITED,
          "too many wrong redemption codes from this org: at most " + WrongCodeThrottle.WRONG_CODES_PER_MINUTE + " a minute",
          Map.of("retry_after_ms", Long.toString(Math.max(1, wait.get().toMillis())), "limit", "wrong_redemption_codes"))));
      return;
    }
    if (!RedemptionCode.FORMAT.wellFormed(code)) { // a typo, caught by the checksum: no entity needs asking
      throttle.wrongCode(orgId);
      responses.onError(TallyErrors.redemptionCodeNotFound());
      return;
    }
    String sha256 = SecretText.sha256Hex(code);
    String hint = RedemptionCode.FORMAT.hint(code);
    code(sha256).<Reply>ask(replyTo -> new RedemptionCode.Redeem(orgId, replyTo), timeout).toCompletableFuture()
        .thenApply(reply -> answer(orgId, hint, reply))
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  private RedeemCodeResponse answer(String orgId, String hint, Reply reply) {
    if (reply instanceof Reply.Redeemed redeemed) {
      return RedeemCodeResponse.newBuilder()
          .setGrantId(redeemed.grantId())
          .setAmount(redeemed.amount())
          .setEffectiveAt(timestamp(redeemed.effectiveAt()))
          .setReplayed(redeemed.replayed())
          .setOrgId(redeemed.orgId())
          .setHint(hint)
          .build();
    }
    if (reply instanceof Reply.Unknown) {
      throttle.wrongCode(orgId);
      throw TallyErrors.redemptionCodeNotFound();
    }
    if (reply instanceof Reply.Expired expired) throw TallyErrors.redemptionCodeExpired(expired.at());
    if (reply instanceof Reply.UsedUp usedUp) throw TallyErrors.redemptionCodeUsedUp(usedUp.maxRedemptions());
    if (reply instanceof Reply.Voided voided) throw TallyErrors.redemptionCodeVoided(voided.at());
    if (reply instanceof Reply.Refused refused) throw TallyErrors.rejected(refused.refusal());
    // The grant may be done: the same request again completes it, once.
    throw TallyErrors.failure(new TimeoutException(((Reply.Pending) reply).why()));
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<RedemptionCode.Command> code(String sha256) {
    return sharding.entityRefFor(RedemptionCode.ENTITY_TYPE, sha256);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<CodeBatch.Command> batch(String requestId) {
    return sharding.entityRefFor(CodeBatch.ENTITY_TYPE, requestId);
  }
}
