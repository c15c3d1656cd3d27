package dev.tally.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One ask per item, at most {@link #AT_ONCE} at a time, for the calls that touch many entities
 * (making a batch of codes, listing or voiding a page of them). Sent all at once, a thousand asks
 * to entities that are not running queue for Pekko's 50 recovery permits, each one's timeout
 * running while it waits, and under load the last ones time out though nothing is wrong; they
 * also take every permit from the orgs. With a few in flight, each ask's timeout starts when it is
 * sent.
 */
public final class ManyAsks {

  /** The most asks of one call in flight. */
  public static final int AT_ONCE = 16;

  private ManyAsks() {}

  /** The answers, in the items' order; fails with the first ask that fails, sending no more. */
  public static <T, R> CompletableFuture<List<R>> each(List<T> items, Function<T, CompletionStage<R>> ask) {
    CompletableFuture<List<R>> all = new CompletableFuture<>();
    if (items.isEmpty()) {
      all.complete(List.of());
      return all;
    }
    Object[] answers = new Object[items.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    Runnable[] sendNext = new Runnable[1];
    sendNext[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= items.size() || all.isDone()) return;
      CompletionStage<R> asked;
      try {
        asked = ask.apply(items.get(i));
      } catch (RuntimeException e) {
        all.completeExceptionally(e);
        return;
      }
      asked.whenComplete((answer, failure) -> {
        if (failure != null) {
          all.completeExceptionally(failure);
          return;
        }
        answers[i] = answer;
        if (answered.incrementAndGet() == items.size()) all.complete(inOrder(answers));
        else sendNext[0].run();
      });
    };
    for (int i = 0; i < Math.min(AT_ONCE, items.size()); i++) sendNext[0].run();
    return all;
  }

  @SuppressWarnings("unchecked")
  private static <R> List<R> inOrder(Object[] answers) {
    return new ArrayList<>((List<R>) Arrays.asList(answers));
  }
}
