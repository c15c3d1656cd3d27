package dev.tally.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class RunnerTest {

  /** Answers at once, except that it stops answering for {@code stall} once {@code stallAfter} operations arrived. */
  private static final class StallingTarget implements Target {
    private final int stallAfter;
    private final long stallNanos;
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private int seen;
    private long stallEnds;

    StallingTarget(int stallAfter, Duration stall) {
      this.stallAfter = stallAfter;
      this.stallNanos = stall.toNanos();
    }

    @Override
    public String name() {
      return "stalling";
    }

    @Override
    public void prepare(List<String> orgIds, long microCreditsEach) {}

    @Override
    public synchronized CompletableFuture<Hold> reserve(String orgId, long microCredits) {
      return answer().thenApply(v -> new Hold() {});
    }

    @Override
    public CompletableFuture<Void> commit(Hold hold, long actual) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> charge(String orgId, long microCredits) {
      return answer();
    }

    private CompletableFuture<Void> answer() {
      if (++seen == stallAfter) stallEnds = System.nanoTime() + stallNanos;
      CompletableFuture<Void> answer = new CompletableFuture<>();
      if (System.nanoTime() < stallEnds) {
        held.add(answer);
        if (held.size() == 1) {
          CompletableFuture.delayedExecutor(stallEnds - System.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS)
              .execute(this::release);
        }
      } else {
        answer.complete(null);
      }
      return answer;
    }

    private synchronized void release() {
      held.forEach(f -> f.complete(null));
      held.clear();
    }

    @Override
    public void close() {}
  }

  @Test
  void openLoopChargesAStallToEveryOperationThatWasDueDuringIt() throws Exception {
    Workload workload = new Workload(10, 1.0, 0, 1.0, 1_000, "t");
    StallingTarget target = new StallingTarget(500, Duration.ofMillis(500));
    RunResult result = new Runner(target, workload, Runner.Settings.open(1_000, Duration.ZERO, Duration.ofSeconds(2)), line -> {})
        .run("stall", null);

    // About 500 charges were due while the target stood still; measured from their intended start,
    // they waited between 0 and 500 ms, so well over 10 % of all operations are slow, not one.
    assertEquals(Map.of(), result.errors());
    assertTrue(result.ms(Latencies.CHARGE, 90) > 100, "p90 " + result.ms(Latencies.CHARGE, 90));
    assertTrue(result.maxMs(Latencies.CHARGE) >= 400, "max " + result.maxMs(Latencies.CHARGE));
  }

  @Test
  void openLoopWarmUpSkipsWhatIsDueWhileItsCapIsInFlightSoTheWindowStartsWithoutABacklog() throws Exception {
    Workload workload = new Workload(10, 1.0, 0, 1.0, 1_000, "t");
    // The first charge stops the target for most of the warm-up: 800 charges fall due meanwhile.
    StallingTarget target = new StallingTarget(1, Duration.ofMillis(800));
    Runner.Settings settings = new Runner.Settings(Runner.Mode.OPEN, 1_000, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), 10);
    List<String> lines = new ArrayList<>();
    RunResult result = new Runner(target, workload, settings, lines::add).run("cold", null);

    // Of the stall's 800, ten were sent and the rest skipped (without the cap: ~2,000 sent in all);
    // the window's ~1,000 all went out, and none waited behind a queue from the warm-up.
    assertTrue(target.seen < 1_300, "sent " + target.seen);
    assertTrue(result.units() >= 990, "measured " + result.units());
    assertEquals(Map.of(), result.errors());
    assertTrue(result.ms(Latencies.CHARGE, 99) < 100, "p99 " + result.ms(Latencies.CHARGE, 99));
    assertTrue(lines.stream().anyMatch(line -> line.startsWith("warm-up skipped")), String.join("\n", lines));
  }

  @Test
  void whatTheWindowsOpeningDoesDelaysNoOperation() throws Exception {
    Workload workload = new Workload(10, 1.0, 0, 1.0, 1_000, "t");
    StallingTarget target = new StallingTarget(Integer.MAX_VALUE, Duration.ZERO);
    AtomicBoolean hookDone = new AtomicBoolean();
    RunResult result = new Runner(target, workload, Runner.Settings.open(1_000, Duration.ofMillis(200), Duration.ofSeconds(1)), line -> {})
        .atWarmupEnd(() -> {
          LockSupport.parkNanos(Duration.ofMillis(500).toNanos()); // as a slow scrape of the node's metrics would
          hookDone.set(true);
        })
        .run("window", null);

    // Run on the loop's thread, the hook held back the ~500 charges due while it ran, each charged its wait.
    assertTrue(hookDone.get(), "the hook is done when the run returns");
    assertTrue(result.units() >= 990, "measured " + result.units());
    assertTrue(result.maxMs(Latencies.CHARGE) < 250, "max " + result.maxMs(Latencies.CHARGE));
  }

  @Test
  void aFailureOfWhatOpensTheWindowFailsTheRun() {
    Workload workload = new Workload(10, 1.0, 0, 1.0, 1_000, "t");
    Runner runner = new Runner(new StallingTarget(Integer.MAX_VALUE, Duration.ZERO), workload,
        Runner.Settings.open(1_000, Duration.ofMillis(100), Duration.ofMillis(300)), line -> {})
        .atWarmupEnd(() -> {
          throw new IllegalStateException("the node's metrics could not be read");
        });

    RuntimeException failed = assertThrows(RuntimeException.class, () -> runner.run("failing", null));
    assertEquals("the node's metrics could not be read", failed.getCause().getMessage());
  }

  @Test
  void closedLoopKeepsExactlyItsConcurrencyAndCountsPairs() throws Exception {
    Workload workload = new Workload(10, 1.0, 0, 0, 1_000, "t");
    RunResult result = new Runner(new StallingTarget(Integer.MAX_VALUE, Duration.ZERO), workload,
        Runner.Settings.closed(4, Duration.ZERO, Duration.ofMillis(300)), line -> {}).run("closed", null);

    assertTrue(result.units() > 0);
    assertEquals(result.units(), result.latencies().get(Latencies.PAIR).getTotalCount());
    assertEquals(2 * result.units(), result.latencies().get(Latencies.OPERATION).getTotalCount());
  }
}
