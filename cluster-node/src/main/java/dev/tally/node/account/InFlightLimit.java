package dev.tally.node.account;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Starts asynchronous work with at most {@code limit} of it unfinished at once; the rest waits its turn, in the
 * order it came. What waits is what callers handed in and wait for, so it is bounded by them.
 *
 * <p>Work that waited is started on {@code starter}, not inside the completion that freed its place: work that
 * completes at once (a session that failed) would otherwise start the next inside its own stack, as deep as the queue.
 */
final class InFlightLimit {

  private final int limit;
  private final Executor starter;
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  private int running;

  InFlightLimit(int limit, Executor starter) {
    if (limit < 1) throw new IllegalArgumentException("an in-flight limit needs at least 1");
    this.limit = limit;
    this.starter = starter;
  }

  /** {@code work}'s result, once it has been started in its turn and has completed. */
  <T> CompletableFuture<T> run(Supplier<? extends CompletionStage<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable start = () -> {
      CompletionStage<T> started;
      try {
        started = work.get();
      } catch (RuntimeException failed) {
        started = CompletableFuture.failedFuture(failed);
      }
      started.whenComplete((value, failure) -> {
        finished();
        if (failure != null) result.completeExceptionally(failure);
        else result.complete(value);
      });
    };
    boolean now;
    synchronized (this) {
      now = running < limit;
      if (now) running++;
      else waiting.add(start);
    }
    if (now) start.run();
    return result;
  }

  private void finished() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) running--;
    }
    if (next != null) starter.execute(next);
  }
}
