package dev.tally.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StartLimitTest {

  private static final Instant BEGIN = Instant.parse("2026-12-03T12:00:00Z");
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void aStartWhoseLogStopsGrowingIsGivenUpOneTimeoutAfterItsLastLine() {
    StartLimit limit = new StartLimit(BEGIN, TIMEOUT);
    limit.logSizeAt(1_000, at(0));
    limit.logSizeAt(5_000, at(30));
    limit.logSizeAt(5_000, at(100));
    assertFalse(limit.passed(at(150)));
    assertTrue(limit.passed(at(151)));
    assertEquals("within 151 s (its log has not grown for 120 s)", limit.reason(at(151)));
  }

  @Test
  void aStartThatKeepsLoggingIsWaitedForPastTheTimeoutButNotForever() {
    StartLimit limit = new StartLimit(BEGIN, TIMEOUT);
    for (int second = 0; second <= 600; second += 10) {
      limit.logSizeAt(1_000 + second, at(second));
      assertFalse(limit.passed(at(second)), "still logging at " + second + " s");
    }
    limit.logSizeAt(99_999, at(601));
    assertTrue(limit.passed(at(601)));
    assertEquals("within 600 s", limit.reason(at(601)));
  }

  @Test
  void aLogThatNeverAppearsCountsFromTheStart() {
    StartLimit limit = new StartLimit(BEGIN, TIMEOUT);
    assertFalse(limit.passed(at(120)));
    assertTrue(limit.passed(at(121)));
  }

  private static Instant at(int seconds) {
    return BEGIN.plusSeconds(seconds);
  }
}
