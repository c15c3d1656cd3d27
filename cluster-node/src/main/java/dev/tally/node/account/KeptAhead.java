package dev.tally.node.account;

import dev.tally.node.account.RequestMemory.Forgotten;
import dev.tally.node.account.RequestMemory.Remembered;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The oldest requests of an org's memory that are already in the request table, written there in
 * chunks while they are still remembered: a batch that pushes them out of memory is persisted at
 * once, without first waiting on a write of its own. Rule 6 holds as before — a request leaves
 * memory only once its row is known written (the account writes whatever of a batch's pushed-out
 * requests is not kept here before persisting it) — but a hot org writes the table once per chunk
 * of requests, beside its journal writes, not once per batch in front of each.
 *
 * <p>Not persisted: an account that starts again knows of no row and writes ahead anew (a row
 * written twice holds the same outcome). At most two chunks are held, and a chunk is at most a
 * quarter of max-entries: an org whose memory stays below three quarters full writes no row. The
 * max-entries is the one the org decides with at the time (the node's budget may lower it).
 */
final class KeptAhead {

  /** Most requests written ahead in one go: the table writes them in unlogged batches of its own size. */
  static final int MAX_CHUNK = 1_000;

  /** Requests still in memory whose rows are written, with the outcome each row holds. */
  private final Map<String, Remembered> kept = new HashMap<>();
  private boolean writing;

  static int chunkOf(int maxEntries) {
    return Math.max(1, Math.min(MAX_CHUNK, maxEntries / 4));
  }

  /** How many requests a memory holds before the first chunk is written ahead. */
  static int writesFrom(int maxEntries) {
    return maxEntries - chunkOf(maxEntries);
  }

  /**
   * Of the requests a batch pushes out of memory ({@code spilled}), those whose rows are not known
   * written with that outcome: they must be written before the batch is persisted. The others are
   * no longer counted as held here.
   */
  List<Forgotten> notKept(List<Forgotten> spilled) {
    List<Forgotten> missing = new ArrayList<>();
    for (Forgotten request : spilled) {
      Remembered row = kept.remove(request.requestId());
      if (!request.outcome().equals(row)) missing.add(request);
    }
    return missing;
  }

  /**
   * The next chunk to write ahead, or none: only when no chunk is being written, fewer than a chunk
   * are kept and {@code memory} is nearly full for {@code maxEntries}. The oldest requests not yet
   * kept that are still inside the window; those older will leave memory for their age and need no row.
   */
  List<Forgotten> nextChunk(RequestMemory memory, Instant now, Duration window, int maxEntries) {
    int chunk = chunkOf(maxEntries);
    if (writing || kept.size() >= chunk || memory.requests().size() < writesFrom(maxEntries)) return List.of();
    Instant cutoff = now.minus(window);
    List<Forgotten> next = new ArrayList<>(chunk);
    // The kept requests lead the order: walked past by key alone, each looked up only if not kept.
    for (String requestId : memory.requests().keysOldestFirst()) {
      if (next.size() == chunk) break;
      if (kept.containsKey(requestId)) continue;
      Remembered request = memory.request(requestId);
      if (request.at().isBefore(cutoff)) continue;
      next.add(new Forgotten(requestId, request));
    }
    writing = !next.isEmpty();
    return next;
  }

  /**
   * The chunk's rows are written: its requests still in {@code memory} may leave it without another
   * write (those a batch pushed out meanwhile were written by that batch).
   */
  void written(List<Forgotten> chunk, RequestMemory memory) {
    writing = false;
    for (Forgotten request : chunk) {
      if (memory.request(request.requestId()) != null) kept.put(request.requestId(), request.outcome());
    }
  }

  /** The chunk could not be written: its requests are written when a batch pushes them out, as before. */
  void failed() {
    writing = false;
  }
}
