package dev.tally.node.notify;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * When a failed delivery is tried again: Svix's schedule (at once, then after 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h and 10 h: 8 attempts over about 27 h), each wait multiplied by {@code scale}
 * ({@code TALLY_WEBHOOK_RETRY_SCALE}; tests compress it).
 */
public record RetrySchedule(double scale) {

  static final List<Duration> WAITS = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
      Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));

  public RetrySchedule {
    if (!(scale > 0) || scale > 1_000) throw new IllegalArgumentException("a retry scale is above 0 and at most 1000, not " + scale);
  }

  /** The most attempts of one delivery. */
  public static int attempts() {
    return WAITS.size() + 1;
  }

  /** The wait after the failed attempt number {@code attempt} (1 for the first); empty after the last. */
  public Optional<Duration> after(int attempt) {
    if (attempt < 1 || attempt > WAITS.size()) return Optional.empty();
    return Optional.of(Duration.ofNanos((long) (WAITS.get(attempt - 1).toNanos() * scale)));
  }
}
