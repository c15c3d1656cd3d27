package dev.tally.node.api;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import dev.tally.node.account.Outcome.Failed;
import dev.tally.node.account.Outcome.Unavailable;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.v1.ErrorContract;
import dev.tally.v1.ErrorReason;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC statuses (DESIGN §6): a {@code google.rpc.Status} with
 * an {@code ErrorInfo} whose reason (an {@link ErrorReason} of {@code errors.proto}) a program can
 * switch on, plus {@code BadRequest} or {@code RetryInfo} where they help. The code comes with the
 * reason, as the contract says. Nothing reaches a client as UNKNOWN.
 */
public final class TallyErrors {

  private static final Logger log = LoggerFactory.getLogger(TallyErrors.class);
  private static final Duration RETRY_SOON = Duration.newBuilder().setNanos(100_000_000).build();

  private TallyErrors() {}

  public static StatusRuntimeException invalid(List<BadRequest.FieldViolation> violations) {
    String message = violations.stream()
        .map(v -> v.getField() + ": " + v.getDescription())
        .reduce((a, b) -> a + "; " + b)
        .orElse("invalid request");
    return status(ErrorReason.INVALID_REQUEST, message, Map.of(),
        Any.pack(BadRequest.newBuilder().addAllFieldViolations(violations).build()));
  }

  /** A refusal by the org's account. */
  public static StatusRuntimeException rejected(Rejected rejected) {
    if (rejected.reason() == Rejection.RATE_LIMITED) return rateLimited(rejected);
    return status(reasonFor(rejected.reason()), rejected.message(), rejected.facts());
  }

  /** The account's refusals in the API's terms. */
  static ErrorReason reasonFor(Rejection rejection) {
    return switch (rejection) {
      case CREDITS_EXHAUSTED -> ErrorReason.CREDITS_EXHAUSTED;
      case RATE_LIMITED -> ErrorReason.RATE_LIMITED;
      case ORG_NOT_FOUND -> ErrorReason.ORG_NOT_FOUND;
      case ORG_EXISTS -> ErrorReason.ORG_EXISTS;
      case GRANT_NOT_FOUND -> ErrorReason.GRANT_NOT_FOUND;
      case GRANT_EXISTS -> ErrorReason.GRANT_EXISTS;
      case RESERVATION_NOT_FOUND -> ErrorReason.RESERVATION_NOT_FOUND;
      case RESERVATION_RESOLVED -> ErrorReason.RESERVATION_RESOLVED;
      case IDEMPOTENCY_MISMATCH -> ErrorReason.IDEMPOTENCY_MISMATCH;
      case ACCOUNT_LIMIT -> ErrorReason.ACCOUNT_LIMIT;
      case NO_REWARDS -> ErrorReason.NO_REWARDS_TO_TRANSFER;
    };
  }

  /** RESOURCE_EXHAUSTED with the real wait in a RetryInfo and the limit in a QuotaFailure. */
  private static StatusRuntimeException rateLimited(Rejected rejected) {
    long waitMillis = Long.parseLong(rejected.facts().get("retry_after_ms"));
    Duration retryDelay = Duration.newBuilder()
        .setSeconds(waitMillis / 1000)
        .setNanos((int) (waitMillis % 1000) * 1_000_000)
        .build();
    QuotaFailure quota = QuotaFailure.newBuilder()
        .addViolations(QuotaFailure.Violation.newBuilder()
            .setSubject(rejected.facts().get("limit"))
            .setDescription(rejected.message()))
        .build();
    return status(ErrorReason.RATE_LIMITED, rejected.message(), rejected.facts(),
        Any.pack(RetryInfo.newBuilder().setRetryDelay(retryDelay).build()), Any.pack(quota));
  }

  /** An operation the org's account could not decide (a bug); the rest of its batch went on. */
  public static StatusRuntimeException failed(Failed failed) {
    log.error("internal error deciding an operation: {}", failed.description());
    return status(ErrorReason.INTERNAL, "internal error", Map.of());
  }

  /**
   * The account could not reach the request table its decision needed: nothing was applied, so a
   * retry with the same request id is safe. TIMEOUT, whose clients already retry that way.
   */
  public static StatusRuntimeException unavailable(Unavailable unavailable) {
    log.warn("an org's account could not reach its request table: {}", unavailable.description());
    return status(ErrorReason.TIMEOUT, "the org's account could not reach its storage; retry with the same request id",
        Map.of(), retryInfo());
  }

