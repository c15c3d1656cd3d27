package dev.tally.client;

import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import java.time.Duration;
import java.util.List;

/**
 * A rate limit of the org (requests or credits per minute, or concurrent reservations) is reached;
 * nothing changed. The SDK does not retry it on its own: wait {@link #retryAfter()} and try again,
 * or tell your user.
 */
public final class RateLimitedException extends TallyException {

  RateLimitedException(Failure failure) {
    super(failure);
  }

  /** How long to wait before the same call can pass, from the node's {@code RetryInfo} (zero if it sent none). */
  public Duration retryAfter() {
    return detail(RetryInfo.class)
        .map(info -> Duration.ofSeconds(info.getRetryDelay().getSeconds(), info.getRetryDelay().getNanos()))
        .orElse(Duration.ZERO);
  }

  /** The limits that were hit, from the node's {@code QuotaFailure}: each violation's subject names the limit. */
  public List<QuotaFailure.Violation> violations() {
    return detail(QuotaFailure.class).map(QuotaFailure::getViolationsList).orElse(List.of());
  }
}
