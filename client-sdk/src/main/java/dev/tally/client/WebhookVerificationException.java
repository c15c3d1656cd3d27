package dev.tally.client;

/**
 * A webhook request failed {@link Webhooks#verify}: answer it with an error status (400 or 401) and
 * do not act on its body. Unchecked, like every SDK failure; switch on {@link #failure()}.
 */
public final class WebhookVerificationException extends RuntimeException {

  /** Why the request was not accepted. */
  public enum Failure {
    /** The secret given to {@code verify} is not {@code whsec_} and the base64 of 24 to 64 bytes. */
    MALFORMED_SECRET,
    /** {@code webhook-id}, {@code webhook-timestamp} or {@code webhook-signature} is missing or empty. */
    MISSING_HEADER,
    /** A header is there but unreadable: a timestamp that is no number, a signature that is not {@code <version>,<base64>}, a header sent twice. */
    MALFORMED_HEADER,
    /** The timestamp is further from now than the tolerance: a late replay, or a clock far off. */
    TIMESTAMP_OUT_OF_TOLERANCE,
    /** No {@code v1} signature matches: another secret, or the id, timestamp or body was changed. */
    NO_MATCHING_SIGNATURE
  }

  private final Failure failure;

  WebhookVerificationException(Failure failure, String message) {
    super(message);
    this.failure = failure;
  }

  public Failure failure() {
    return failure;
  }
}