  /** Anything else that went wrong on the way to the entity and back. */
  public static StatusRuntimeException failure(Throwable thrown) {
    Throwable cause = unwrap(thrown);
    if (cause instanceof StatusRuntimeException status) return status;
    if (cause instanceof OrgBatcher.Backpressure) {
      return status(ErrorReason.BACKPRESSURE, cause.getMessage(), Map.of(), retryInfo());
    }
    if (cause instanceof TimeoutException) {
      return status(ErrorReason.TIMEOUT, "the org's account did not answer in time", Map.of(), retryInfo());
    }
    if (cassandraOutOfReach(cause)) {
      log.warn("Cassandra did not answer a call's read or write: {}", cause.toString());
      return status(ErrorReason.TIMEOUT, "Cassandra did not answer in time", Map.of(), retryInfo());
    }
    log.error("internal error", cause);
    return status(ErrorReason.INTERNAL, "internal error: " + cause.getClass().getSimpleName(), Map.of());
  }

  /**
   * Cassandra slow or out of reach, as a call that reads or writes it directly sees it: the driver's
   * own timeout, no node answering, too few replicas, a replica's timeout, or the persistence plugin's
   * circuit breaker open after such failures. The same call again later is safe (every call that writes
   * is idempotent), so these are TIMEOUT, not INTERNAL.
   */
  private static boolean cassandraOutOfReach(Throwable cause) {
    return cause instanceof DriverTimeoutException
        || cause instanceof AllNodesFailedException
        || cause instanceof UnavailableException
        || cause instanceof ReadTimeoutException
        || cause instanceof WriteTimeoutException
        || cause instanceof CircuitBreakerOpenException;
  }

  /** A WatchAlerts stream whose reader fell {@code behind} alerts behind ends; its client may subscribe again. */
  public static StatusRuntimeException streamBehind(int behind) {
    return status(ErrorReason.BACKPRESSURE, "this stream fell " + behind + " alerts behind its reader; subscribe again",
        Map.of("behind", Integer.toString(behind)), retryInfo());
  }

