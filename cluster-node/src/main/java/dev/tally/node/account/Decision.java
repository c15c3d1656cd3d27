package dev.tally.node.account;

import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.account.Outcome.Result;
import dev.tally.node.account.RateGate.Throttled;
import dev.tally.node.account.RequestMemory.Resolution;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What deciding on one operation gave: events to persist, an answer without change, or a refusal. */
public sealed interface Decision {

  record Persist(List<OrgEvent> events) implements Decision {
    static Persist of(OrgEvent event) {
      return new Persist(List.of(event));
    }
  }

  record Answer(Result result) implements Decision {}

  /** Nothing changes; {@code facts} carry numbers a program may act on. Each kind of refusal is built here. */
  record Refuse(Rejection reason, String message, Map<String, String> facts) implements Decision {

    static Refuse orgNotFound() {
      return new Refuse(Rejection.ORG_NOT_FOUND, "no org with this id exists", Map.of());
    }

    static Refuse orgExists(String orgId) {
      return new Refuse(Rejection.ORG_EXISTS, "org " + orgId + " exists with another name or plan", Map.of());
    }

    static Refuse grantExists(String grantId) {
      return new Refuse(Rejection.GRANT_EXISTS, "grant " + grantId + " exists", Map.of());
    }

    static Refuse grantNotFound(String grantId) {
      return new Refuse(Rejection.GRANT_NOT_FOUND, "no grant " + grantId + " with credits left", Map.of());
    }

    /** A bound on what one org may hold ({@code limit}: "grants" or "debt") would be passed. */
    static Refuse accountLimit(String limit, long bound) {
      return new Refuse(Rejection.ACCOUNT_LIMIT, "the org's " + limit + " would pass their bound of " + bound,
          Map.of("limit", limit, "bound", Long.toString(bound)));
    }

    static Refuse noRewards() {
      return new Refuse(Rejection.NO_REWARDS, "the reward balance is empty: nothing to transfer", Map.of());
    }

    static Refuse idempotencyMismatch(String requestId) {
      return new Refuse(Rejection.IDEMPOTENCY_MISMATCH, "request id " + requestId + " was used for another request",
          Map.of());
    }

    static Refuse creditsExhausted(long wanted, long available) {
      return new Refuse(
          Rejection.CREDITS_EXHAUSTED,
          "needs " + wanted + " µcr but " + available + " µcr are available",
          Map.of("requested", Long.toString(wanted), "available", Long.toString(available)));
    }

    static Refuse rateLimited(Throttled throttled) {
      // Rounded up: a retry after the advertised wait must pass.
      long waitMillis = (throttled.retryAfter().toNanos() + 999_999) / 1_000_000;
      return new Refuse(
          Rejection.RATE_LIMITED,
          "the org's " + throttled.limit() + " limit is reached; retry in " + waitMillis + " ms",
          Map.of("limit", throttled.limit(), "retry_after_ms", Long.toString(waitMillis)));
    }

    /** Rule 5: a reservation that is not open was never made, or says how it was resolved ({@code resolution}, or null). */
    static Refuse unknownOrResolved(String reservationId, Resolution resolution) {
      if (resolution == null) {
        return new Refuse(Rejection.RESERVATION_NOT_FOUND, "no open reservation " + reservationId, Map.of());
      }
      String how = resolution.how().name().toLowerCase(Locale.ROOT);
      return new Refuse(
          Rejection.RESERVATION_RESOLVED,
          "reservation " + reservationId + " was already " + how + " at " + resolution.at(),
          Map.of("resolution", how, "resolved_at", resolution.at().toString()));
    }
  }
}
