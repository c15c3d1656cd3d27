package dev.tally.node.account;

import dev.tally.node.terms.Limits;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Requests-per-minute and credits-per-minute token buckets (bucket4j, greedy refill), timed by the
 * entity's clock so tests can move time. Rebuilt full when the org's limits change.
 */
final class TokenBuckets implements RateGate {

  private final TimeMeter time;
  private Limits limits;
  private PerMinute requests;
  private PerMinute credits;

  TokenBuckets(Clock clock) {
    this.time = new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  @Override
  public Optional<Throttled> admit(Limits wanted, long amount, Instant now) {
    if (!wanted.equals(limits)) {
      limits = wanted;
      requests = perMinute(wanted.requestsPerMinute());
      credits = perMinute(wanted.creditsPerMinute());
    }
    if (wanted.creditsPerMinute() > 0 && amount > wanted.creditsPerMinute()) {
      // More than a whole minute's worth can never pass; a minute is the honest wait for a smaller retry.
      return Optional.of(new Throttled("credits_per_minute", Duration.ofMinutes(1)));
    }
    Optional<Throttled> throttled = wait(requests, 1, "requests_per_minute")
        .or(() -> wait(credits, amount, "credits_per_minute"));
    if (throttled.isPresent()) return throttled;
    if (requests != null) requests.bucket().tryConsume(1);
    if (credits != null && amount > 0) credits.bucket().tryConsume(credits.tokens(amount));
    return Optional.empty();
  }

  private Optional<Throttled> wait(PerMinute limit, long amount, String name) {
    if (limit == null || amount == 0) return Optional.empty();
    EstimationProbe probe = limit.bucket().estimateAbilityToConsume(limit.tokens(amount));
    if (probe.canBeConsumed()) return Optional.empty();
    return Optional.of(new Throttled(name, Duration.ofNanos(probe.getNanosToWaitForRefill())));
  }

  /**
   * A per-minute limit as a bucket of tokens worth {@code unit} each. bucket4j refills at most one
   * token a nanosecond (6·10^10 a minute), so a larger limit counts in coarser units, rounding each
   * request up to whole ones.
   */
  private record PerMinute(Bucket bucket, long unit) {
    long tokens(long amount) {
      return amount / unit + (amount % unit == 0 ? 0 : 1);
    }
  }

  private static final long MOST_TOKENS_A_MINUTE = 60_000_000_000L;

  private PerMinute perMinute(long limit) {
    if (limit <= 0) return null;
    long unit = limit / MOST_TOKENS_A_MINUTE + (limit % MOST_TOKENS_A_MINUTE == 0 ? 0 : 1);
    long capacity = limit / unit + (limit % unit == 0 ? 0 : 1);
    Bucket bucket = Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofMinutes(1)).build())
        .withCustomTimePrecision(time)
        .build();
    return new PerMinute(bucket, unit);
  }
}