  /**
   * {@code call} could not read its org's journal (Cassandra slow or out of reach): TIMEOUT, not
   * INTERNAL; {@code again} says how the caller repeats it safely (a resumed WatchAlerts from the same
   * event id, ListAlerts with the same page token).
   */
  public static StatusRuntimeException journalUnreadable(String call, Throwable failure, String again) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StatusRuntimeException status) return status;
    log.warn("{} could not read its org's journal: {}", call, cause.toString());
    return status(ErrorReason.TIMEOUT, "the org's journal could not be read; " + again, Map.of(), retryInfo());
  }

  /** The node is stopping and did not get to this call: safe to retry elsewhere with the same request id. */
  public static StatusRuntimeException nodeStopping() {
    return status(ErrorReason.NODE_STOPPING, "this node is stopping; retry on another node", Map.of());
  }

  /** No usable API key: missing, malformed, unknown, revoked or expired. Never pass the key into {@code message}. */
  public static StatusRuntimeException unauthenticated(String message) {
    return status(ErrorReason.UNAUTHENTICATED, message, Map.of());
  }

  /** The key's role or org does not allow the call. */
  public static StatusRuntimeException permissionDenied(String message) {
    return status(ErrorReason.PERMISSION_DENIED, message, Map.of());
  }

  /** RevokeApiKey or RotateApiKey of an id no key has. */
  public static StatusRuntimeException apiKeyNotFound() {
    return status(ErrorReason.API_KEY_NOT_FOUND, "no API key with this key_id", Map.of());
  }

  /** LeaveCluster named no member of the cluster. */
  public static StatusRuntimeException memberNotFound(String member) {
    return status(ErrorReason.MEMBER_NOT_FOUND, "no member " + member + " in the cluster", Map.of());
  }

  /** RotateApiKey of a key that stopped, or will stop, working: {@code fact} is revoked_at or expires_at. */
  public static StatusRuntimeException apiKeyRevoked(String fact, java.time.Instant at) {
    return status(ErrorReason.API_KEY_REVOKED, "this key is " + (fact.equals("expires_at") ? "expired" : "revoked or rotated")
        + " (" + fact + " " + at + "): rotate the key that replaced it, or make a new one", Map.of(fact, at.toString()));
  }

  /** CreateApiKey or RotateApiKey with a request id that made another key (or rotation) within the window. */
  public static StatusRuntimeException keyRequestReused() {
    return status(ErrorReason.IDEMPOTENCY_MISMATCH,
        "this request_id was used for another CreateApiKey or RotateApiKey request; use a new request_id", Map.of());
  }

  /** PurchasePackage named a package the catalog does not hold. */
  public static StatusRuntimeException packageNotFound(String name) {
    return status(ErrorReason.PACKAGE_NOT_FOUND, "no package " + name + " in the catalog (ListPackages)", Map.of());
  }

  /** PurchasePackage of a package the org's plan may not buy; the payment reference stays unused. */
  public static StatusRuntimeException packageNotEligible(String name, String plan) {
    return status(ErrorReason.PACKAGE_NOT_ELIGIBLE, "orgs on plan " + plan + " may not buy package " + name,
        Map.of("plan", plan));
  }

  /** PurchasePackage with a payment reference already used for another org, package or amount. */
  public static StatusRuntimeException paymentReferenceReused(String orgId, String packageName, long amount) {
    return status(ErrorReason.PAYMENT_REFERENCE_REUSED,
        "this payment_reference was used for another purchase; nothing was granted for this one",
        Map.of("org_id", orgId, "package_name", packageName, "amount", Long.toString(amount)));
  }

  /** RedeemCode of a code that does not exist; counted against the org's wrong guesses. */
  public static StatusRuntimeException redemptionCodeNotFound() {
    return status(ErrorReason.REDEMPTION_CODE_NOT_FOUND, "no redemption code is this text; nothing was granted", Map.of());
  }

  /** RedeemCode of a code whose batch expired. */
  public static StatusRuntimeException redemptionCodeExpired(java.time.Instant at) {
    return status(ErrorReason.REDEMPTION_CODE_EXPIRED, "this redemption code expired at " + at + "; nothing was granted",
        Map.of("expires_at", at.toString()));
  }

  /** RedeemCode of a code redeemed as often as it allows. */
  public static StatusRuntimeException redemptionCodeUsedUp(int maxRedemptions) {
    return status(ErrorReason.REDEMPTION_CODE_USED_UP,
        "this redemption code was redeemed as often as it allows; nothing was granted",
        Map.of("max_redemptions", Integer.toString(maxRedemptions)));
  }

  /** RedeemCode of a code an operator voided. */
  public static StatusRuntimeException redemptionCodeVoided(java.time.Instant at) {
    return status(ErrorReason.REDEMPTION_CODE_VOIDED, "this redemption code was voided at " + at + "; nothing was granted",
        Map.of("voided_at", at.toString()));
  }

  /** FileCreditRequest before the org's usage reached the threshold of its alert base. */
  public static StatusRuntimeException creditRequestBelowThreshold(long charged, long base, int percent) {
    return status(ErrorReason.CREDIT_REQUEST_BELOW_THRESHOLD, "the org has used " + charged + " of " + base
            + " micro-credits this period: a credit request needs " + percent + " %; nothing was filed",
        Map.of("charged", Long.toString(charged), "base", Long.toString(base), "percent", Integer.toString(percent)));
  }

  /** FileCreditRequest while the org has as many requests open as it may. */
  public static StatusRuntimeException creditRequestsOpenLimit(int bound) {
    return status(ErrorReason.CREDIT_REQUESTS_OPEN_LIMIT, "the org has " + bound
        + " credit requests open, the most it may; nothing was filed", Map.of("bound", Integer.toString(bound)));
  }

  /** FileCreditRequest with a request id that filed another request. */
  public static StatusRuntimeException creditRequestIdReused(long number) {
    return status(ErrorReason.IDEMPOTENCY_MISMATCH, "this request_id filed credit request " + number
        + " with another amount or reason; use a new request_id", Map.of("number", Long.toString(number)));
  }

  /** DecideCreditRequest of a number the org has no request under. */
  public static StatusRuntimeException creditRequestNotFound(long number) {
    return status(ErrorReason.CREDIT_REQUEST_NOT_FOUND, "the org has no credit request " + number, Map.of());
  }

  /** GetStatement of a period the org has no statement of. */
  public static StatusRuntimeException statementNotFound(java.time.Instant periodStart) {
    return status(ErrorReason.STATEMENT_NOT_FOUND, "the org has no statement of a period starting at " + periodStart,
        Map.of("period_start", periodStart.toString()));
  }

  /** DecideCreditRequest of a request decided the other way. */
  public static StatusRuntimeException creditRequestDecided(String status, java.time.Instant decidedAt) {
    return status(ErrorReason.CREDIT_REQUEST_DECIDED, "this credit request is " + status + " already; a decision is final",
        Map.of("status", status, "decided_at", String.valueOf(decidedAt)));
  }

  /** CreateOrg with a referral code no org has. */
  public static StatusRuntimeException referralCodeNotFound() {
    return status(ErrorReason.REFERRAL_CODE_NOT_FOUND, "no org has this referral code; the org was not created", Map.of());
  }

  /** CreateOrg with the org's own referral code. */
  public static StatusRuntimeException selfReferral() {
    return status(ErrorReason.SELF_REFERRAL, "an org cannot be referred by its own referral code", Map.of());
  }

  /** ListRedemptionCodes or VoidRedemptionBatch of a batch id that made no batch. */
  public static StatusRuntimeException redemptionBatchNotFound(String batchId) {
    return status(ErrorReason.REDEMPTION_BATCH_NOT_FOUND, "no batch of redemption codes has the id " + batchId,
        Map.of("batch_id", batchId));
  }

  /** UpdateWebhookEndpoint, DeleteWebhookEndpoint or RotateWebhookSecret of an id the org has no endpoint under. */
  public static StatusRuntimeException webhookEndpointNotFound(String endpointId) {
    return status(ErrorReason.WEBHOOK_ENDPOINT_NOT_FOUND, "no webhook endpoint " + endpointId + " here; nothing was changed",
        Map.of("endpoint_id", endpointId));
  }

  /** CreateWebhookEndpoint while the org has as many endpoints as it may. */
  public static StatusRuntimeException webhookEndpointsLimit(int bound) {
    return status(ErrorReason.WEBHOOK_ENDPOINTS_LIMIT, "there are " + bound
        + " webhook endpoints here, the most there may be; nothing was created", Map.of("bound", Integer.toString(bound)));
  }

  /** CreateWebhookEndpoint with a request id that created another endpoint. */
  public static StatusRuntimeException webhookRequestIdReused(String endpointId) {
    return status(ErrorReason.IDEMPOTENCY_MISMATCH, "this request_id created webhook endpoint " + endpointId
        + " with other fields; use a new request_id", Map.of("endpoint_id", endpointId));
  }

  /** ReplayWebhookEvents to a disabled endpoint. */
  public static StatusRuntimeException webhookEndpointDisabled(String endpointId) {
    return status(ErrorReason.WEBHOOK_ENDPOINT_DISABLED, "webhook endpoint " + endpointId
        + " is disabled and would be sent nothing; enable it first. Nothing was queued", Map.of("endpoint_id", endpointId));
  }

  /** ReplayWebhookEvents of an event the org's journal does not hold, or of a type the endpoint is not sent. */
  public static StatusRuntimeException webhookEventNotFound(String eventId) {
    return status(ErrorReason.WEBHOOK_EVENT_NOT_FOUND, "no webhook event " + eventId
        + " for this endpoint (none in the org's journal, or of a type it is not sent); nothing was queued",
        Map.of("event_id", eventId));
  }

  private static Throwable unwrap(Throwable thrown) {
    Throwable cause = thrown;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static Any retryInfo() {
    return Any.pack(RetryInfo.newBuilder().setRetryDelay(RETRY_SOON).build());
  }

  private static StatusRuntimeException status(
      ErrorReason reason, String message, Map<String, String> facts, Any... details) {
    ErrorInfo info = ErrorInfo.newBuilder()
        .setDomain(ErrorContract.DOMAIN)
        .setReason(reason.name())
        .putAllMetadata(facts)
        .build();
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(ErrorContract.codeOf(reason).getNumber())
        .setMessage(message)
        .addDetails(Any.pack(info));
    for (Any detail : details) status.addDetails(detail);
    return StatusProto.toStatusRuntimeException(status.build());
  }
}
