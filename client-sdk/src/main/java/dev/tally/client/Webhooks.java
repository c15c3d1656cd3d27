package dev.tally.client;

import dev.tally.v1.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Checks that a webhook request came from Tally, per the Standard Webhooks specification: its
 * {@code webhook-signature} header holds, among space-separated entries, one {@code v1,<base64>}
 * HMAC-SHA256 of {@code <webhook-id>.<webhook-timestamp>.<body>} under the endpoint's secret, and its
 * {@code webhook-timestamp} is within a tolerance of now (5 minutes unless told), so a recorded
 * request cannot be replayed later. While an endpoint's secret is being rotated a request carries a
 * signature under each secret: either one passes.
 *
 * <p>Verify the raw body, byte for byte as received, before parsing it: a re-serialized JSON
 * document has other bytes. Deduplicate on {@code webhook-id}: a delivery may come more than once.
 */
public final class Webhooks {

  public static final String ID_HEADER = "webhook-id";
  public static final String TIMESTAMP_HEADER = "webhook-timestamp";
  public static final String SIGNATURE_HEADER = "webhook-signature";
  /** How far a request's timestamp may be from now, either way, unless told otherwise. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private Webhooks() {}

  /**
   * Returns quietly when the request is signed with {@code secret} ({@code whsec_...}) and its
   * timestamp is within {@link #DEFAULT_TOLERANCE} of now.
   *
   * @param headers the request's headers; names are matched ignoring case
   * @throws WebhookVerificationException otherwise, with {@link WebhookVerificationException#failure()} saying why
   */
  public static void verify(String secret, Map<String, String> headers, byte[] body) {
    verify(secret, headers, body, DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /** {@link #verify(String, Map, byte[])} of a body given as text (its UTF-8 bytes). */
  public static void verify(String secret, Map<String, String> headers, String body) {
    verify(secret, headers, body.getBytes(StandardCharsets.UTF_8));
  }

  /** {@link #verify(String, Map, byte[])} with another tolerance, against {@code clock}'s now. */
  public static void verify(String secret, Map<String, String> headers, byte[] body, Duration tolerance, Clock clock) {
    byte[] key;
    try {
      key = WebhookSignature.key(secret);
    } catch (IllegalArgumentException e) {
      throw new WebhookVerificationException(WebhookVerificationException.Failure.MALFORMED_SECRET, e.getMessage());
    }
    String id = header(headers, ID_HEADER);
    String timestampText = header(headers, TIMESTAMP_HEADER);
    String signatures = header(headers, SIGNATURE_HEADER);
    long timestamp;
    try {
      timestamp = Long.parseLong(timestampText.trim());
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException(WebhookVerificationException.Failure.MALFORMED_HEADER,
          TIMESTAMP_HEADER + " must be whole seconds since the epoch");
    }
    long now = clock.instant().getEpochSecond();
    long toleranceSeconds = tolerance.getSeconds();
    // A timestamp beyond Instant's range is refused before the difference, which then cannot overflow.
    boolean inRange = timestamp >= Instant.MIN.getEpochSecond() && timestamp <= Instant.MAX.getEpochSecond();
    if (!inRange || Math.abs(now - timestamp) > toleranceSeconds) {
      throw new WebhookVerificationException(WebhookVerificationException.Failure.TIMESTAMP_OUT_OF_TOLERANCE,
          TIMESTAMP_HEADER + " " + timestamp + " is more than " + toleranceSeconds + " s from now (" + now + ")");
    }
    boolean matched;
    try {
      matched = WebhookSignature.anyMatches(key, id, timestamp, body, signatures);
    } catch (IllegalArgumentException e) {
      throw new WebhookVerificationException(WebhookVerificationException.Failure.MALFORMED_HEADER,
          SIGNATURE_HEADER + ": " + e.getMessage());
    }
    if (!matched) {
      throw new WebhookVerificationException(WebhookVerificationException.Failure.NO_MATCHING_SIGNATURE,
          "no v1 signature of " + SIGNATURE_HEADER + " matches this secret, id, timestamp and body");
    }
  }

  /**
   * The {@code webhook-signature} entry ({@code v1,<base64>}) a sender signs a delivery with: the
   * node signs the same way. To test a receiver, send {@code id}, {@code timestamp.getEpochSecond()}
   * and this in the three headers.
   *
   * @throws IllegalArgumentException when {@code secret} is not {@code whsec_<base64>} of 24 to 64 bytes
   */
  public static String sign(String secret, String id, Instant timestamp, byte[] body) {
    return WebhookSignature.sign(WebhookSignature.key(secret), id, timestamp.getEpochSecond(), body);
  }

  private static String header(Map<String, String> headers, String name) {
    String found = null;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey() != null && header.getKey().equalsIgnoreCase(name)) {
        if (found != null) {
          throw new WebhookVerificationException(WebhookVerificationException.Failure.MALFORMED_HEADER,
              "the request has " + name + " more than once");
        }
        found = header.getValue();
      }
    }
    if (found == null || found.isBlank()) {
      throw new WebhookVerificationException(WebhookVerificationException.Failure.MISSING_HEADER,
          "the request has no " + name + " header");
    }
    return found;
  }
}
