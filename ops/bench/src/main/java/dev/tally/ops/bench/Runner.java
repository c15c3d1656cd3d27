package dev.tally.ops.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Drives a {@link Target} with a {@link Workload} for a bounded time and measures every operation.
 *
 * <p><b>Open loop</b> (a rate): operation i is due at {@code start + i / rate} whether or not earlier ones answered,
 * and its latency is measured from that intended start, so a system that falls behind is charged its whole backlog
 * (no coordinated omission). The warm-up keeps the rate but skips what falls due while {@code warmupMaxInFlight} are
 * in flight, so a system still compiling does not hand the measured window a backlog from its cold start.
 *
 * <p><b>Closed loop</b> (a concurrency): that many callers each start their next operation when the previous one
 * answered, timed from the actual start: the most a system does, not how it behaves at a given rate.
 *
 * <p>Warm-up operations run but are not measured; operations still in flight after the window get
 * {@link #DRAIN_TIMEOUT}, then count as errors ("UNFINISHED").
 */
final class Runner {

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
  /** The open loop's cap on operations in flight, for the load generator's memory. */
  private static final int OPEN_MAX_IN_FLIGHT = 50_000;

  enum Mode { OPEN, CLOSED }

  record Settings(Mode mode, double rate, int concurrency, Duration warmup, Duration duration, int warmupMaxInFlight) {

    /** The suite's closed-loop runs keep this many in flight too, so the warm-up never asks for more than they do. */
    static final int OPEN_WARMUP_MAX_IN_FLIGHT = 256;

    static Settings open(double rate, Duration warmup, Duration duration) {
      return new Settings(Mode.OPEN, rate, 0, warmup, duration, OPEN_WARMUP_MAX_IN_FLIGHT);
    }

    static Settings closed(int concurrency, Duration warmup, Duration duration) {
      return new Settings(Mode.CLOSED, 0, concurrency, warmup, duration, concurrency);
    }

    int maxInFlight() {
      return mode == Mode.OPEN ? OPEN_MAX_IN_FLIGHT : concurrency;
    }

    String describe() {
      return mode == Mode.OPEN
          ? String.format(Locale.ROOT, "open loop %,.0f/s", rate)
          : String.format(Locale.ROOT, "closed loop x%d", concurrency);
    }
  }

  private final Target target;
  private final Workload workload;
  private final Settings settings;
  private final Consumer<String> progress;

  private final Latencies warm = new Latencies();
  private final Latencies measured = new Latencies();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final LongAdder errorCount = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong lastMeasuredEnd = new AtomicLong();
  private final Semaphore slots;
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

  private Runnable atWarmupEnd = () -> {};
  /**
   * {@link #atWarmupEnd} once started, on a thread of its own: an open loop stalled by it would charge every operation
   * due meanwhile. Joined at the end of the run, so that a hook that failed still fails the run.
   */
  private CompletableFuture<Void> windowOpened = CompletableFuture.completedFuture(null);
  private volatile long warmupEndNanos;
  private volatile long endNanos;

  Runner(Target target, Workload workload, Settings settings, Consumer<String> progress) {
    this.target = target;
    this.workload = workload;
    this.settings = settings;
    this.progress = progress;
    this.slots = new Semaphore(settings.maxInFlight());
  }

  /**
   * Something to do the moment the measured window opens (e.g. read the node's metrics), on a thread of its own while
   * the load goes on; done before {@link #run} returns.
   */
  Runner atWarmupEnd(Runnable hook) {
    this.atWarmupEnd = hook;
    return this;
  }

  /** Runs warm-up, measured window and drain; writes the interval log to {@code hlog} when given. */
  RunResult run(String label, Path hlog) throws Exception {
    long startNanos = System.nanoTime();
    warmupEndNanos = startNanos + settings.warmup().toNanos();
    endNanos = warmupEndNanos + settings.duration().toNanos();
    Instant measuredStart = Instant.now().plus(settings.warmup());
    if (hlog != null) measured.logTo(hlog, measuredStart.toEpochMilli());

    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-progress");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> tick(label, startNanos), 1, 1, TimeUnit.SECONDS);
    if (settings.mode() == Mode.OPEN) openLoop(startNanos);
    else closedLoop();
    boolean drained = drain();
    windowOpened.join();
    ticker.shutdown();
    ticker.awaitTermination(5, TimeUnit.SECONDS);
    tick(label, startNanos);
    if (!drained) count("UNFINISHED", inFlight.get());
    measured.close();

    Map<String, Histogram> totals = measured.totals();
    double seconds = Math.max(settings.duration().toNanos(), lastMeasuredEnd.get() - warmupEndNanos) / 1e9;
    Map<String, Long> errorsByReason = new TreeMap<>();
    errors.forEach((reason, n) -> errorsByReason.put(reason, n.sum()));
    return new RunResult(label, target.name(), workload, settings, measuredStart, seconds, units(totals), totals,
        errorsByReason);
  }

  private static long units(Map<String, Histogram> latencies) {
    return latencies.get(Latencies.PAIR).getTotalCount() + latencies.get(Latencies.CHARGE).getTotalCount();
  }

  private void openLoop(long startNanos) throws InterruptedException {
    Workload.Sampler sampler = workload.sampler(42);
    double interval = 1e9 / settings.rate();
    boolean measuring = false;
    long skipped = 0;
    for (long i = 0; ; i++) {
      long intended = startNanos + (long) (i * interval);
      if (intended >= endNanos) return;
      parkUntil(intended);
      if (!measuring && intended >= warmupEndNanos) {
        measuring = true;
        if (skipped > 0) {
          progress.accept(String.format(Locale.ROOT, "warm-up skipped %,d of %,d operations due (%,d were in flight)",
              skipped, i, settings.warmupMaxInFlight()));
        }
        openWindow();
      }
      if (!measuring && inFlight.get() >= settings.warmupMaxInFlight()) {
        skipped++;
        continue;
      }
      slots.acquire();
      inFlight.incrementAndGet();
      launch(sampler.next(), intended, measuring, null);
    }
  }

  private void closedLoop() throws InterruptedException {
    for (int i = 0; i < settings.concurrency(); i++) {
      Workload.Sampler sampler = workload.sampler(42 + i);
      slots.acquire();
      inFlight.incrementAndGet();
      long now = System.nanoTime();
      launch(sampler.next(), now, now >= warmupEndNanos, sampler);
    }
    parkUntil(warmupEndNanos);
    openWindow();
    parkUntil(endNanos);
  }

  private void openWindow() {
    windowOpened = CompletableFuture.runAsync(atWarmupEnd, hook -> new Thread(hook, "bench-window-opened").start());
  }

  private static void parkUntil(long nanos) {
    long wait;
    while ((wait = nanos - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
  }

  /**
   * Starts one operation, which the caller has counted in flight and holds a slot for; in closed loop
   * ({@code sampler} set) its completion starts the next one.
   */
  private void launch(Workload.Op op, long intended, boolean measure, Workload.Sampler sampler) {
    Latencies latencies = measure ? measured : warm;
    if (op.charge()) {
      target.charge(op.orgId(), op.amount()).whenComplete((ok, failure) -> {
        done(failure, measure, latencies, Latencies.CHARGE, intended, System.nanoTime());
        finished(sampler);
      });
      return;
    }
    target.reserve(op.orgId(), op.amount()).whenComplete((hold, failure) -> {
      long reserved = System.nanoTime();
      if (failure != null) {
        done(failure, measure, latencies, Latencies.RESERVE, intended, reserved);
        finished(sampler);
        return;
      }
      latencies.record(Latencies.RESERVE, reserved - intended);
      target.commit(hold, op.actual()).whenComplete((ok, commitFailure) -> {
        long now = System.nanoTime();
        if (commitFailure == null) latencies.record(Latencies.COMMIT, now - reserved);
        done(commitFailure, measure, latencies, Latencies.PAIR, intended, now);
        finished(sampler);
      });
    });
  }

  /** A unit (a pair or a charge) ended at {@code now}: records its latency, or counts a measured failure by reason. */
  private void done(Throwable failure, boolean measure, Latencies latencies, String unit, long intended, long now) {
    if (failure == null) {
      latencies.record(unit, now - intended);
      if (measure) lastMeasuredEnd.accumulateAndGet(now, Math::max);
    } else if (measure) {
      Throwable cause = Target.unwrap(failure);
      String reason = cause instanceof Target.Failed refused ? refused.reason : cause.getClass().getSimpleName();
      if (count(reason, 1)) progress.accept("first measured " + reason + ": " + causes(cause));
    }
  }

  private void finished(Workload.Sampler sampler) {
    long now = System.nanoTime();
    if (sampler == null || now >= endNanos) {
      inFlight.decrementAndGet();
      slots.release();
      return;
    }
    // Closed loop: the next operation takes over this one's slot and in-flight count, so the drain never sees zero
    // in flight while a next operation is still about to start (and record).
    Workload.Op next;
    synchronized (sampler) {
      next = sampler.next();
    }
    int[] nesting = depth.get();
    if (nesting[0] > 32) {
      // An operation that fails at once would recurse: start the next one on another thread.
      ForkJoinPool.commonPool().execute(() -> launch(next, System.nanoTime(), System.nanoTime() >= warmupEndNanos, sampler));
      return;
    }
    nesting[0]++;
    try {
      launch(next, now, now >= warmupEndNanos, sampler);
    } finally {
      nesting[0]--;
    }
  }

  /** A failure and its causes, each with its message and where it was thrown: what names an unexpected one. */
  static String causes(Throwable failure) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = failure; t != null && chain.length() < 4_000; t = t.getCause() == t ? null : t.getCause()) {
      chain.append(chain.length() == 0 ? "" : " <- ").append(t);
      StackTraceElement[] at = t.getStackTrace();
      for (int i = 0; i < Math.min(4, at.length); i++) chain.append(i == 0 ? " at " : ", ").append(at[i]);
    }
    return chain.toString();
  }

  /** Counts {@code n} errors of {@code reason}; true if they are the first of it. */
  private boolean count(String reason, long n) {
    if (n <= 0) return false;
    boolean[] first = {false};
    errors.computeIfAbsent(reason, r -> {
      first[0] = true;
      return new LongAdder();
    }).add(n);
    errorCount.add(n);
    return first[0];
  }

  private boolean drain() throws InterruptedException {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(5);
    }
    return true;
  }

  /** Runs {@code operation} for i = 0 … n - 1, at most {@code inFlight} at once; returns how many failed. */
  static long atMost(int inFlight, int n, IntFunction<CompletableFuture<?>> operation) throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    AtomicLong failures = new AtomicLong();
    for (int i = 0; i < n; i++) {
      permits.acquire();
      operation.apply(i).whenComplete((ok, failure) -> {
        if (failure != null) failures.incrementAndGet();
        permits.release();
      });
    }
    permits.acquire(inFlight);
    return failures.get();
  }

  private synchronized void tick(String label, long startNanos) {
    long now = System.nanoTime();
    boolean warming = now < warmupEndNanos;
    Map<String, Histogram> interval = (warming ? warm : measured).interval();
    if (!warming) warm.interval();
    Histogram ops = interval.get(Latencies.OPERATION);
    long errorsNow = errorCount.sum();
    progress.accept(String.format(Locale.ROOT,
        "[%4ds] %-8s %-28s %s %,7d units/s | op p50 %6.2f ms p99 %7.2f ms max %8.2f ms | in flight %,6d | errors %,d",
        (now - startNanos) / 1_000_000_000L, target.name(), label, warming ? "warm-up " : (now > endNanos ? "draining" : "measured"),
        units(interval), Latencies.ms(ops, 50), Latencies.ms(ops, 99), Latencies.maxMs(ops), inFlight.get(), errorsNow));
  }
}
