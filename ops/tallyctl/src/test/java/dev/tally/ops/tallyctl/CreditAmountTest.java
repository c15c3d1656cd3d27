package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CreditAmountTest {

  @Test
  void creditsWithUpToSixDecimalsAreExactMicroCredits() {
    assertEquals(12_500_000L, CreditAmount.parse("12.5"));
    assertEquals(1L, CreditAmount.parse("0.000001"));
    assertEquals(10_000_000L, CreditAmount.parse("10"));
    assertEquals(1_500_000L, CreditAmount.parse("1.50000000"), "trailing zeros add no precision");
    assertEquals(1_000_000_000_000_000L, CreditAmount.parse("1000000000"), "a billion credits, the most one grant may hold");
  }

  @Test
  void moreThanSixDecimalsIsRefusedRatherThanRounded() {
    Failure failure = assertThrows(Failure.class, () -> CreditAmount.parse("0.0000015"));
    assertEquals(ExitCode.USAGE, failure.exitCode);
  }

  @Test
  void onlyPositivePlainDecimalsAreAmounts() {
    for (String text : new String[] {"0", "0.000000", "-5", "1e3", "12,5", "", " 1", "abc", "99999999999999"}) {
      Failure failure = assertThrows(Failure.class, () -> CreditAmount.parse(text), text);
      assertEquals(ExitCode.USAGE, failure.exitCode, text);
    }
  }
}
