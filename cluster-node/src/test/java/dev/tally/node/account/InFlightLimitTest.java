package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InFlightLimitTest {

  @Test
  void noMoreThanTheLimitRunAtOnceAndTheRestStartInTheOrderTheyCame() throws Exception {
    InFlightLimit limit = new InFlightLimit(3, Runnable::run);
    List<CompletableFuture<Integer>> work = new ArrayList<>();
    List<Integer> started = new ArrayList<>();
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      CompletableFuture<Integer> unfinished = new CompletableFuture<>();
      work.add(unfinished);
      results.add(limit.run(() -> {
        started.add(n);
        return unfinished;
      }));
    }
    assertEquals(List.of(0, 1, 2), started, "three at once");
    work.get(1).complete(1);
    assertEquals(List.of(0, 1, 2, 3), started, "one finished, the next in line starts");
    work.get(0).complete(0);
    work.get(2).complete(2);
    assertEquals(List.of(0, 1, 2, 3, 4, 5), started);
    for (int i = 3; i < 10; i++) work.get(i).complete(i);
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), started);
    for (int i = 0; i < 10; i++) assertEquals(i, results.get(i).get(1, TimeUnit.SECONDS));
  }

  @Test
  void aFailureReachesItsCallerAndFreesItsPlace() throws Exception {
    InFlightLimit limit = new InFlightLimit(1, Runnable::run);
    CompletableFuture<String> failed = limit.run(() -> CompletableFuture.failedFuture(new IllegalStateException("down")));
    CompletableFuture<String> thrown = limit.run(() -> {
      throw new IllegalStateException("could not even start");
    });
    ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(1, TimeUnit.SECONDS));
    assertEquals("down", e.getCause().getMessage());
    assertTrue(thrown.isCompletedExceptionally());
    assertEquals("next", limit.run(() -> CompletableFuture.completedFuture("next")).get(1, TimeUnit.SECONDS));
  }

  @Test
  void workThatCompletesAtOnceDoesNotStartTheNextInsideItsOwnStack() throws Exception {
    // A queue of 100,000 behind one unfinished piece of work, each completing at once when started: started in the
    // completion that freed the place, they would nest 100,000 deep.
    InFlightLimit limit = new InFlightLimit(1, ForkJoinPool.commonPool());
    CompletableFuture<Integer> first = new CompletableFuture<>();
    limit.run(() -> first);
    AtomicInteger done = new AtomicInteger();
    List<CompletableFuture<Integer>> rest = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) rest.add(limit.run(() -> CompletableFuture.completedFuture(done.incrementAndGet())));
    first.complete(0);
    CompletableFuture.allOf(rest.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertEquals(100_000, done.get());
  }
}
