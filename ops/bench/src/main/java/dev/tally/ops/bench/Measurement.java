package dev.tally.ops.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One run and what was gathered around it: how long the orgs took to prepare, the CPU use of each process group,
 * (for a node we can see) its group-commit batch sizes and journal writes over the window, and (with --webhooks)
 * the webhook deliveries' latency.
 */
record Measurement(RunResult run, double prepareSeconds, CpuUsage.Window cpu, NodeMetrics.Window node,
    WebhookLatency.Result webhooks) {

  /** Every org gets a million credits: no run comes near spending them. */
  static final long CREDITS_EACH = 1_000_000_000_000L;

  /** Where a target's processes are, to account for CPU and read the node's metrics. */
  record Probes(Supplier<List<Long>> nodePids, Supplier<List<Long>> cassandraPids, int metricsPort) {
    static final Probes NONE = new Probes(List::of, List::of, 0);

    static Probes of(LocalTally local) {
      return new Probes(() -> List.of(local.nodePid()), () -> local.cassandraPid().map(List::of).orElse(List.of()),
          local.metricsPort());
    }
  }

  /** Prepares the orgs, runs, and writes the report folder {@code reports/<name>-<target>/}. */
  static Measurement of(Target target, Workload workload, Runner.Settings settings, String name, Path reports,
      Probes probes) throws Exception {
    return of(target, workload, settings, name, reports, probes, null);
  }

  /** {@link #of(Target, Workload, Runner.Settings, String, Path, Probes)}, measuring {@code webhooks} (null: not) too. */
  static Measurement of(Target target, Workload workload, Runner.Settings settings, String name, Path reports,
      Probes probes, WebhookLatency webhooks) throws Exception {
    long prepareStart = System.nanoTime();
    target.prepare(workload.orgIds(), CREDITS_EACH);
    double prepareSeconds = (System.nanoTime() - prepareStart) / 1e9;
    System.out.printf(Locale.ROOT, "%s: %,d orgs created and funded in %.1f s%n", target.name(), workload.orgIds().size(),
        prepareSeconds);

    if (webhooks != null) webhooks.register(); // before the warm-up: the node's dispatchers find it meanwhile
    CpuUsage cpu = new CpuUsage(probes);
    AtomicReference<NodeMetrics> before = new AtomicReference<>();
    Path folder = reports.resolve(name + "-" + target.name());
    Files.createDirectories(folder);
    RunResult run = new Runner(target, workload, settings, System.out::println).atWarmupEnd(() -> {
      cpu.start();
      if (probes.metricsPort() > 0) before.set(NodeMetrics.scrape(probes.metricsPort()));
      if (webhooks != null) webhooks.grantDuring(settings.duration());
    }).run(name, folder.resolve("latency.hlog"));
    CpuUsage.Window used = cpu.stop();
    NodeMetrics.Window node = before.get() == null ? null : NodeMetrics.scrape(probes.metricsPort()).since(before.get());
    WebhookLatency.Result delivered = webhooks == null ? null : webhooks.finish();
    Measurement measurement = new Measurement(run, prepareSeconds, used, node, delivered);
    Report.write(folder, measurement);
    System.out.print(run.summary());
    System.out.println("    cpu " + used);
    if (delivered != null) System.out.println(delivered.line());
    System.out.println("    report: " + folder.resolve("report.html"));
    return measurement;
  }
}
