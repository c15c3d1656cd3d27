package dev.tally.node.api;

import com.google.rpc.BadRequest.FieldViolation;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.Usage;
import dev.tally.v1.Credits;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks the shape of one request's fields and collects every violation, so a client learns all
 * that is wrong at once (INVALID_ARGUMENT with a {@code BadRequest}). Meaning — does the org or
 * reservation exist, are there credits — is the account's to decide.
 */
final class RequestChecks {

  /** The largest single amount: a billion credits. Keeps every sum of amounts far from overflow. */
  static final long MAX_AMOUNT = Credits.of(1_000_000_000);

  static final int MAX_ID_LENGTH = 128;
  static final int MAX_TEXT_LENGTH = 256;
  private static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  private final List<FieldViolation> violations = new ArrayList<>();

  RequestChecks orgId(String value) {
    if (value.isEmpty()) return violation("org_id", "is required");
    if (!ORG_ID.matcher(value).matches()) {
      return violation("org_id", "must be 1-128 letters, digits or . _ : @ -");
    }
    return this;
  }

  RequestChecks id(String field, String value) {
    if (value.isEmpty()) return violation(field, "is required");
    if (value.length() > MAX_ID_LENGTH) return violation(field, "must be at most " + MAX_ID_LENGTH + " characters");
    if (value.chars().anyMatch(Character::isISOControl)) return violation(field, "must not contain control characters");
    return this;
  }

  RequestChecks optionalId(String field, String value) {
    return value.isEmpty() ? this : id(field, value);
  }

  RequestChecks text(String field, String value, int maxLength) {
    if (value.length() > maxLength) return violation(field, "must be at most " + maxLength + " characters");
    return this;
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
    if (ttl.isNegative() || ttl.isZero()) return violation(field, "must be positive");
    if (ttl.compareTo(max) > 0) return violation(field, "must be at most " + max.toSeconds() + " s");
    return this;
  }

  /** Token counts must not be negative, and the model or call type must be one the price book prices. */
  RequestChecks usage(String field, Usage usage, PriceBook prices) {
    if (usage instanceof Usage.Tokens t) {
      if (t.model().isEmpty()) return violation(field + ".tokens.model", "is required");
      if (t.inputTokens() < 0 || t.outputTokens() < 0 || t.cacheReadTokens() < 0 || t.cacheWriteTokens() < 0) {
        return violation(field + ".tokens", "token counts must not be negative");
      }
      if (!prices.prices(usage)) return violation(field + ".tokens.model", "is not in price book " + prices.version());
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
