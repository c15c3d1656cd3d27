package dev.tally.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ManyAsksTest {

  /** Asks that stay open until the test answers them. */
  final List<CompletableFuture<Integer>> open = new ArrayList<>();

  CompletableFuture<Integer> ask(int item) {
    CompletableFuture<Integer> asked = new CompletableFuture<>();
    open.add(asked);
    return asked.thenApply(ignored -> item * 10);
  }

  @Test
  void neverMoreThanAFewAsksAreInFlightAndTheAnswersKeepTheItemsOrder() throws Exception {
    List<Integer> items = IntStream.range(0, 100).boxed().toList();
    CompletableFuture<List<Integer>> all = ManyAsks.each(items, this::ask);

    int answered = 0;
    while (answered < items.size()) {
      assertEquals(Math.min(ManyAsks.AT_ONCE, items.size() - answered), open.size() - answered, "asks in flight");
      // answered out of order: the newest open one first
      open.stream().filter(asked -> !asked.isDone()).reduce((first, second) -> second).orElseThrow().complete(0);
      answered++;
      if (answered < items.size()) assertFalse(all.isDone());
    }
    assertEquals(items.stream().map(i -> i * 10).toList(), all.get(5, TimeUnit.SECONDS));
  }

  @Test
  void theFirstFailureFailsTheWholeAndNoMoreAsksAreSent() {
    CompletableFuture<List<Integer>> all = ManyAsks.each(IntStream.range(0, 100).boxed().toList(), this::ask);
    IllegalStateException failure = new IllegalStateException("timed out");
    open.get(3).completeExceptionally(failure);
    open.get(4).complete(0);

    ExecutionException thrown = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> all.get(5, TimeUnit.SECONDS));
    assertSame(failure, thrown.getCause());
    assertEquals(ManyAsks.AT_ONCE, open.size(), "nothing sent after the failure");
  }

  @Test
  void noItemsIsAnEmptyAnswer() throws Exception {
    assertTrue(ManyAsks.each(List.<Integer>of(), this::ask).get(5, TimeUnit.SECONDS).isEmpty());
  }
}
