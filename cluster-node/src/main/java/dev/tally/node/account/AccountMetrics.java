package dev.tally.node.account;

import java.time.Duration;

/**
 * What org accounts report about themselves; the node's metrics registry implements it. A report
 * an implementation does not override is ignored.
 */
public interface AccountMetrics {

  /** One journal write of {@code events} events took {@code took}. */
  default void written(int events, Duration took) {}

  /** Holds released because nobody committed or released them in time. */
  default void reservationsExpired(int count) {}

  /** An org's account came into memory (recovered) or left it. */
  default void accountStarted() {}

  default void accountStopped() {}

  /**
   * A snapshot could not be saved (for example one past the journal's frame limit): recovery then
   * replays every event since the last saved one, so an operator needs to know.
   */
  default void snapshotFailed() {}

  /**
   * {@code count} requests a batch pushes out of an org's memory inside their window were written
   * to the request table in front of it: the batch waited on that write.
   */
  default void requestsSpilled(int count) {}

  /** {@code count} requests of a nearly full memory were written to the request table ahead, while the org went on. */
  default void requestsWrittenAhead(int count) {}

  /** One lookup of {@code count} request ids an org no longer remembered, in the request table. */
  default void requestsLookedUp(int count) {}

  AccountMetrics NONE = new AccountMetrics() {};
}
