package dev.tally.ops.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * tally-bench: drives Tally (through its SDK) or the PostgreSQL baseline with one workload and
 * reports throughput, latency percentiles and errors, plus a report folder per run. See
 * {@link BenchOptions#USAGE}; {@code suite} runs every measurement behind BENCHMARKS.md.
 */
public final class TallyBench {

  static final String DEFAULT_POSTGRES = "jdbc:postgresql://127.0.0.1:55432/tally_bench?user=postgres";
  /** Every org gets a million credits: no run comes near spending them. */
  static final long CREDITS_EACH = 1_000_000_000_000L;
  /**
   * Unmeasured load before the window. A fresh node (and a fresh Cassandra) keeps compiling for over
   * a minute under load: 10,000 orgs ran at ~2,500 pairs/s 20 s into the load and reached ~5,000 only
   * after 70 s, the node's and Cassandra's JIT compiler threads using 0.2-0.3 cores each until then;
   * one hot org reached ~9,500 pairs/s after 45 s and ~10,400 after 75 s. The window measures the
   * running system, not its first minute.
   */
  static final Duration WARMUP = Duration.ofSeconds(90);
  /** The warm-up of a --quick smoke run: enough to open the connections. */
  static final Duration QUICK_WARMUP = Duration.ofSeconds(2);
  /** The measured window: the "sustained for 60 s". */
  static final Duration WINDOW = Duration.ofSeconds(60);
  /** The measured window of a --quick smoke run. */
  static final Duration QUICK_WINDOW = Duration.ofSeconds(5);

  private TallyBench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = new BenchOptions(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (options.flag("--help")) {
      System.out.println(BenchOptions.USAGE);
      return;
    }
    boolean clean = switch (options.command) {
      case "run" -> run(options).stream().allMatch(r -> r.errorCount() == 0 && r.units() > 0);
      case "suite" -> Suite.run(options);
      case "recover" -> recover(options);
      default -> {
        System.err.println("unknown command " + options.command + "\n" + BenchOptions.USAGE);
        System.exit(2);
        yield false;
      }
    };
    System.exit(clean ? 0 : 1);
  }

  /** The {@code run} command: one workload against one target or both, back to back. */
  static List<RunResult> run(BenchOptions o) throws Exception {
    boolean quick = o.flag("--quick");
    String which = o.string("--target", "tally");
    Workload workload = new Workload(
        o.integer("--orgs", quick ? 1_000 : 10_000),
        o.decimal("--zipf", 1.0),
        o.decimal("--hot-share", 0),
        o.decimal("--charges", 0),
        o.integer("--hold", 1_000),
        orgPrefix());
    Duration warmup = o.duration("--warmup", quick ? QUICK_WARMUP : WARMUP);
    Duration duration = o.duration("--duration", quick ? QUICK_WINDOW : WINDOW);
    Runner.Settings settings = o.has("--concurrency")
        ? Runner.Settings.closed(o.integer("--concurrency", 64), warmup, duration)
        : Runner.Settings.open(o.decimal("--rate", 1_000), warmup, duration);
    String name = o.string("--name", defaultName(workload, settings));
    Path reports = o.path("--report", "report");

    List<RunResult> results = new ArrayList<>();
    LocalTally local = null;
    try {
      if (which.equals("tally") || which.equals("both")) {
        String address = o.string("--tally", "127.0.0.1:50051");
        int metricsPort = o.integer("--node-metrics", 0);
        Probes probes = Probes.none();
        if (o.flag("--local")) {
          local = LocalTally.startCassandra(o.path("--work-dir", "/var/tmp/tally-bench/run-" + stamp()));
          local.startNode(o.settings("--node-settings"), nodeJvmOptions(o));
          address = local.grpcAddress();
          probes = Probes.of(local);
        } else if (metricsPort > 0) {
          probes = new Probes(List::of, List::of, metricsPort);
        }
        try (TallyTarget tally = new TallyTarget(address)) {
          results.add(measure(tally, workload, settings, name, reports, probes));
        }
      }
      if (which.equals("postgres") || which.equals("both")) {
        try (PostgresTarget postgres = new PostgresTarget(o.string("--postgres", DEFAULT_POSTGRES),
            o.integer("--pool", 2 * Runtime.getRuntime().availableProcessors()))) {
          results.add(measure(postgres, workload, settings, name, reports, Probes.none()));
        }
      }
    } finally {
      if (local != null) local.close();
    }
    if (results.size() == 2) {
      Report.comparison(reports.resolve(name + "-compare.html"), "Tally vs PostgreSQL — " + name, results);
      System.out.println(ratioLine(results.get(0), results.get(1)));
      System.out.println("comparison page: " + reports.resolve(name + "-compare.html"));
    }
    return results;
  }

  /**
   * The {@code recover} command: restarts Cassandra and a node on the data of an earlier suite or --local run
   * ({@code --work-dir}) and times the first GetBalance of each {@code --orgs a,b,c} in order, e.g. under a profiler
   * ({@code --node-jvm -XX:StartFlightRecording=...}).
   */
  static boolean recover(BenchOptions o) throws Exception {
    try (LocalTally local = LocalTally.startCassandra(o.path("--work-dir", "."))) {
      local.startNode(o.settings("--node-settings"), nodeJvmOptions(o));
      Suite.timeBalances(local, List.of(o.string("--orgs", "").split(",")));
    }
    return true;
  }

  /** {@code --node-jvm "-Da=b -Dc=d"}: extra JVM options for the node the bench starts. */
  static List<String> nodeJvmOptions(BenchOptions o) {
    String options = o.string("--node-jvm", "").trim();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  static String ratioLine(RunResult tally, RunResult postgres) {
    return String.format(Locale.ROOT,
        "RATIO tally/postgres: throughput %.2fx (%,.0f vs %,.0f units/s); op p99 %.2f vs %.2f ms; pair p99 %.2f vs %.2f ms",
        tally.unitsPerSecond() / Math.max(1e-9, postgres.unitsPerSecond()), tally.unitsPerSecond(), postgres.unitsPerSecond(),
        tally.ms(Latencies.OPERATION, 99), postgres.ms(Latencies.OPERATION, 99),
        tally.ms(Latencies.PAIR, 99), postgres.ms(Latencies.PAIR, 99));
  }

  /** Where a target's processes are, to account for CPU and read the node's metrics. */
  record Probes(Supplier<List<Long>> nodePids, Supplier<List<Long>> cassandraPids, int metricsPort) {
    static Probes none() {
      return new Probes(List::of, List::of, 0);
    }

    static Probes of(LocalTally local) {
      return new Probes(() -> List.of(local.nodePid()), () -> local.cassandraPid().map(List::of).orElse(List.of()),
          local.metricsPort());
    }
  }

  /**
   * Prepares the orgs, runs, and writes the report folder {@code reports/<name>-<target>/} with the
   * CPU use of each process group and (for a node we can see) its group-commit batch sizes.
   */
  static RunResult measure(Target target, Workload workload, Runner.Settings settings, String name, Path reports, Probes probes)
      throws Exception {
    long prepareStart = System.nanoTime();
    target.prepare(workload.orgIds(), CREDITS_EACH);
    double prepareSeconds = (System.nanoTime() - prepareStart) / 1e9;
    System.out.printf(Locale.ROOT, "%s: %,d orgs created and funded in %.1f s%n", target.name(), workload.orgIds().size(), prepareSeconds);

    Map<String, Supplier<List<Long>>> groups = new LinkedHashMap<>();
    groups.put("loadGenerator", () -> List.of(ProcessHandle.current().pid()));
    groups.put("node", probes.nodePids());
    groups.put("cassandra", probes.cassandraPids());
    groups.put("postgres", TallyBench::postgresPids);
    CpuUsage cpu = new CpuUsage(groups);
    AtomicReference<NodeMetrics> before = new AtomicReference<>();
    Path folder = reports.resolve(name + "-" + target.name());
    java.nio.file.Files.createDirectories(folder);
    Runner runner = new Runner(target, workload, settings, System.out::println).atWarmupEnd(() -> {
      cpu.start();
      if (probes.metricsPort() > 0) before.set(NodeMetrics.scrape(probes.metricsPort()));
    });
    RunResult result = runner.run(name, folder.resolve("latency.hlog"));
    result.facts().put("machine", cpu.stop());
    result.facts().put("prepareSeconds", prepareSeconds);
    if (probes.metricsPort() > 0 && before.get() != null) {
      result.facts().put("node", NodeMetrics.scrape(probes.metricsPort()).since(before.get()));
    }
    if (target instanceof PostgresTarget pg) result.facts().put("postgresPool", pg.poolSize());
    Report.write(folder, result);
    System.out.print(result.summary());
    System.out.println("    cpu " + result.facts().get("machine"));
    System.out.println("    report: " + folder.resolve("report.html"));
    return result;
  }

  /** The PostgreSQL server processes on this machine (postmaster and backends). */
  static List<Long> postgresPids() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  static String defaultName(Workload workload, Runner.Settings settings) {
    String orgs = workload.hotShare() >= 1 ? "hot" : workload.orgs() + "orgs" + (workload.hotShare() > 0 ? "-hot" + Math.round(workload.hotShare() * 100) : "");
    String load = settings.mode() == Runner.Mode.OPEN ? "open" + Math.round(settings.rate()) : "closed" + settings.concurrency();
    String ops = workload.chargeShare() >= 1 ? "charges" : workload.chargeShare() > 0 ? "mix" : "pairs";
    return orgs + "-" + ops + "-" + load;
  }

  static String orgPrefix() {
    return "b" + Long.toString(System.currentTimeMillis(), 36);
  }

  static String stamp() {
    return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }
}
