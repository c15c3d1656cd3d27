package dev.tally.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import dev.tally.v1.ErrorContract;
import dev.tally.v1.ErrorReason;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A Tally call failed. Unchecked, like every SDK failure; catch a subclass by meaning
 * ({@link CreditsExhaustedException}, {@link RateLimitedException}, {@link TallyUnavailableException}…)
 * or switch on {@link #reason()}, an {@link ErrorReason} of {@code tally/v1/errors.proto}. Never parse {@link #getMessage()}: it is for logs.
 *
 * <p>Every exception carries the server's {@link #reason()} (from the {@code google.rpc.ErrorInfo}
 * of the error), the gRPC {@link #code()}, the full {@link #status()} with its details, and the
 * {@link #requestId()} of the operation, so that a caller may retry it later with the same id and
 * be sure it is applied at most once.
 */
public class TallyException extends RuntimeException {

  private final ErrorReason reason;
  private final Status.Code code;
  private final com.google.rpc.Status status;
  private final ErrorInfo errorInfo;
  private final String requestId;

  TallyException(Failure failure) {
    super(failure.describe(), failure.cause());
    this.reason = ErrorContract.reasonOf(failure.errorInfo());
    this.code = failure.code();
    this.status = failure.status();
    this.errorInfo = failure.errorInfo() == null ? ErrorInfo.getDefaultInstance() : failure.errorInfo();
    this.requestId = failure.requestId();
  }

  /**
   * The server's reason, documented in {@code tally/v1/errors.proto};
   * {@link ErrorReason#ERROR_REASON_UNSPECIFIED} when the error has no Tally ErrorInfo (the
   * connection failed, the deadline passed) or a reason this SDK does not know.
   */
  public ErrorReason reason() {
    return reason;
  }

  /** The gRPC status code the call ended with. */
  public Status.Code code() {
    return code;
  }

  /** The rich status: code, message and every detail the node attached. */
  public com.google.rpc.Status status() {
    return status;
  }

  /** The {@code ErrorInfo} of the error (the default instance when the node sent none). */
  public ErrorInfo errorInfo() {
    return errorInfo;
  }

  /** Facts the node attached to the reason, e.g. {@code available} for CREDITS_EXHAUSTED. */
  public Map<String, String> metadata() {
    return errorInfo.getMetadataMap();
  }

  /** The request id of the failed operation, if it had one: reuse it to retry the same operation safely. */
  public Optional<String> requestId() {
    return Optional.ofNullable(requestId);
  }

  /** The first detail of the given type ({@code RetryInfo}, {@code BadRequest}, {@code QuotaFailure}…). */
  public <T extends Message> Optional<T> detail(Class<T> type) {
    return detail(status, type);
  }

  static <T extends Message> Optional<T> detail(com.google.rpc.Status status, Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The one place where a failed gRPC call becomes a typed exception, chosen by the ErrorInfo
   * reason, or by the gRPC code when the node sent none.
   */
  static TallyException from(Throwable thrown, String requestId) {
    Throwable cause = thrown;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TallyException tally) return tally;
    Status grpcStatus = cutByTransport(cause)
        ? Status.UNAVAILABLE.withDescription("the connection was closed under the call").withCause(cause)
        : Status.fromThrowable(cause);
    com.google.rpc.Status status = StatusProto.fromThrowable(cause);
    if (status == null) {
      status = com.google.rpc.Status.newBuilder()
          .setCode(grpcStatus.getCode().value())
          .setMessage(grpcStatus.getDescription() == null ? "" : grpcStatus.getDescription())
          .build();
    }
    ErrorInfo info = detail(status, ErrorInfo.class).filter(i -> i.getDomain().equals(ErrorContract.DOMAIN)).orElse(null);
    Failure failure = new Failure(grpcStatus.getCode(), status, info, requestId, cause);
    return switch (ErrorContract.reasonOf(info)) {
      case CREDITS_EXHAUSTED -> new CreditsExhaustedException(failure);
      case RATE_LIMITED -> new RateLimitedException(failure);
      case INVALID_REQUEST -> new InvalidRequestException(failure);
      case ORG_NOT_FOUND -> new OrgNotFoundException(failure);
      case RESERVATION_NOT_FOUND -> new ReservationNotFoundException(failure);
      case RESERVATION_RESOLVED -> new ReservationResolvedException(failure);
      case IDEMPOTENCY_MISMATCH -> new IdempotencyMismatchException(failure);
      case BACKPRESSURE, TIMEOUT, NODE_STOPPING -> new TallyUnavailableException(failure);
      case UNAUTHENTICATED -> new UnauthenticatedException(failure);
      case PERMISSION_DENIED -> new PermissionDeniedException(failure);
      case PAYMENT_REFERENCE_REUSED -> new PaymentReferenceReusedException(failure);
      case REDEMPTION_CODE_NOT_FOUND -> new RedemptionCodeNotFoundException(failure);
      case REDEMPTION_CODE_EXPIRED -> new RedemptionCodeExpiredException(failure);
      case REDEMPTION_CODE_USED_UP -> new RedemptionCodeUsedUpException(failure);
      case REDEMPTION_CODE_VOIDED -> new RedemptionCodeVoidedException(failure);
      case REDEMPTION_BATCH_NOT_FOUND -> new RedemptionBatchNotFoundException(failure);
      case ERROR_REASON_UNSPECIFIED -> switch (grpcStatus.getCode()) {
        case UNAVAILABLE, DEADLINE_EXCEEDED -> new TallyUnavailableException(failure);
        default -> new TallyException(failure);
      };
      default -> new TallyException(failure);
    };
  }

  /**
   * Whether the client's own HTTP/2 transport failed the call, not a node: grpc-java reports that as
   * INTERNAL "http2 exception" (its issue 9289) where it means UNAVAILABLE, so its retry policy does
   * not send the call again. It happens when a node closes a connection at its max age plus grace
   * ({@code TALLY_GRPC_CONNECTION_MAX_AGE}, {@code TALLY_GRPC_CONNECTION_AGE_GRACE}) while a call's
   * request still waits in the client to be written, as under a burst of thousands of calls. Such a
   * call is sent again within its deadline, and reported as UNAVAILABLE if it cannot be: retrying it
   * with the same request id is as safe as any retry.
   */
  static boolean cutByTransport(Throwable failure) {
    Status status = Status.fromThrowable(failure);
    return status.getCode() == Status.Code.INTERNAL && status.getCause() instanceof Http2Exception;
  }

  /** What a failed call left behind, passed to the exception constructors. */
  record Failure(Status.Code code, com.google.rpc.Status status, ErrorInfo errorInfo, String requestId, Throwable cause) {

    String describe() {
      String reason = errorInfo == null ? "" : errorInfo.getReason() + " ";
      String id = requestId == null ? "" : " [request_id " + requestId + "]";
      return reason + "(" + code + "): " + status.getMessage() + id;
    }
  }
}
