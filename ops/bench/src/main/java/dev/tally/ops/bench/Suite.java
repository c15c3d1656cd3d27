package dev.tally.ops.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tally.testkit.NodeProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every measurement behind BENCHMARKS.md, on a Cassandra and nodes of its own (PostgreSQL must be running, see
 * ops/postgres.sh, unless --no-postgres), one table each: Tally vs PostgreSQL (10,000 Zipf orgs and one hot org, open
 * loop at 1,000 and 5,000 pairs/s and closed loop), node settings one at a time, the group-commit limit, memory of
 * resident orgs, recovery of a big org. Writes each run's report folder, {@code suite.json} and the tables.
 */
final class Suite {

  /** The closed loop keeps as many in flight as an open-loop warm-up may: one number for both. */
  private static final int CLOSED_CONCURRENCY = Runner.Settings.OPEN_WARMUP_MAX_IN_FLIGHT;
  private static final double TARGET_RATE = 5_000;
  /** A rate both systems sustain here, for latency when nothing is saturated. */
  private static final double MODERATE_RATE = 1_000;
  /** The measured window of each Tally-only sweep run. */
  private static final Duration SWEEP_WINDOW = Duration.ofSeconds(30);
  /** The heap the memory target allows. */
  private static final String MEMORY_HEAP = "-Xmx1g";
  /** More threads for the common pool of the memory measurement's node: creates its orgs faster, weighs nothing. */
  private static final String COMMON_POOL = "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4";

  /** A node configuration to measure: {@code TALLY_*} settings. */
  record Variant(String name, Map<String, String> settings) {}

  /** Node settings findings.md discusses, each measured against the defaults. */
  static final List<Variant> TUNING = List.of(
      new Variant("as shipped", Map.of()),
      new Variant("snapshot every 1,000 events (the former default)", Map.of("TALLY_SNAPSHOT_EVERY_EVENTS", "1000")));

  /**
   * The read side (change feed, a reader per slice) against none, each twice (issue 18), each run on a
   * Cassandra of its own: on one shared Cassandra every run leaves its pairs to the next and the runs
   * drifted more than the read side costs (BENCHMARKS.md, stop 35); and a reader starting after a run
   * without one would find that run's orgs with no rows and read their journals while measured. In the
   * order on, off, off, on, so that what drifts anyway (the machine) weighs on both alike.
   */
  static final List<Variant> READ_SIDE = List.of(
      new Variant("as shipped (read side)", Map.of()),
      new Variant("no read side (TALLY_READ_SIDE=off)", Map.of("TALLY_READ_SIDE", "off")),
      new Variant("no read side, again", Map.of("TALLY_READ_SIDE", "off")),
      new Variant("as shipped (read side), again", Map.of()));

  record SweepRow(Variant variant, Measurement measurement) {}

  /**
   * Heap of one node after a full GC: idle, with {@code orgs} orgs, and after one more pair for each of them; with
   * the org accounts and remembered requests the node's gauges count at that point.
   */
  record Memory(Variant variant, int orgs, double accountsInMemory, double requestEntries, long idleHeapKb, long heapKb,
      long heapKbAfterOneMorePairEach, long failures, double seconds, String jcmdGcHeapInfo) {
    @JsonProperty
    double perOrgBytes() {
      return (heapKb - idleHeapKb) * 1024.0 / orgs;
    }

    /** Each org remembers its requests (idempotency): what one more pair per org adds to the heap. */
    @JsonProperty
    double perPairBytes() {
      return (heapKbAfterOneMorePairEach - heapKb) * 1024.0 / orgs;
    }
  }

  /**
   * Writing one big org, then two restarts: on the first its GetBalance is the node's first request (then again, then
   * a small org's), on the second a small org goes first (shard allocation, connections) and the big one after.
   */
  record Recovery(int events, int charges, long failures, double writeSeconds, List<Double> coldNodeMs,
      List<Double> warmNodeMs) {
    @JsonProperty
    double chargesPerSecond() {
      return charges / writeSeconds;
    }
  }

