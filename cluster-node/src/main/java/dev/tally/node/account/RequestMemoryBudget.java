package dev.tally.node.account;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many request ids and resolved reservations the orgs of one node may remember in all: the node-wide bound on
 * the request memory, which {@code tally.idempotency.max-entries} gives only per org.
 *
 * <p>Each org tells the budget what it holds after each write, its recovery and its stop, and decides each batch
 * with {@link #maxEntries}: its configured max-entries while the node holds no more than the budget, above it the
 * budget's share per org holding any, never below {@code floor} (a batch's own requests stay in memory until it is
 * written, so at least the largest batch). What a smaller max-entries pushes out of an org's memory is written to the
 * request table before the batch is persisted, as at the configured one, so a retry still finds it.
 *
 * <p>An org's memory changes only when it writes, so one that stays idle keeps what it holds: above the budget the
 * node asks the idle orgs holding most to leave memory ({@link #askIdleToLeave}); one with an open hold stays (rule 4:
 * its holds expire on time) and trims with its next write, and one that leaves remembers with the max-entries of
 * the moment when it recovers.
 *
 * <p>Thread-safe: orgs report from their actors' threads, the node reads from a timer.
 */
public final class RequestMemoryBudget {

  /** What one org holds, when it last wrote (nanos), and how to ask it to leave memory (null: it stays until it writes). */
  record Holding(int entries, long wroteAt, Runnable askToLeave) {}

  /** No node-wide bound: each org remembers up to its own max-entries. */
  public static RequestMemoryBudget unbounded() {
    return new RequestMemoryBudget(Long.MAX_VALUE, 1);
  }

  private final long entries;
  private final int floor;
  private final Map<String, Holding> held = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  /**
   * @param entries how many request ids and resolutions the node's orgs may remember in all
   * @param floor the least max-entries an org decides with (at least the largest batch)
   */
  public RequestMemoryBudget(long entries, int floor) {
    if (entries < 1 || floor < 1) throw new IllegalArgumentException("a request memory budget needs entries and a floor of at least 1");
    this.entries = entries;
    this.floor = floor;
  }

  /** The max-entries an org decides its next batch with, given the one it is configured with. */
  int maxEntries(int configured) {
    if (total.get() <= entries) return configured;
    long share = entries / Math.max(1, held.size());
    return (int) Math.max(Math.min(floor, configured), Math.min(configured, share));
  }

  /**
   * {@code orgId} now remembers {@code count} requests and resolutions, as of a write (or its recovery) at
   * {@code wroteAt} (nanos); {@code askToLeave} asks it to leave memory.
   */
  void holds(String orgId, int count, long wroteAt, Runnable askToLeave) {
    Holding before = count == 0 ? held.remove(orgId) : held.put(orgId, new Holding(count, wroteAt, askToLeave));
    total.addAndGet(count - (before == null ? 0 : before.entries()));
  }

  /** {@code orgId} was asked to leave and has to stay (an open hold): it is not asked again until it writes. */
  void stays(String orgId) {
    held.computeIfPresent(orgId, (id, holding) -> new Holding(holding.entries(), holding.wroteAt(), null));
  }

  /** {@code orgId} left memory. */
  void left(String orgId) {
    holds(orgId, 0, 0, null);
  }

  /** The requests and resolutions the node's orgs remember in all. */
  public long held() {
    return total.get();
  }

  public long entries() {
    return entries;
  }

  /**
   * While the node holds more than its budget, asks the orgs that have not written since {@code idleSince} (nanos)
   * to leave memory, those holding most first, until the ones asked hold the excess. An org that writes trims itself
   * ({@link #maxEntries}); one asked leaves only if it has no open hold.
   *
   * @return how many orgs were asked
   */
  public int askIdleToLeave(long idleSince) {
    long excess = total.get() - entries;
    if (excess <= 0) return 0;
    List<Holding> largestFirst = held.values().stream()
        .filter(holding -> holding.askToLeave() != null && holding.wroteAt() - idleSince < 0)
        .sorted(Comparator.comparingInt(Holding::entries).reversed())
        .toList();
    int asked = 0;
    for (Holding holding : largestFirst) {
      if (excess <= 0) break;
      holding.askToLeave().run();
      excess -= holding.entries();
      asked++;
    }
    return asked;
  }
}
