package dev.tally.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * The one way tests wait for something another process or thread does: ask again every 100 ms
 * until it holds, for at most a bound. Rules that depend on the clock are tested with a clock the
 * test moves instead (the node's in-process fixture), never by waiting.
 */
public final class Eventually {

  private static final Duration POLL = Duration.ofMillis(100);

  private Eventually() {}

  /** True as soon as {@code condition} holds; false if it did not within {@code limit}. */
  public static boolean within(Duration limit, BooleanSupplier condition) throws InterruptedException {
    Instant giveUp = Instant.now().plus(limit);
    while (true) {
      if (condition.getAsBoolean()) return true;
      if (Instant.now().isAfter(giveUp)) return false;
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Returns once {@code condition} holds; fails, naming {@code what} was awaited, if it did not within {@code limit}. */
  public static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
    if (!within(limit, condition)) throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
  }
}