  private final BenchOptions o;
  private final boolean quick;
  /** The open loop's rate that should leave the machine room (BENCHMARKS.md's "moderate" load); a slower day asks less. */
  private final double moderateRate;
  private final Path reports;
  /** Where the suite's Cassandras keep their data. */
  private final Path workDir;
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final StringBuilder md = new StringBuilder();

  private Suite(BenchOptions o) {
    this.o = o;
    quick = o.flag("--quick");
    moderateRate = o.decimal("--moderate-rate", MODERATE_RATE);
    reports = o.path("--report", "report/suite-" + TallyBench.stamp());
    workDir = o.path("--work-dir", "/var/tmp/tally-bench/suite-" + TallyBench.stamp());
  }

  static boolean run(BenchOptions o) throws Exception {
    Suite suite = new Suite(o);
    String only = o.string("--only", "compare,abuse,auth,tuning,readside,groupcommit,memory,recovery");
    try {
      if (only.contains("compare")) suite.compare();
      if (only.contains("abuse")) suite.onItsOwnCassandra("abuse", suite::abuse);
      if (only.contains("auth")) suite.onItsOwnCassandra("auth", suite::auth);
      if (only.contains("tuning")) {
        suite.onItsOwnCassandra("tuning", local -> suite.sweep(local, "tuning", "One change at a time: closed loop x"
            + CLOSED_CONCURRENCY + ", Tally only", TUNING, false, true));
      }
      if (only.contains("readside")) {
        suite.sweep(null, "readSide", "What the read side costs: closed loop x" + CLOSED_CONCURRENCY
            + ", Tally only, a fresh Cassandra per run",
            READ_SIDE, false, true);
      }
      if (only.contains("groupcommit")) {
        List<Variant> limits = Arrays.stream(new int[] {1, 10, 50, 100, 200})
            .mapToObj(n -> new Variant("max batch " + n, Map.of("TALLY_GROUP_COMMIT_MAX_BATCH", Integer.toString(n)))).toList();
        suite.onItsOwnCassandra("groupcommit", local -> suite.sweep(local, "groupCommit", "Group commit: one hot org, closed loop x"
            + CLOSED_CONCURRENCY + " pairs in flight", limits, true));
      }
      if (only.contains("memory")) suite.onItsOwnCassandra("memory", local -> suite.memory(local, suite.quick ? 5_000 : 100_000));
      if (only.contains("recovery")) {
        suite.onItsOwnCassandra("recovery", local -> suite.recovery(local, suite.quick ? 20_000 : 1_000_000));
      }
    } finally {
      suite.write(o.path("--markdown", suite.reports.resolve("results.md").toString()));
    }
    return true;
  }

  /** One section of the suite, on the Cassandra it is given. */
  private interface Section {
    void run(LocalTally local) throws Exception;
  }

  /**
   * Runs a section on a Cassandra of its own, stopped with the section's last node after it. On one Cassandra for
   * the whole suite, each section measured beside what the earlier ones left: in the 2026-12-05 run the later
   * sections' Cassandra was busy scanning the orgs the earlier runs created, at every node start (BENCHMARKS.md,
   * stop 44), and the tuning section's last node ran idle through the next section.
   */
  private void onItsOwnCassandra(String section, Section body) throws Exception {
    try (LocalTally local = LocalTally.startCassandra(workDir.resolve(section))) {
      body.run(local);
    }
  }

  // ---- 1. Tally vs PostgreSQL -------------------------------------------------------------------------------------

