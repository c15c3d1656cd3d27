package dev.tally.node.account;

import dev.tally.node.terms.Limits;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The per-minute rate limits of one org. They live in memory beside the account, not in its
 * events: after a failover the buckets start full.
 */
public interface RateGate {

  /** A request that a limit stops, and the real time until it would pass. */
  record Throttled(String limit, Duration retryAfter) {}

  /** Takes one request and {@code credits} from the buckets if both fit; otherwise takes nothing. */
  Optional<Throttled> admit(Limits limits, long credits, Instant now);

  RateGate OPEN = (limits, credits, now) -> Optional.empty();
}
