package dev.tally.node.code;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force guessing of redemption codes, throttled: each org may name {@link #WRONG_CODES_PER_MINUTE}
 * codes that do not exist per minute on each node (a token bucket per org, refilled continuously);
 * past that, every redeem of the org is refused until a token is back. The bound is per node: with
 * n nodes an org guesses at most n times as often, still hopeless against ≥ 136 random bits. At most
 * {@link #MAX_ORGS} orgs are tracked: when that many are, the orgs whose buckets are full again are
 * forgotten, and while every tracked bucket is still refilling a newcomer is not tracked (memory stays
 * bounded; throttling that many guessing orgs at once is beyond what one node needs to do).
 */
public final class WrongCodeThrottle {

  public static final int WRONG_CODES_PER_MINUTE = 10;
  static final int MAX_ORGS = 100_000;
  private static final Duration REFILL = Duration.ofMinutes(1).dividedBy(WRONG_CODES_PER_MINUTE);

  /** An org's bucket: full again at {@code fullAt}; it holds (fullAt - now) / REFILL fewer tokens than full. */
  private record Bucket(Instant fullAt) {}

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Clock clock;

  public WrongCodeThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code orgId} must wait before its next redeem, or empty when it may redeem now. */
  public Optional<Duration> waitFor(String orgId) {
    Bucket bucket = buckets.get(orgId);
    if (bucket == null) return Optional.empty();
    Duration untilFull = Duration.between(clock.instant(), bucket.fullAt());
    Duration wait = untilFull.minus(REFILL.multipliedBy(WRONG_CODES_PER_MINUTE - 1));
    return wait.isNegative() || wait.isZero() ? Optional.empty() : Optional.of(wait);
  }

  /** Takes a token from {@code orgId}: it named a code that does not exist. */
  public void wrongCode(String orgId) {
    Instant now = clock.instant();
    if (buckets.size() >= MAX_ORGS && !buckets.containsKey(orgId)) {
      buckets.values().removeIf(bucket -> !bucket.fullAt().isAfter(now));
      if (buckets.size() >= MAX_ORGS) return;
    }
    buckets.merge(orgId, new Bucket(now.plus(REFILL)),
        (old, fresh) -> new Bucket((old.fullAt().isAfter(now) ? old.fullAt() : now).plus(REFILL)));
  }
}