  private void compare() throws Exception {
    List<Measurement> rows = section("compare", "Tally vs PostgreSQL, same workload", "workload", "load", "system", "pairs/s:",
        "op p50:", "op p99:", "op p99.9:", "op max:", "pair p99:", "errors:",
        "CPU cores: bench / node (JIT) / cassandra (JIT) / postgres / others", "load avg before → after");
    for (boolean hot : new boolean[] {false, true}) {
      for (Runner.Settings settings : List.of(Runner.Settings.open(moderateRate, o.warmup(), o.window()),
          Runner.Settings.open(TARGET_RATE, o.warmup(), o.window()),
          Runner.Settings.closed(CLOSED_CONCURRENCY, o.warmup(), o.window()))) {
        Workload workload = Workload.pairs(hot, o.orgs(), TallyBench.orgPrefix());
        String name = TallyBench.defaultName(workload, settings);
        // Both systems start each row on a disk at rest: Tally on a Cassandra of its own, stopped (node and
        // Cassandra) before PostgreSQL runs, as PostgreSQL on tables of its own after a checkpoint. On one
        // Cassandra for the section, a row met the flushes and compactions of the rows before it.
        Measurement tally = onFreshCassandra(Map.of(), workload, settings, name);
        compareRow(rows, tally);
        if (o.flag("--no-postgres")) continue;
        Measurement pg;
        try (PostgresTarget target = new PostgresTarget(o.postgres(), o.pool())) {
          pg = Measurement.of(target, workload, settings, name, reports, Measurement.Probes.NONE);
        }
        compareRow(rows, pg);
        TallyBench.compared(tally.run(), pg.run(), reports, name);
        row("", "", "**Tally / PostgreSQL**", String.format(Locale.ROOT, "**%.2f×**", TallyBench.ratio(tally.run(), pg.run())),
            "", "", "", "", "", "", "", "");
      }
    }
    md.append('\n');
  }

  private void compareRow(List<Measurement> rows, Measurement m) {
    rows.add(m);
    RunResult r = m.run();
    row(r.workload().describe(), r.settings().describe(), r.target(), count(r.unitsPerSecond()), ms(r.ms(Latencies.OPERATION, 50)),
        ms(r.ms(Latencies.OPERATION, 99)), ms(r.ms(Latencies.OPERATION, 99.9)),
        String.format(Locale.ROOT, "%.1f ms", r.maxMs(Latencies.OPERATION)), ms(r.ms(Latencies.PAIR, 99)), errors(r),
        cores(m, "loadGenerator", "node", "cassandra", "postgres", "others"), m.cpu().loadBefore() + " → " + m.cpu().loadAfter());
  }

  // ---- 1b. One org abused beside the others ------------------------------------------------------------------------

  /** Callers hammering the abused org, each sending its next request when the last one answered. */
  private static final int ABUSERS = 8;

  /**
   * The same moderate open loop over many orgs twice, on fresh nodes: alone, then beside an org an {@link Abuser}
   * drives (a period full of labels, every hold open, debt, and callers hammering it). The other orgs' op p99 may
   * grow at most 2× (issue 16).
   */
  private void abuse(LocalTally local) throws Exception {
    List<Measurement> rows = section("abuse", "One org abused beside " + count(o.orgs()) + " others (Tally only)", "run",
        "load", "pairs/s:", "op p50:", "op p99:", "op p99.9:", "op max:", "errors:", "the abused org",
        "CPU cores: bench / node (JIT) / cassandra (JIT) / others", "load avg before → after");
    Runner.Settings settings = Runner.Settings.open(moderateRate, o.warmup(), o.window());
    double aloneP99 = 0;
    for (boolean abused : new boolean[] {false, true}) {
      Workload workload = Workload.pairs(false, o.orgs(), TallyBench.orgPrefix());
      String name = "abuse-" + (abused ? "beside-an-abused-org" : "alone");
      local.startNode(Map.of(), List.of());
      Measurement m;
      String abuse = "none";
      try (TallyTarget target = new TallyTarget(local.grpcAddress(), local.apiKey());
          Abuser abuser = new Abuser(local.grpcAddress(), local.apiKey(), workload.orgPrefix() + "-abused")) {
        if (abused) abuser.prepare();
        if (abused) abuser.start(ABUSERS);
        m = Measurement.of(target, workload, settings, name, reports, Measurement.Probes.of(local));
        if (abused) abuse = Abuser.LABELED_CHARGES + " labels, " + (Abuser.HOLDS - 1) + " holds open, in debt, "
            + ABUSERS + " callers: " + abuser.summary();
      }
      rows.add(m);
      RunResult r = m.run();
      row(abused ? "beside the abused org" : "alone", settings.describe(), count(r.unitsPerSecond()),
          ms(r.ms(Latencies.OPERATION, 50)), ms(r.ms(Latencies.OPERATION, 99)), ms(r.ms(Latencies.OPERATION, 99.9)),
          String.format(Locale.ROOT, "%.1f ms", r.maxMs(Latencies.OPERATION)), errors(r), abuse,
          cores(m, "loadGenerator", "node", "cassandra", "others"), m.cpu().loadBefore() + " → " + m.cpu().loadAfter());
      if (!abused) aloneP99 = r.ms(Latencies.OPERATION, 99);
      else row("**abused / alone, op p99**", "", "", "", String.format(Locale.ROOT, "**%.2f×**",
          r.ms(Latencies.OPERATION, 99) / aloneP99), "", "", "", "", "", "");
    }
    md.append('\n');
  }

