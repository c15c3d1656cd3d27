package dev.tally.node.api;

import com.google.rpc.BadRequest.FieldViolation;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.Usage;
import dev.tally.v1.Credits;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.LongStream;

/**
 * Checks the shape of one request's fields and collects every violation, so a client learns all
 * that is wrong at once (INVALID_ARGUMENT with a {@code BadRequest}). Meaning — does the org or
 * reservation exist, are there credits — is the account's to decide.
 */
final class RequestChecks {

  /** The largest single amount: a billion credits. Keeps every sum of amounts far from overflow. */
  static final long MAX_AMOUNT = Credits.of(1_000_000_000);

  /** The most tokens of one kind a usage or estimate may report: a trillion. */
  static final long MAX_TOKENS = 1_000_000_000_000L;

  /** Timestamps from year 1 to 9999, as google.protobuf.Timestamp defines them. */
  private static final long MIN_SECONDS = -62_135_596_800L;
  private static final long MAX_SECONDS = 253_402_300_799L;
  /** The range of google.protobuf.Duration: about 10,000 years either way. */
  private static final long MAX_DURATION_SECONDS = 315_576_000_000L;

  static final int MAX_ID_LENGTH = 128;
  static final int MAX_TEXT_LENGTH = 256;
  private static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  static final int MAX_PAYMENT_REFERENCE_LENGTH = 100;
  private static final Pattern PAYMENT_REFERENCE =
      Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_PAYMENT_REFERENCE_LENGTH + "}");

  private final List<FieldViolation> violations = new ArrayList<>();

  RequestChecks orgId(String value) {
    return entityName("org_id", value);
  }

  RequestChecks id(String field, String value) {
    if (value.isEmpty()) return violation(field, "is required");
    if (value.length() > MAX_ID_LENGTH) return violation(field, "must be at most " + MAX_ID_LENGTH + " characters");
    if (value.chars().anyMatch(Character::isISOControl)) return violation(field, "must not contain control characters");
    return this;
  }

  /**
   * The id of a batch of redemption codes, which is the request id that made it: it names the
   * batch's entity, so it has an org id's characters (no '|', which Pekko reserves).
   */
  RequestChecks batchId(String field, String value) {
    return entityName(field, value);
  }

  /** An id that names an entity (an org, a batch of codes): an org id's characters, none Pekko reserves. */
  private RequestChecks entityName(String field, String value) {
    if (value.isEmpty()) return violation(field, "is required");
    if (!ORG_ID.matcher(value).matches()) return violation(field, "must be 1-128 letters, digits or . _ : @ -");
    return this;
  }

  /**
   * A payment system's id of a payment (PurchasePackage): it becomes part of a grant id, so it is
   * short enough to leave room for the "purchase:" prefix within an id's 128 characters.
   */
  RequestChecks paymentReference(String value) {
    if (value.isEmpty()) return violation("payment_reference", "is required");
    if (!PAYMENT_REFERENCE.matcher(value).matches()) {
      return violation("payment_reference", "must be 1-" + MAX_PAYMENT_REFERENCE_LENGTH + " letters, digits or . _ : @ -");
    }
    return this;
  }

  /** The key_id of an API key, as CreateApiKey, RotateApiKey and ListApiKeys give it. */
  RequestChecks keyId(String value) {
    if (value.isEmpty()) return violation("key_id", "is required");
    if (!ApiKeyRegistry.KEY_ID.matcher(value).matches()) {
      return violation("key_id", "must be a key_id CreateApiKey, RotateApiKey or ListApiKeys gave: key_ and 24 hex digits");
    }
    return this;
  }

  RequestChecks optionalId(String field, String value) {
    return value.isEmpty() ? this : id(field, value);
  }

  /** Free text a person reads: bounded, and without control or bidirectional-override characters that could forge what a terminal or page shows. */
  RequestChecks text(String field, String value, int maxLength) {
    if (value.length() > maxLength) return violation(field, "must be at most " + maxLength + " characters");
    for (int i = 0; i < value.length(); ) {
      int codePoint = value.codePointAt(i);
      if (forgesDisplay(codePoint)) {
        return violation(field, "must not contain control, format or bidirectional-override characters");
      }
      i += Character.charCount(codePoint);
    }
    return this;
  }

  private static boolean forgesDisplay(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  /** The instant a timestamp field names, or null (and a violation) outside years 1–9999 or with nanos out of range. */
  Instant instant(String field, Timestamp timestamp) {
    if (timestamp.getSeconds() < MIN_SECONDS || timestamp.getSeconds() > MAX_SECONDS
        || timestamp.getNanos() < 0 || timestamp.getNanos() > 999_999_999) {
      violation(field, "must be a timestamp between the years 1 and 9999");
      return null;
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }

  /** The duration a field names, or null (and a violation) when its seconds and nanos disagree in sign or are out of range. */
  Duration duration(String field, com.google.protobuf.Duration duration) {
    long seconds = duration.getSeconds();
    int nanos = duration.getNanos();
    // Compared, not Math.abs: the absolute value of the smallest long (or int) is itself, negative.
    if (seconds < -MAX_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS || nanos < -999_999_999 || nanos > 999_999_999
        || (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0)) {
      violation(field, "must be a valid duration");
      return null;
    }
    return Duration.ofSeconds(seconds, nanos);
  }

  RequestChecks positiveAmount(String field, long value) {
    if (value <= 0) return violation(field, "must be greater than 0 micro-credits");
    return belowMaximum(field, value);
  }

  RequestChecks nonNegativeAmount(String field, long value) {
    if (value < 0) return violation(field, "must not be negative");
    return belowMaximum(field, value);
  }

  private RequestChecks belowMaximum(String field, long value) {
    if (value > MAX_AMOUNT) return violation(field, "must be at most " + MAX_AMOUNT + " micro-credits");
    return this;
  }

  RequestChecks ttl(String field, Duration ttl, Duration max) {
    if (ttl == null) return this;  // not a duration: already a violation
    if (ttl.isNegative() || ttl.isZero()) return violation(field, "must be positive");
    if (ttl.compareTo(max) > 0) return violation(field, "must be at most " + max.toSeconds() + " s");
    return this;
  }

  /** Token counts must not be negative, and the model or call type must be one the price book prices. */
  RequestChecks usage(String field, Usage usage, PriceBook prices) {
    if (usage instanceof Usage.Tokens t) {
      if (t.model().isEmpty()) return violation(field + ".tokens.model", "is required");
      if (LongStream.of(t.inputTokens(), t.outputTokens(), t.cacheReadTokens(), t.cacheWriteTokens())
          .anyMatch(count -> count < 0 || count > MAX_TOKENS)) {
        return violation(field + ".tokens", "token counts must be between 0 and " + MAX_TOKENS);
      }
      if (!prices.prices(usage)) return violation(field + ".tokens.model", "is not in price book " + prices.version());
      if (prices.cost(usage, 1000).amount() > MAX_AMOUNT) {
        return violation(field + ".tokens", "costs more than " + MAX_AMOUNT + " micro-credits at list price");
      }
      return this;
    }
    if (usage.callType().isEmpty()) return violation(field, "needs tokens or a call_type");
    if (!prices.prices(usage)) return violation(field + ".call_type", "is not in price book " + prices.version());
    return this;
  }

  RequestChecks require(boolean condition, String field, String description) {
    return condition ? this : violation(field, description);
  }

  RequestChecks violation(String field, String description) {
    violations.add(FieldViolation.newBuilder().setField(field).setDescription(description).build());
    return this;
  }

  /** Null when the request is well-formed, else the error to send. */
  StatusRuntimeException failure() {
    return violations.isEmpty() ? null : TallyErrors.invalid(violations);
  }
}
