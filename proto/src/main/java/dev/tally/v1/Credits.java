package dev.tally.v1;

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
}