  // ---- 1c. What checking API keys costs ---------------------------------------------------------------------------

  /**
   * The moderate open loop (its tail) and the closed loop (its throughput) over many orgs, each against a node as
   * deployed and against {@link NodeWithoutKeyCheck}, twice in turn, so that a drift of the machine shows as a
   * difference between the two rounds rather than as the check's cost (issue 15).
   */
  private void auth(LocalTally local) throws Exception {
    List<Measurement> rows = section("auth", "What checking API keys costs (Tally only, " + count(o.orgs()) + " orgs)",
        "load", "round", "node", "pairs/s:", "op p50:", "op p99:", "op p99.9:", "node CPU per pair:", "errors:",
        "CPU cores: bench / node (JIT) / cassandra (JIT) / others", "load avg before → after");
    Workload workload = Workload.pairs(false, o.orgs(), TallyBench.orgPrefix());
    for (Runner.Settings settings : List.of(Runner.Settings.open(moderateRate, o.warmup(), o.window()),
        Runner.Settings.closed(CLOSED_CONCURRENCY, o.warmup(), o.window()))) {
      for (int round = 1; round <= 2; round++) {
        RunResult checked = null;
        for (boolean checking : new boolean[] {true, false}) {
          String name = "auth-" + settings.mode().name().toLowerCase(Locale.ROOT) + "-" + round + (checking ? "-keys" : "-no-keys");
          local.startNode(Map.of(), List.of(), checking ? NodeProcess.NODE_MAIN : NodeWithoutKeyCheck.class.getName());
          Measurement m;
          try (TallyTarget target = new TallyTarget(local.grpcAddress(), local.apiKey())) {
            m = Measurement.of(target, workload, settings, name, reports, Measurement.Probes.of(local));
          }
          rows.add(m);
          RunResult r = m.run();
          row(settings.describe(), Integer.toString(round), checking ? "keys checked (as deployed)" : "no key check",
              count(r.unitsPerSecond()), ms(r.ms(Latencies.OPERATION, 50)), ms(r.ms(Latencies.OPERATION, 99)),
              ms(r.ms(Latencies.OPERATION, 99.9)), ms(m.cpu().of("node") * 1000 / r.unitsPerSecond()), errors(r),
              cores(m, "loadGenerator", "node", "cassandra", "others"), m.cpu().loadBefore() + " → " + m.cpu().loadAfter());
          if (checking) {
            checked = r;
          } else {
            row("", Integer.toString(round), "**checked / unchecked**",
                String.format(Locale.ROOT, "**%.2f×**", checked.unitsPerSecond() / r.unitsPerSecond()), "",
                String.format(Locale.ROOT, "**%.2f×**", checked.ms(Latencies.OPERATION, 99) / r.ms(Latencies.OPERATION, 99)),
                "", "", "", "", "", "");
          }
        }
      }
    }
    md.append('\n');
  }

  // ---- 2. Node settings, one at a time, Tally only: the tuning and group-commit tables ------------------------------

