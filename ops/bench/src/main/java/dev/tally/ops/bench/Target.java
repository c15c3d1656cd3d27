package dev.tally.ops.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A system that keeps org balances and is driven by the same {@link Workload}: Tally through its
 * SDK, or the PostgreSQL row-lock baseline. Operations are asynchronous so the runner can keep an
 * open loop; a rejected operation completes exceptionally with a {@link Failed} naming the reason.
 */
public interface Target extends AutoCloseable {

  /** Credits held by one reserve, to settle with {@link #commit}. */
  interface Hold {}

  /** "tally" or "postgres". */
  String name();

  /** Creates every org and grants it {@code microCreditsEach}; blocks until done. */
  void prepare(List<String> orgIds, long microCreditsEach) throws Exception;

  CompletableFuture<Hold> reserve(String orgId, long microCredits);

  /** Bills {@code actual} and ends the hold. */
  CompletableFuture<Void> commit(Hold hold, long actual);

  /** Reserve and commit in one step. */
  CompletableFuture<Void> charge(String orgId, long microCredits);

  /** A refused or failed operation, with a reason to count errors by. */
  final class Failed extends RuntimeException {
    private final String reason;

    public Failed(String reason, String message, Throwable cause) {
      super(reason + ": " + message, cause, false, false);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }
}
