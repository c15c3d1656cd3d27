package dev.tally.v1;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Credits and micro-credits. Every amount in Tally is a {@code long} count of micro-credits
 * (1 credit = 1,000,000 µcr); no floating point anywhere. This converts for humans.
 */
public final class Credits {

  /** Micro-credits in one credit. */
  public static final long MICROS_PER_CREDIT = 1_000_000L;

  private Credits() {}

  /** Whole credits as micro-credits; throws {@link ArithmeticException} on overflow. */
  public static long of(long credits) {
    return Math.multiplyExact(credits, MICROS_PER_CREDIT);
  }

  /** Micro-credits for display, e.g. {@code 1234567} → {@code "1.234567"}, {@code -500000} → {@code "-0.500000"}. */
  public static String format(long microCredits) {
    String sign = microCredits < 0 ? "-" : "";
    long abs = Math.abs(microCredits);  // Long.MIN_VALUE is far beyond any Tally amount
    return sign + (abs / MICROS_PER_CREDIT) + "." + String.format("%06d", abs % MICROS_PER_CREDIT);
  }

  /**
   * Micro-credits for people, with thousands separators and no trailing zeros: {@code 1234500000} →
   * {@code "1,234.5"}, {@code -1} → {@code "-0.000001"}, {@code 0} → {@code "0"}. What the console shows.
   */
  public static String withSeparators(long microCredits) {
    long whole = microCredits / MICROS_PER_CREDIT;
    long fraction = Math.abs(microCredits % MICROS_PER_CREDIT);  // both parts fit: no Math.abs(Long.MIN_VALUE)
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%,d", Math.abs(whole)));
    if (microCredits < 0) text.insert(0, '-');
    if (fraction != 0) {
      String digits = String.format(Locale.ROOT, "%06d", fraction);
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') end--;
      text.append('.').append(digits, 0, end);
    }
    return text.toString();
  }

  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,16}(\\.[0-9]{1,6})?");

  /**
   * Credits as people type them ({@code 12.5}, {@code 1,000}) in micro-credits (12,500,000), exactly;
   * at least 0, at most 6 decimals. Throws {@link IllegalArgumentException} with a sentence for people.
   */
  public static long parse(String credits) {
    String plain = credits.strip().replace(",", "");
    if (!DECIMAL.matcher(plain).matches()) {
      throw new IllegalArgumentException("not a number of credits with at most 6 decimals (e.g. 10 or 12.5)");
    }
    try {
      return new BigDecimal(plain).movePointRight(6).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("too large a number of credits");
    }
  }
}
