package dev.tally.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CreditsTest {

  @Test
  void creditsForPeopleHaveSeparatorsAndNoTrailingZeros() {
    assertEquals("0", Credits.withSeparators(0));
    assertEquals("1,234.5", Credits.withSeparators(1_234_500_000L));
    assertEquals("-0.000001", Credits.withSeparators(-1));
    assertEquals("-1,000,000", Credits.withSeparators(-1_000_000_000_000L));
    assertEquals("333.333333", Credits.withSeparators(333_333_333L));
    assertEquals("-9,223,372,036,854.775808", Credits.withSeparators(Long.MIN_VALUE));
    assertEquals("9,223,372,036,854.775807", Credits.withSeparators(Long.MAX_VALUE));
  }

  @Test
  void typedCreditsBecomeExactMicroCredits() {
    assertEquals(12_500_000L, Credits.parse("12.5"));
    assertEquals(1_000_000_000L, Credits.parse(" 1,000 "));
    assertEquals(1L, Credits.parse("0.000001"));
    assertEquals(0L, Credits.parse("0"));
  }

  @Test
  void typedCreditsThatAreNotExactAmountsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Credits.parse("0.0000001"));
    assertThrows(IllegalArgumentException.class, () -> Credits.parse("-5"));
    assertThrows(IllegalArgumentException.class, () -> Credits.parse("1e3"));
    assertThrows(IllegalArgumentException.class, () -> Credits.parse(""));
    assertThrows(IllegalArgumentException.class, () -> Credits.parse("9999999999999999"));
  }
}
