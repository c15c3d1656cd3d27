package dev.tally.node.account;

import java.time.Duration;

/** What org accounts report about themselves; the node's metrics registry implements it. */
public interface AccountMetrics {

  /** One journal write of {@code events} events took {@code took}. */
  void written(int events, Duration took);

  /** Holds released because nobody committed or released them in time. */
  void reservationsExpired(int count);

  /** An org's account came into memory (recovered) or left it. */
  void accountStarted();

  void accountStopped();

  /**
   * A snapshot could not be saved (for example one past the journal's frame limit): recovery then
   * replays every event since the last saved one, so an operator needs to know.
   */
  void snapshotFailed();

  AccountMetrics NONE = new AccountMetrics() {
    @Override
    public void written(int events, Duration took) {}

    @Override
    public void reservationsExpired(int count) {}

    @Override
    public void accountStarted() {}

    @Override
    public void accountStopped() {}

    @Override
    public void snapshotFailed() {}
  };
}
