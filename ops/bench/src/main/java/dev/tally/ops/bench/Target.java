package dev.tally.ops.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A system that keeps org balances, driven by the same {@link Workload}: Tally through its SDK, or the PostgreSQL
 * row-lock baseline. Operations are asynchronous so the runner can keep an open loop; a refused operation completes
 * exceptionally with a {@link Failed} naming the reason.
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

  /** The failure itself, not the {@link CompletionException} a future wraps it in. */
  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  /** A refused or failed operation, with a reason to count errors by. */
  final class Failed extends RuntimeException {
    final String reason;

    Failed(String reason, String message, Throwable cause) {
      super(reason + ": " + message, cause, false, false);
      this.reason = reason;
    }
  }
}
