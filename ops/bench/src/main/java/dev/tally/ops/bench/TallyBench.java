package dev.tally.ops.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * tally-bench: drives Tally (through its SDK) or the PostgreSQL baseline with one workload and reports throughput,
 * latency percentiles and errors, plus a report folder per run. See {@link BenchOptions#USAGE}; {@code suite} runs
 * every measurement behind BENCHMARKS.md.
 */
public final class TallyBench {

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
    boolean clean = options.command.equals("suite") ? Suite.run(options)
        : run(options).stream().allMatch(m -> m.run().errorCount() == 0 && m.run().units() > 0);
    System.exit(clean ? 0 : 1);
  }

  /** The {@code run} command: one workload against one target or both, back to back. */
  static List<Measurement> run(BenchOptions o) throws Exception {
    String which = o.string("--target", "tally");
    Workload workload = new Workload(o.orgs(), o.decimal("--zipf", 1.0), o.decimal("--hot-share", 0),
        o.decimal("--charges", 0), o.integer("--hold", 1_000), orgPrefix());
    Runner.Settings settings = o.flag("--concurrency")
        ? Runner.Settings.closed(o.integer("--concurrency", 64), o.warmup(), o.window())
        : Runner.Settings.open(o.decimal("--rate", 1_000), o.warmup(), o.window());
    String name = o.string("--name", defaultName(workload, settings));
    Path reports = o.path("--report", "report");

    List<Measurement> results = new ArrayList<>();
    LocalTally local = null;
    try {
      if (which.equals("tally") || which.equals("both")) {
        String address = o.string("--tally", "127.0.0.1:50051");
        String apiKey = o.string("--api-key", System.getenv("TALLY_API_KEY"));
        Measurement.Probes probes = new Measurement.Probes(List::of, List::of, o.integer("--node-metrics", 0));
        if (o.flag("--local")) {
          local = LocalTally.startCassandra(o.path("--work-dir", "/var/tmp/tally-bench/run-" + stamp()));
          Map<String, String> nodeSettings = new HashMap<>(o.nodeSettings());
          // The --webhooks receiver listens on 127.0.0.1, a loopback address a node refuses unless told.
          if (o.flag("--webhooks")) nodeSettings.putIfAbsent("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on");
          local.startNode(nodeSettings, o.nodeJvm());
          address = local.grpcAddress();
          apiKey = local.apiKey();
          probes = Measurement.Probes.of(local);
        }
        if (apiKey == null) throw new IllegalArgumentException("--tally needs an admin key: --api-key KEY or TALLY_API_KEY");
        try (TallyTarget tally = new TallyTarget(address, apiKey);
            WebhookLatency webhooks = o.flag("--webhooks") ? new WebhookLatency(address, apiKey, workload.orgIds()) : null) {
          results.add(Measurement.of(tally, workload, settings, name, reports, probes, webhooks));
        }
        if (local != null) {
          // Node and Cassandra stop before PostgreSQL is measured: it gets the machine to itself, as Tally had.
          local.close();
          local = null;
        }
      }
      if (which.equals("postgres") || which.equals("both")) {
        try (PostgresTarget postgres = new PostgresTarget(o.postgres(), o.pool())) {
          results.add(Measurement.of(postgres, workload, settings, name, reports, Measurement.Probes.NONE));
        }
      }
    } finally {
      if (local != null) local.close();
    }
    if (results.size() == 2) compared(results.get(0).run(), results.get(1).run(), reports, name);
    return results;
  }

  /** Prints how Tally compares with PostgreSQL on one workload, and draws both runs on one page. */
  static void compared(RunResult tally, RunResult postgres, Path reports, String name) throws IOException {
    Path page = reports.resolve(name + "-compare.html");
    Report.comparison(page, "Tally vs PostgreSQL — " + name, List.of(tally, postgres));
    System.out.println(ratioLine(tally, postgres) + "\ncomparison page: " + page);
  }

  static double ratio(RunResult tally, RunResult postgres) {
    return tally.unitsPerSecond() / Math.max(1e-9, postgres.unitsPerSecond());
  }

  static String ratioLine(RunResult tally, RunResult postgres) {
    return String.format(Locale.ROOT,
        "RATIO tally/postgres: throughput %.2fx (%,.0f vs %,.0f units/s); op p99 %.2f vs %.2f ms; pair p99 %.2f vs %.2f ms",
        ratio(tally, postgres), tally.unitsPerSecond(), postgres.unitsPerSecond(), tally.ms(Latencies.OPERATION, 99),
        postgres.ms(Latencies.OPERATION, 99), tally.ms(Latencies.PAIR, 99), postgres.ms(Latencies.PAIR, 99));
  }

  /** A run's name from how the tables describe it, e.g. {@code one-hot-org-reserve-commit-closed-loop-x256}. */
  static String defaultName(Workload workload, Runner.Settings settings) {
    return (workload.describe() + " " + settings.describe()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }

  static String orgPrefix() {
    return "b" + Long.toString(System.currentTimeMillis(), 36);
  }

  static String stamp() {
    return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  }
}
