package dev.tally.ops.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every measurement behind BENCHMARKS.md, on a Cassandra and nodes of its own (PostgreSQL must be
 * running, see ops/postgres.sh, unless --no-postgres):
 *
 * <ol>
 *   <li>Tally vs PostgreSQL on the same workload, for 10,000 Zipf orgs and for one hot org: open
 *       loop at 1,000 and at 5,000 pairs/s (latency at a given rate) and closed loop (the most each does);
 *   <li>one change at a time: the node settings proposed in findings.md, alone and together;
 *   <li>group commit: one hot org, closed loop, with the batch limit at 1 (coalescing off), 10, 50,
 *       100 and 200, with the batch sizes the node really formed;
 *   <li>memory: 100,000 orgs with a few operations each resident on one node with -Xmx1g;
 *   <li>recovery: one org with 1,000,000 journal events, node restarted, first GetBalance timed.
 * </ol>
 *
 * Writes each run's report folder, {@code suite.json} and {@code results.md} (the tables).
 */
final class Suite {

  /** The closed loop keeps as many in flight as an open-loop warm-up may: one number for both. */
  private static final int CLOSED_CONCURRENCY = Runner.Settings.OPEN_WARMUP_MAX_IN_FLIGHT;
  private static final double TARGET_RATE = 5_000;
  /** A rate both systems sustain here, for latency when nothing is saturated. */
  private static final double MODERATE_RATE = 1_000;

  private final boolean quick;
  private final Path reports;
  private final String postgresUrl;
  private final int pool;
  private final Duration warmup;
  private final Duration duration;
  private final Duration sweepDuration;
  /** --node-settings for the recovery measurement, e.g. another snapshot cadence. */
  private final Map<String, String> recoverySettings;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final StringBuilder md = new StringBuilder();

  private Suite(BenchOptions o) {
    quick = o.flag("--quick");
    reports = o.path("--report", "report/suite-" + TallyBench.stamp());
    postgresUrl = o.flag("--no-postgres") ? null : o.string("--postgres", TallyBench.DEFAULT_POSTGRES);
    pool = o.integer("--pool", 2 * Runtime.getRuntime().availableProcessors());
    warmup = o.duration("--warmup", quick ? TallyBench.QUICK_WARMUP : TallyBench.WARMUP);
    duration = o.duration("--duration", quick ? TallyBench.QUICK_WINDOW : TallyBench.WINDOW);
    sweepDuration = o.duration("--sweep-duration", quick ? TallyBench.QUICK_WINDOW : Duration.ofSeconds(30));
    recoverySettings = o.settings("--node-settings");
  }

  static boolean run(BenchOptions o) throws Exception {
    Suite suite = new Suite(o);
    Path work = o.path("--work-dir", "/var/tmp/tally-bench/suite-" + TallyBench.stamp());
    Files.createDirectories(suite.reports);
    try (LocalTally local = LocalTally.startCassandra(work)) {
      String only = o.string("--only", "compare,tuning,groupcommit,memory,recovery");
      if (only.contains("compare")) suite.compare(local);
      if (only.contains("tuning")) suite.tuning(local);
      if (only.contains("groupcommit")) suite.groupCommit(local);
      if (only.contains("memory")) suite.memory(local, o.integer("--memory-orgs", suite.quick ? 5_000 : 100_000));
      if (only.contains("recovery")) suite.recovery(local, o.integer("--recovery-events", suite.quick ? 20_000 : 1_000_000));
    } finally {
      suite.write(o.path("--markdown", suite.reports.resolve("results.md").toString()));
    }
    return true;
  }

  // ---- 1. Tally vs PostgreSQL -----------------------------------------------------------------

