package dev.tally.ops.cassandra;

import java.time.Duration;
import java.time.Instant;

/**
 * When the launcher gives up on a starting Cassandra: once its log has not grown for the start
 * timeout (stuck), or after {@link #MOST_TIMEOUTS} times the timeout in all. A start that keeps
 * logging on a machine busy with other work is waited for, not given up at a fixed deadline (issue 21:
 * a second start at a load of 40 ran into the fixed 120 s).
 */
final class StartLimit {

  static final int MOST_TIMEOUTS = 5;

  private final Instant begin;
  private final Duration timeout;
  private long logSize = -1;
  private Instant lastGrowth;

  StartLimit(Instant begin, Duration timeout) {
    this.begin = begin;
    this.timeout = timeout;
    this.lastGrowth = begin;
  }

  /** What the log's size was at {@code now}. */
  void logSizeAt(long size, Instant now) {
    if (size != logSize) {
      logSize = size;
      lastGrowth = now;
    }
  }

  boolean passed(Instant now) {
    return now.isAfter(lastGrowth.plus(timeout)) || now.isAfter(begin.plus(timeout.multipliedBy(MOST_TIMEOUTS)));
  }

  /** Why it passed, for the error: e.g. "its log has not grown for 120 s". */
  String reason(Instant now) {
    if (now.isAfter(begin.plus(timeout.multipliedBy(MOST_TIMEOUTS)))) {
      return "within " + timeout.multipliedBy(MOST_TIMEOUTS).toSeconds() + " s";
    }
    return "within " + Duration.between(begin, now).toSeconds() + " s (its log has not grown for "
        + timeout.toSeconds() + " s)";
  }
}
