package dev.tally.client;

import com.google.rpc.RetryInfo;
import java.time.Duration;
import java.util.Optional;

/**
 * No node could complete the call before the SDK ran out of retries or the deadline passed:
 * nodes unreachable or draining, the org's account busy (BACKPRESSURE) or slow (TIMEOUT), the node
 * stopping before it answered (NODE_STOPPING). The
 * outcome is unknown — the node may have applied it. Retrying later with the same
 * {@link #requestId()} is safe: it is applied at most once.
 */
public final class TallyUnavailableException extends TallyException {

  TallyUnavailableException(Failure failure) {
    super(failure);
  }

  /** When the node suggested to retry, from its {@code RetryInfo}. */
  public Optional<Duration> retryAfter() {
    return detail(RetryInfo.class).map(info -> Duration.ofSeconds(info.getRetryDelay().getSeconds(), info.getRetryDelay().getNanos()));
  }
}
