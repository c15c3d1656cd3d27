package dev.tally.node.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WrongCodeThrottleTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T10:00:00Z"));
  final WrongCodeThrottle throttle = new WrongCodeThrottle(clock);

  @Test
  void tenWrongCodesAMinuteAreAllowedAndTheEleventhWaitsForATokenToComeBack() {
    for (int i = 0; i < WrongCodeThrottle.WRONG_CODES_PER_MINUTE; i++) {
      assertEquals(Optional.empty(), throttle.waitFor("guesser"), "guess " + (i + 1));
      throttle.wrongCode("guesser");
    }

    assertEquals(Optional.of(Duration.ofSeconds(6)), throttle.waitFor("guesser"));
    clock.advance(Duration.ofSeconds(6));
    assertEquals(Optional.empty(), throttle.waitFor("guesser"));
  }

  @Test
  void oneOrgsGuessesDoNotThrottleAnother() {
    for (int i = 0; i < WrongCodeThrottle.WRONG_CODES_PER_MINUTE; i++) throttle.wrongCode("guesser");

    assertTrue(throttle.waitFor("guesser").isPresent());
    assertEquals(Optional.empty(), throttle.waitFor("honest"));
  }

  @Test
  void aMinuteWithoutWrongCodesGivesTheWholeAllowanceBack() {
    for (int i = 0; i < WrongCodeThrottle.WRONG_CODES_PER_MINUTE; i++) throttle.wrongCode("guesser");
    clock.advance(Duration.ofMinutes(1));

    for (int i = 0; i < WrongCodeThrottle.WRONG_CODES_PER_MINUTE; i++) {
      assertEquals(Optional.empty(), throttle.waitFor("guesser"));
      throttle.wrongCode("guesser");
    }
  }
}
