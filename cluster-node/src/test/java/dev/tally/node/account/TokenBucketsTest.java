package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.terms.Limits;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Any per-minute limit an operator may set works, up to the largest long: bucket4j refills at most
 * one token a nanosecond, and a limit past that once failed every charge of the org (found by
 * EveryRpcFuzzTest).
 */
class TokenBucketsTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-05T10:00:00Z"));
  final TokenBuckets buckets = new TokenBuckets(clock);

  @Test
  void limitsBeyondOneTokenANanosecondStillAdmitAndStillLimit() {
    Limits huge = new Limits(Long.MAX_VALUE, Long.MAX_VALUE, 0);
    assertTrue(buckets.admit(huge, 1_000_000_000_000_000L, clock.instant()).isEmpty());

    long limit = 1_000_000_000_000_000_000L; // 10^18 µcr a minute
    Limits large = new Limits(0, limit, 0);
    long twoFifths = limit / 5 * 2;
    assertTrue(buckets.admit(large, twoFifths, clock.instant()).isEmpty());
    assertTrue(buckets.admit(large, twoFifths, clock.instant()).isEmpty());
    RateGate.Throttled throttled = buckets.admit(large, twoFifths, clock.instant()).orElseThrow();
    assertEquals("credits_per_minute", throttled.limit());
    clock.advance(throttled.retryAfter().plusMillis(1)); // the refusal rounds the wait up to whole ms
    assertTrue(buckets.admit(large, twoFifths, clock.instant()).isEmpty(), "after the advertised wait it passes");
  }
}