  private void compare(LocalTally local) throws Exception {
    md.append("### Tally vs PostgreSQL, same workload\n\n")
        .append("| workload | load | system | pairs/s | op p50 | op p99 | op p99.9 | op max | pair p99 | errors | CPU cores: bench / node / cassandra / postgres / others | load avg before → after |\n")
        .append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    List<Object> rows = new ArrayList<>();
    for (boolean hot : new boolean[] {false, true}) {
      for (Runner.Settings settings : List.of(
          Runner.Settings.open(MODERATE_RATE, warmup, duration),
          Runner.Settings.open(TARGET_RATE, warmup, duration),
          Runner.Settings.closed(CLOSED_CONCURRENCY, warmup, duration))) {
        Workload workload = hot
            ? new Workload(1, 1.0, 1.0, 0, 1_000, TallyBench.orgPrefix())
            : new Workload(quick ? 1_000 : 10_000, 1.0, 0, 0, 1_000, TallyBench.orgPrefix());
        String name = TallyBench.defaultName(workload, settings);
        // A fresh node per run: no run inherits another's orgs, heap or JIT state.
        local.startNode(Map.of(), List.of());
        RunResult tally;
        try (TallyTarget target = new TallyTarget(local.grpcAddress())) {
          tally = TallyBench.measure(target, workload, settings, name, reports, TallyBench.Probes.of(local));
        }
        rows.add(tally.toJson());
        md.append(row(tally));
        if (postgresUrl != null) {
          // The node idles meanwhile; stop it so PostgreSQL has the machine to itself, as Tally had.
          local.stopNode();
          RunResult pg;
          try (PostgresTarget target = new PostgresTarget(postgresUrl, pool)) {
            pg = TallyBench.measure(target, workload, settings, name, reports, TallyBench.Probes.none());
          }
          rows.add(pg.toJson());
          md.append(row(pg));
          String ratio = TallyBench.ratioLine(tally, pg);
          System.out.println(ratio);
          md.append(String.format(Locale.ROOT, "| | | **Tally / PostgreSQL** | **%.2f×** | | | | | | | | |%n",
              tally.unitsPerSecond() / Math.max(1e-9, pg.unitsPerSecond())));
          Report.comparison(reports.resolve(name + "-compare.html"), "Tally vs PostgreSQL — " + name, List.of(tally, pg));
        }
      }
    }
    md.append('\n');
    json.put("compare", rows);
  }

  private static String row(RunResult r) {
    @SuppressWarnings("unchecked")
    Map<String, Object> machine = (Map<String, Object>) r.facts().getOrDefault("machine", Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Double> cores = (Map<String, Double>) machine.getOrDefault("coresUsed", Map.of());
    String cpu = String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f / %.2f", cores.getOrDefault("loadGenerator", 0.0),
        cores.getOrDefault("node", 0.0), cores.getOrDefault("cassandra", 0.0), cores.getOrDefault("postgres", 0.0),
        cores.getOrDefault("others", 0.0));
    return String.format(Locale.ROOT, "| %s | %s | %s | %,.0f | %.2f ms | %.2f ms | %.2f ms | %.1f ms | %.2f ms | %s | %s | %s → %s |%n",
        r.describeWorkload(), r.settings().describe(), r.target(), r.unitsPerSecond(), r.ms(Latencies.OPERATION, 50),
        r.ms(Latencies.OPERATION, 99), r.ms(Latencies.OPERATION, 99.9), r.maxMs(Latencies.OPERATION), r.ms(Latencies.PAIR, 99),
        r.errorCount() == 0 ? "0" : r.errors().toString(), cpu, machine.get("loadBefore"), machine.get("loadAfter"));
  }

  // ---- 1b. One change at a time ----------------------------------------------------------------

  /** A node configuration to measure: settings ({@code TALLY_*}) and JVM options. */
  record Variant(String name, Map<String, String> settings, List<String> jvm) {}

  /** Node settings findings.md discusses, each measured against the defaults. */
  static final List<Variant> VARIANTS = List.of(
      new Variant("as shipped", Map.of(), List.of()),
      new Variant("snapshot every 1,000 events (the former default)", Map.of("TALLY_SNAPSHOT_EVERY_EVENTS", "1000"), List.of()));