  /** @param local the Cassandra of every run; null: a Cassandra of its own for each run */
  private void sweep(LocalTally local, String key, String title, List<Variant> variants, boolean... hotOrNot) throws Exception {
    List<SweepRow> rows = section(key, title, "workload", "node settings", "pairs/s:", "vs the first:", "op p50:", "op p99:",
        "pair p99:", "batches/s:", "batch size mean / p50 / p99 (node)", "journal write mean:",
        "read side lag p50 / p99 (notices)", "CPU cores: bench / node (JIT) / cassandra (JIT) / others", "errors:", "load avg before → after");
    for (boolean hot : hotOrNot) {
      double first = 0;
      for (Variant variant : variants) {
        Workload workload = Workload.pairs(hot, o.orgs(), TallyBench.orgPrefix());
        String name = key + "-" + (hot ? "hot" : "many") + "-" + variant.name().replaceAll("[^a-z0-9]+", "-");
        Runner.Settings load =
            Runner.Settings.closed(CLOSED_CONCURRENCY, o.warmup(), quick ? BenchOptions.QUICK_WINDOW : SWEEP_WINDOW);
        Measurement m = local != null ? onFreshNode(local, variant.settings(), List.of(), workload, load, name)
            : onFreshCassandra(variant.settings(), workload, load, name);
        rows.add(new SweepRow(variant, m));
        RunResult r = m.run();
        if (first == 0) first = r.unitsPerSecond();
        NodeMetrics.Distribution batches = m.node().groupCommitBatches();
        String settings = variant.settings().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(",", " (`", "`)"));
        row(r.workload().describe(), variant.name() + (variant.settings().isEmpty() ? "" : settings), count(r.unitsPerSecond()),
            String.format(Locale.ROOT, "%.2f×", r.unitsPerSecond() / first), ms(r.ms(Latencies.OPERATION, 50)),
            ms(r.ms(Latencies.OPERATION, 99)), ms(r.ms(Latencies.PAIR, 99)), count(batches.count() / r.measuredSeconds()),
            String.format(Locale.ROOT, "%.1f / ≤%s / ≤%s", batches.mean(), bound(batches.p50()), bound(batches.p99())),
            ms(m.node().journalWriteMs().mean()), lag(m.node().readSideLagMs()), cores(m, "loadGenerator", "node", "cassandra", "others"), errors(r),
            m.cpu().loadBefore() + " → " + m.cpu().loadAfter());
      }
    }
    md.append('\n');
  }

  /** The read side's lag over a run: bucket bounds of its p50 and p99, and how many notices it applied. */
  private static String lag(NodeMetrics.Distribution lag) {
    if (lag.count() == 0) return "none applied";
    return String.format(Locale.ROOT, "≤%s / ≤%s (%,d)", ms(lag.p50()), ms(lag.p99()), lag.count());
  }

  /** A fresh node per run: no run inherits another's orgs, heap or JIT state. */
  private Measurement onFreshNode(LocalTally local, Map<String, String> settings, List<String> jvm, Workload workload,
      Runner.Settings load, String name) throws Exception {
    local.startNode(settings, jvm);
    try (TallyTarget target = new TallyTarget(local.grpcAddress(), local.apiKey())) {
      return Measurement.of(target, workload, load, name, reports, Measurement.Probes.of(local));
    }
  }

  /** A fresh Cassandra and node for one run, stopped after it. */
  private Measurement onFreshCassandra(Map<String, String> settings, Workload workload, Runner.Settings load, String name)
      throws Exception {
    try (LocalTally own = LocalTally.startCassandra(workDir.resolve(name))) {
      return onFreshNode(own, settings, List.of(), workload, load, name);
    }
  }

  // ---- 3. Memory ----------------------------------------------------------------------------------------------------

  /**
   * The node as shipped, then with a node-wide request-memory budget of one entry per org, below the four to six
   * each org's requests take: the heap then stays near what the budget allows, whatever the orgs did.
   */
  private void memory(LocalTally local, int orgs) throws Exception {
    List<Memory> rows = section("memory", "Memory: orgs resident on one node (`" + MEMORY_HEAP + "`, `" + COMMON_POOL
            + "` to create them faster)", "node settings", "orgs created (create, grant, reserve, commit each):",
        "org accounts in memory (node gauge):", "requests remembered (node gauge):", "heap used after full GC:",
        "of which the idle node:", "per org:", "one more reserve+commit per org adds, per pair (request memory):",
        "failed ops:", "time to create and operate:");
    for (Variant variant : List.of(new Variant("as shipped", Map.of()),
        new Variant("request-memory budget " + count(orgs) + " entries",
            Map.of("TALLY_IDEMPOTENCY_NODE_MAX_ENTRIES", Integer.toString(orgs))))) {
      Memory result = memory(local, orgs, variant);
      System.out.println("memory: " + result);
      rows.add(result);
      row(variant.name(), count(orgs), count(result.accountsInMemory()), count(result.requestEntries()),
          String.format(Locale.ROOT, "%.0f MiB", result.heapKb() / 1024.0),
          String.format(Locale.ROOT, "%.0f MiB", result.idleHeapKb() / 1024.0), count(result.perOrgBytes()) + " bytes",
          count(result.perPairBytes()) + " bytes", Long.toString(result.failures()),
          String.format(Locale.ROOT, "%.0f s", result.seconds()));
    }
    md.append('\n');
  }

  private Memory memory(LocalTally local, int orgs, Variant variant) throws Exception {
    local.startNode(variant.settings(), List.of(MEMORY_HEAP, COMMON_POOL));
    Workload workload = new Workload(orgs, 0, 0, 0, 1_000, TallyBench.orgPrefix());
    try (TallyTarget target = new TallyTarget(local.grpcAddress(), local.apiKey())) {
      // What an idle node weighs, one org in memory so that sharding is up: subtracted below.
      target.prepare(List.of(workload.orgPrefix() + "-first"), Measurement.CREDITS_EACH);
      long idleKb = usedKb(local.heapAfterFullGc());
      long start = System.nanoTime();
      target.prepare(workload.orgIds(), Measurement.CREDITS_EACH);
      // A few operations each: create, grant (above), then one reserve+commit pair per org.
      long failures = onePairEach(target, workload.orgIds());
      double seconds = (System.nanoTime() - start) / 1e9;
      String heap = local.heapAfterFullGc();
      NodeMetrics gauges = NodeMetrics.scrape(local.metricsPort());
      failures += onePairEach(target, workload.orgIds());
      return new Memory(variant, orgs, gauges.get("tally_accounts_in_memory"), gauges.get("tally_request_memory_entries"),
          idleKb, usedKb(heap), usedKb(local.heapAfterFullGc()), failures, seconds, heap);
    }
  }

  /** One reserve+commit pair for each org, at most {@link #CLOSED_CONCURRENCY} at once; returns how many failed. */
  private static long onePairEach(TallyTarget target, List<String> orgIds) throws InterruptedException {
    return Runner.atMost(CLOSED_CONCURRENCY, orgIds.size(),
        i -> target.reserve(orgIds.get(i), 1_000).thenCompose(hold -> target.commit(hold, 700)));
  }

  /** The heap in use from jcmd's GC.heap_info, in kB. */
  static long usedKb(String heapInfo) {
    Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(heapInfo);
    return m.find() ? Long.parseLong(m.group(2)) : -1;
  }

  // ---- 4. Recovery --------------------------------------------------------------------------------------------------

  private void recovery(LocalTally local, int events) throws Exception {
    Map<String, String> settings = o.nodeSettings(); // --node-settings: e.g. another snapshot cadence
    local.startNode(settings, List.of());
    String prefix = TallyBench.orgPrefix();
    String big = prefix + "-journal";
    String small = prefix + "-small";
    String small2 = prefix + "-small2";
    // OrgCreated and CreditsGranted are already in the journal; every charge adds one event.
    int charges = events - 2;
    long failures;
    double writeSeconds;
    try (TallyTarget target = new TallyTarget(local.grpcAddress(), local.apiKey())) {
      target.prepare(List.of(big, small, small2), Measurement.CREDITS_EACH);
      long start = System.nanoTime();
      failures = Runner.atMost(1_024, charges, i -> target.charge(big, 1));
      writeSeconds = (System.nanoTime() - start) / 1e9;
    }
    local.startNode(settings, List.of());
    List<Double> cold = timeBalances(local, List.of(big, big, small));
    local.startNode(settings, List.of());
    Recovery result = new Recovery(events, charges, failures, writeSeconds, cold, timeBalances(local, List.of(small2, big)));
    System.out.println("recovery: " + result);
    section("recovery", String.format(Locale.ROOT, "Recovery: one org with %,d journal events, node restarted", events)
            + (settings.isEmpty() ? "" : " (`" + settings + "`)"),
        "events:", "write rate (1 µcr charges, 1,024 in flight):", "first request after restart: GetBalance of that org:",
        "same org again:", "a small org's first GetBalance (after a warm-up request) / big org right after")
        .add(result);
    row(count(events), count(result.chargesPerSecond()) + " charges/s", String.format(Locale.ROOT, "%.0f ms", cold.get(0)),
        String.format(Locale.ROOT, "%.1f ms", cold.get(1)),
        String.format(Locale.ROOT, "%.0f ms / %.0f ms", result.warmNodeMs().get(0), result.warmNodeMs().get(1)));
    md.append('\n');
  }

  /**
   * Times GetBalance calls in order on a fresh client (ms), from the moment the node reports SERVING — when clients
   * start sending it calls; the first includes connecting.
   */
  private static List<Double> timeBalances(LocalTally local, List<String> orgs) throws Exception {
    awaitServing(local.grpcAddress());
    List<Double> took = new ArrayList<>();
    try (TallyTarget target = new TallyTarget(local.grpcAddress(), local.apiKey())) {
      for (String org : orgs) {
        long start = System.nanoTime();
        target.balance(org).get(60, TimeUnit.SECONDS);
        took.add((System.nanoTime() - start) / 1e6);
      }
    }
    System.out.println("balance timings (ms) of " + orgs + ": " + took);
    return took;
  }

  /** Waits (2 minutes at most) until the node's gRPC health says SERVING: it warms up first. */
  private static void awaitServing(String address) {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
    try {
      Iterator<HealthCheckResponse> statuses = HealthGrpc.newBlockingStub(channel).withWaitForReady()
          .withDeadlineAfter(2, TimeUnit.MINUTES).watch(HealthCheckRequest.getDefaultInstance());
      while (statuses.next().getStatus() != ServingStatus.SERVING) {
        // NOT_SERVING while it warms up
      }
    } finally {
      channel.shutdownNow();
    }
  }

  // ---- output -------------------------------------------------------------------------------------------------------

  /**
   * Starts a table in the markdown (a column ending in ':' is right-aligned) and returns the list of its records in
   * suite.json, which rows are added to as they are measured.
   */
  private <T> List<T> section(String key, String title, String... columns) {
    md.append("### ").append(title).append("\n\n");
    row((Object[]) Arrays.stream(columns).map(c -> c.endsWith(":") ? c.substring(0, c.length() - 1) : c).toArray(String[]::new));
    row((Object[]) Arrays.stream(columns).map(c -> c.endsWith(":") ? "---:" : "---").toArray(String[]::new));
    List<T> rows = new ArrayList<>();
    json.put(key, rows);
    return rows;
  }

  private void row(Object... cells) {
    md.append(Arrays.stream(cells).map(String::valueOf).collect(Collectors.joining(" | ", "| ", " |\n")));
  }

  private static String count(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  private static String ms(double value) {
    return String.format(Locale.ROOT, "%.2f ms", value);
  }

  /** A bucket bound of the node's histograms: whole numbers without decimals. */
  private static String bound(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
  }

  private static String errors(RunResult r) {
    return r.errorCount() == 0 ? "0" : r.errors().toString();
  }

  /** Each group's cores; the node's and Cassandra's with what their JIT compilers used of them. */
  private static String cores(Measurement m, String... groups) {
    return Arrays.stream(groups).map(g -> {
      String used = String.format(Locale.ROOT, "%.2f", m.cpu().of(g));
      return m.cpu().coresUsed().containsKey(g + ".jit")
          ? used + String.format(Locale.ROOT, " (%.2f)", m.cpu().of(g + ".jit")) : used;
    }).collect(Collectors.joining(" / "));
  }

  private void write(Path markdown) throws IOException {
    Report.writeJson(reports.resolve("suite.json"), json);
    if (markdown.getParent() != null) Files.createDirectories(markdown.getParent());
    Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
    System.out.println("suite results: " + reports.resolve("suite.json") + ", tables: " + markdown);
  }
}
