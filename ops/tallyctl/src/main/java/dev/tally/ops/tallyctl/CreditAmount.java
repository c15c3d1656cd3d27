package dev.tally.ops.tallyctl;

import dev.tally.v1.Credits;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Credits as people type them ({@code 12.5}) turned exactly into the micro-credits Tally counts in
 * (12,500,000). Printing goes the other way through the SDK's {@link Credits#format}.
 */
final class CreditAmount {

  private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?");
  private static final int MICRO_DIGITS = 6;

  private CreditAmount() {}

  /** A positive amount of credits with at most 6 decimals, in micro-credits. */
  static long parse(String credits) {
    long micros = parseAllowingZero(credits);
    if (micros == 0) throw Failure.usage("amount must be more than 0 credits");
    return micros;
  }

  /** Like {@link #parse}, where 0 means something (an unlimited rate, no floor). */
  static long parseAllowingZero(String credits) {
    if (!DECIMAL.matcher(credits).matches()) {
      throw Failure.usage("amount '" + credits + "' is not a number of credits (e.g. 10 or 12.5)");
    }
    BigDecimal amount = new BigDecimal(credits);
    if (amount.stripTrailingZeros().scale() > MICRO_DIGITS) {
      throw Failure.usage("amount " + credits + " has more than 6 decimals (1 micro-credit = 0.000001 credits)");
    }
    try {
      return amount.movePointRight(MICRO_DIGITS).longValueExact();
    } catch (ArithmeticException e) {
      throw Failure.usage("amount " + credits + " is too large");
    }
  }
}