  private void tuning(LocalTally local) throws Exception {
    md.append("### One change at a time: closed loop x").append(CLOSED_CONCURRENCY).append(", Tally only\n\n")
        .append("| workload | node configuration | pairs/s | vs as shipped | op p50 | op p99 | pair p99 | batch size mean (node) | journal write mean | CPU cores: bench / node / cassandra / others | errors |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
    List<Object> rows = new ArrayList<>();
    for (boolean hot : new boolean[] {false, true}) {
      double shipped = 0;
      for (Variant variant : VARIANTS) {
        Workload workload = hot
            ? new Workload(1, 1.0, 1.0, 0, 1_000, TallyBench.orgPrefix())
            : new Workload(quick ? 1_000 : 10_000, 1.0, 0, 0, 1_000, TallyBench.orgPrefix());
        Runner.Settings settings = Runner.Settings.closed(CLOSED_CONCURRENCY, warmup, sweepDuration);
        local.startNode(variant.settings(), variant.jvm());
        RunResult r;
        String name = "tuning-" + (hot ? "hot" : "many") + "-" + variant.name().replaceAll("[^a-z0-9]+", "-");
        try (TallyTarget target = new TallyTarget(local.grpcAddress())) {
          r = TallyBench.measure(target, workload, settings, name, reports, TallyBench.Probes.of(local));
        }
        if (shipped == 0) shipped = r.unitsPerSecond();
        Map<String, Object> one = r.toJson();
        one.put("variant", Map.of("name", variant.name(), "settings", variant.settings(), "jvm", variant.jvm()));
        rows.add(one);
        Map<String, Object> node = section(r.facts(), "node");
        Map<String, Double> cores = cores(r);
        md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.2f× | %.2f ms | %.2f ms | %.2f ms | %.1f | %.2f ms | %.2f / %.2f / %.2f / %.2f | %s |%n",
            r.describeWorkload(), variant.name() + (variant.jvm().isEmpty() ? "" : " (`" + String.join(" ", variant.jvm()) + "`)")
                + (variant.settings().isEmpty() ? "" : " (`" + variant.settings() + "`)"),
            r.unitsPerSecond(), r.unitsPerSecond() / shipped, r.ms(Latencies.OPERATION, 50), r.ms(Latencies.OPERATION, 99),
            r.ms(Latencies.PAIR, 99), number(section(node, "groupCommitBatches").get("mean")),
            number(section(node, "journalWriteMs").get("mean")), cores.getOrDefault("loadGenerator", 0.0),
            cores.getOrDefault("node", 0.0), cores.getOrDefault("cassandra", 0.0), cores.getOrDefault("others", 0.0),
            r.errorCount() == 0 ? "0" : r.errors().toString()));
      }
    }
    md.append('\n');
    json.put("tuning", rows);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> map, String key) {
    Object value = map.get(key);
    return value instanceof Map ? (Map<String, Object>) value : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Double> cores(RunResult r) {
    return (Map<String, Double>) section(r.facts(), "machine").getOrDefault("coresUsed", Map.of());
  }

  private static double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : 0;
  }

  // ---- 2. Group commit --------------------------------------------------------------------------

  private void groupCommit(LocalTally local) throws Exception {
    md.append("### Group commit: one hot org, closed loop x").append(CLOSED_CONCURRENCY).append(" pairs in flight\n\n")
        .append("| max batch | pairs/s | op p50 | op p99 | pair p99 | batches/s | batch size mean / p50 / p99 (node) | journal write mean | errors | load avg before → after |\n")
        .append("|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n");
    List<Object> rows = new ArrayList<>();
    for (int maxBatch : new int[] {1, 10, 50, 100, 200}) {
      local.startNode(Map.of("TALLY_GROUP_COMMIT_MAX_BATCH", Integer.toString(maxBatch)), List.of());
      Workload workload = new Workload(1, 1.0, 1.0, 0, 1_000, TallyBench.orgPrefix());
      Runner.Settings settings = Runner.Settings.closed(CLOSED_CONCURRENCY, warmup, sweepDuration);
      RunResult r;
      try (TallyTarget target = new TallyTarget(local.grpcAddress())) {
        r = TallyBench.measure(target, workload, settings, "groupcommit-max" + maxBatch, reports, TallyBench.Probes.of(local));
      }
      Map<String, Object> one = r.toJson();
      one.put("maxBatch", maxBatch);
      rows.add(one);
      @SuppressWarnings("unchecked")
      Map<String, Object> node = (Map<String, Object>) r.facts().getOrDefault("node", Map.of());
      @SuppressWarnings("unchecked")
      Map<String, Object> batches = (Map<String, Object>) node.getOrDefault("groupCommitBatches", Map.of());
      @SuppressWarnings("unchecked")
      Map<String, Object> writes = (Map<String, Object>) node.getOrDefault("journalWriteMs", Map.of());
      @SuppressWarnings("unchecked")
      Map<String, Object> machine = (Map<String, Object>) r.facts().getOrDefault("machine", Map.of());
      long batchCount = ((Number) batches.getOrDefault("count", 0L)).longValue();
      md.append(String.format(Locale.ROOT, "| %d | %,.0f | %.2f ms | %.2f ms | %.2f ms | %,.0f | %.1f / ≤%s / ≤%s | %.2f ms | %s | %s → %s |%n",
          maxBatch, r.unitsPerSecond(), r.ms(Latencies.OPERATION, 50), r.ms(Latencies.OPERATION, 99), r.ms(Latencies.PAIR, 99),
          batchCount / r.measuredSeconds(), ((Number) batches.getOrDefault("mean", 0.0)).doubleValue(),
          num(batches.get("p50")), num(batches.get("p99")), ((Number) writes.getOrDefault("mean", 0.0)).doubleValue(),
          r.errorCount() == 0 ? "0" : r.errors().toString(), machine.get("loadBefore"), machine.get("loadAfter")));
    }
    md.append('\n');
    json.put("groupCommit", rows);
  }

  private static String num(Object value) {
    if (!(value instanceof Number n)) return "?";
    double d = n.doubleValue();
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.1f", d);
  }

  // ---- 3. Memory --------------------------------------------------------------------------------

  /** More threads for the common pool of the memory measurement's node: creates its orgs faster, weighs nothing. */
  private static final String COMMON_POOL = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4";
  /** The heap the memory target allows. */
  private static final String MEMORY_HEAP = "-Xmx1g";

  private void memory(LocalTally local, int orgs) throws Exception {
    local.startNode(Map.of(), List.of(MEMORY_HEAP, COMMON_POOL));
    Workload workload = new Workload(orgs, 0, 0, 0, 1_000, TallyBench.orgPrefix());
    Map<String, Object> result = new LinkedHashMap<>();
    try (TallyTarget target = new TallyTarget(local.grpcAddress())) {
      // What an idle node weighs, one org in memory so that sharding is up: subtracted below.
      target.prepare(List.of(workload.orgPrefix() + "-first"), TallyBench.CREDITS_EACH);
      long idleKb = parseUsedKb(local.heapAfterFullGc());
      long start = System.nanoTime();
      target.prepare(workload.orgIds(), TallyBench.CREDITS_EACH);
      // A few operations each: create, grant (above), then one reserve+commit pair per org.
      long failures = onePairEach(target, workload.orgIds());
      double seconds = (System.nanoTime() - start) / 1e9;
      String heap = local.heapAfterFullGc();
      NodeMetrics metrics = NodeMetrics.scrape(local.metricsPort());
      long usedKb = parseUsedKb(heap);
      // Each org remembers its requests (idempotency): what one more pair per org adds to the heap.
      failures += onePairEach(target, workload.orgIds());
      long morePairsKb = parseUsedKb(local.heapAfterFullGc()) - usedKb;
      double perOrgBytes = orgs == 0 ? 0 : (usedKb - idleKb) * 1024.0 / orgs;
      double perPairBytes = morePairsKb * 1024.0 / orgs;
      result.put("orgs", orgs);
      result.put("operationsPerOrg", 4);
      result.put("failures", failures);
      result.put("secondsToCreateAndOperate", seconds);
      result.put("accountsInMemory", metrics.accountsInMemory());
      result.put("heapUsedAfterFullGcMiB", usedKb / 1024.0);
      result.put("heapUsedIdleNodeMiB", idleKb / 1024.0);
      result.put("heapUsedPerOrgBytes", perOrgBytes);
      result.put("heapPerRememberedPairBytes", perPairBytes);
      result.put("maxHeap", MEMORY_HEAP);
      result.put("jcmdGcHeapInfo", heap);
      System.out.printf(Locale.ROOT, "memory: %,d orgs (%,.0f in memory), heap after full GC %.0f MiB (idle node %.0f MiB, %.0f bytes/org, %.0f bytes per remembered pair), %d failures, %.0f s%n",
          orgs, metrics.accountsInMemory(), usedKb / 1024.0, idleKb / 1024.0, perOrgBytes, perPairBytes, failures, seconds);
    }
    md.append("### Memory: orgs resident on one node (`" + MEMORY_HEAP + "`, `" + COMMON_POOL + "` to create them faster)\n\n")
        .append("| orgs created (create, grant, reserve, commit each) | org accounts in memory (node gauge) | heap used after full GC | of which the idle node | per org | one more reserve+commit per org adds, per pair (request memory) | failed ops | time to create and operate |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        .append(String.format(Locale.ROOT, "| %,d | %,.0f | %.0f MiB | %.0f MiB | %,.0f bytes | %,.0f bytes | %d | %.0f s |%n%n", orgs,
            ((Number) result.get("accountsInMemory")).doubleValue(), ((Number) result.get("heapUsedAfterFullGcMiB")).doubleValue(),
            ((Number) result.get("heapUsedIdleNodeMiB")).doubleValue(),
            ((Number) result.get("heapUsedPerOrgBytes")).doubleValue(),
            ((Number) result.get("heapPerRememberedPairBytes")).doubleValue(), (long) result.get("failures"),
            ((Number) result.get("secondsToCreateAndOperate")).doubleValue()));
    json.put("memory", result);
  }

  /** One reserve+commit pair for each org, at most {@link #CLOSED_CONCURRENCY} at once; returns how many failed. */
  private static long onePairEach(TallyTarget target, List<String> orgIds) throws InterruptedException {
    Semaphore permits = new Semaphore(CLOSED_CONCURRENCY);
    AtomicLong failures = new AtomicLong();
    for (String org : orgIds) {
      permits.acquire();
      target.reserve(org, 1_000).thenCompose(hold -> target.commit(hold, 700))
          .whenComplete((ok, failure) -> {
            if (failure != null) failures.incrementAndGet();
            permits.release();
          });
    }
    permits.acquire(CLOSED_CONCURRENCY);
    return failures.get();
  }

  static long parseUsedKb(String heapInfo) {
    Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(heapInfo);
    return m.find() ? Long.parseLong(m.group(2)) : -1;
  }

  // ---- 4. Recovery ------------------------------------------------------------------------------

  private void recovery(LocalTally local, int events) throws Exception {
    local.startNode(recoverySettings, List.of());
    String prefix = TallyBench.orgPrefix();
    String big = prefix + "-journal";
    String small = prefix + "-small";
    String small2 = prefix + "-small2";
    Map<String, Object> result = new LinkedHashMap<>();
    try (TallyTarget target = new TallyTarget(local.grpcAddress())) {
      target.prepare(List.of(big, small, small2), TallyBench.CREDITS_EACH);
      // OrgCreated and CreditsGranted are already in the journal; every charge adds one event.
      int charges = events - 2;
      long start = System.nanoTime();
      int inFlight = 1_024;
      Semaphore permits = new Semaphore(inFlight);
      AtomicLong failures = new AtomicLong();
      long lastPrint = start;
      for (int i = 0; i < charges; i++) {
        permits.acquire();
        target.charge(big, 1).whenComplete((ok, failure) -> {
          if (failure != null) failures.incrementAndGet();
          permits.release();
        });
        if (System.nanoTime() - lastPrint > TimeUnit.SECONDS.toNanos(5)) {
          lastPrint = System.nanoTime();
          System.out.printf(Locale.ROOT, "recovery: %,d of %,d charges sent (%,.0f/s)%n", i, charges, i / ((lastPrint - start) / 1e9));
        }
      }
      permits.acquire(inFlight);
      double seconds = (System.nanoTime() - start) / 1e9;
      result.put("eventsInJournal", events);
      result.put("chargesWritten", charges - failures.get());
      result.put("failures", failures.get());
      result.put("secondsToWrite", seconds);
      result.put("chargesPerSecond", charges / seconds);
      System.out.printf(Locale.ROOT, "recovery: %,d charges in %.0f s (%,.0f/s), %d failures%n", charges, seconds, charges / seconds, failures.get());
    }
    // Restart 1: the big org's GetBalance is the very first request the new node sees.
    local.startNode(recoverySettings, List.of());
    Map<String, Double> first = timeBalances(local, List.of(big, big, small));
    // Restart 2: a small org first (shard allocation and connection warm-up), then the big one.
    local.startNode(recoverySettings, List.of());
    Map<String, Double> second = timeBalances(local, List.of(small2, big));
    result.put("firstRequestAfterRestartMs", first.get("1 " + big));
    result.put("secondRequestSameOrgMs", first.get("2 " + big));
    result.put("smallOrgAfterThatMs", first.get("3 " + small));
    result.put("smallOrgFirstAfterRestart2Ms", second.get("1 " + small2));
    result.put("bigOrgAfterWarmNodeMs", second.get("2 " + big));
    System.out.println("recovery: " + result);
    md.append("### Recovery: one org with ").append(String.format(Locale.ROOT, "%,d", events)).append(" journal events, node restarted")
        .append(recoverySettings.isEmpty() ? "" : " (`" + recoverySettings + "`)").append("\n\n")
        .append("| events | write rate (1 µcr charges, 1,024 in flight) | first request after restart: GetBalance of that org | same org again | a small org's first GetBalance (after a warm-up request) / big org right after |\n")
        .append("|---:|---:|---:|---:|---|\n")
        .append(String.format(Locale.ROOT, "| %,d | %,.0f charges/s | %.0f ms | %.1f ms | %.0f ms / %.0f ms |%n%n", events,
            ((Number) result.get("chargesPerSecond")).doubleValue(), first.get("1 " + big), first.get("2 " + big),
            second.get("1 " + small2), second.get("2 " + big)));
    json.put("recovery", result);
  }

  /**
   * Times GetBalance calls in order on a fresh client (ms), from the moment the node reports
   * SERVING — when clients start sending it calls; the first includes connecting.
   */
  static Map<String, Double> timeBalances(LocalTally local, List<String> orgs) throws Exception {
    awaitServing(local.grpcAddress());
    Map<String, Double> took = new LinkedHashMap<>();
    try (TallyTarget target = new TallyTarget(local.grpcAddress())) {
      int i = 0;
      for (String org : orgs) {
        long start = System.nanoTime();
        CompletableFuture<Void> balance = target.balance(org);
        balance.get(60, TimeUnit.SECONDS);
        took.put(++i + " " + org, (System.nanoTime() - start) / 1e6);
      }
    }
    System.out.println("balance timings: " + took);
    return took;
  }

  /** Polls the node's gRPC health until it says SERVING. */
  static void awaitServing(String address) throws InterruptedException {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    try {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (System.nanoTime() < deadline) {
        try {
          HealthCheckResponse response =
              health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
          if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) return;
        } catch (StatusRuntimeException notYet) {
          // not listening yet
        }
        Thread.sleep(20);
      }
      throw new IllegalStateException("the node at " + address + " did not become SERVING in 2 minutes");
    } finally {
      channel.shutdownNow();
    }
  }

  // ---- output -----------------------------------------------------------------------------------

  private void write(Path markdown) throws IOException {
    Files.createDirectories(reports);
    Files.writeString(reports.resolve("suite.json"), Json.write(json), StandardCharsets.UTF_8);
    if (markdown.getParent() != null) Files.createDirectories(markdown.getParent());
    Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
    System.out.println("suite results: " + reports.resolve("suite.json") + ", tables: " + markdown);
  }
}
