package dev.tally.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * tally-bench against a real node for a few seconds, so the harness cannot rot: the run must
 * complete with throughput, no errors, and a full report folder; the same for the PostgreSQL
 * baseline, on a PostgreSQL the test starts itself.
 */
@ExtendWith(TestCassandra.class)
class BenchSmokeTest {

  @Test
  void aShortOpenLoopRunAgainstARealNodeMeasuresEveryOperationAndWritesItsReport(@TempDir Path reports) throws Exception {
    try (NodeProcess node = NodeProcess.start(TestCassandra.server())) {
      List<Measurement> results = TallyBench.run(new BenchOptions(new String[] {
          "run", "--target", "tally", "--tally", "127.0.0.1:" + node.grpcPort(), "--api-key", TestKeys.ADMIN, "--node-metrics", Integer.toString(node.metricsPort()),
          "--orgs", "50", "--charges", "0.3", "--rate", "100", "--warmup", "1s", "--duration", "3s",
          "--report", reports.toString(), "--name", "smoke"}));

      RunResult tally = results.get(0).run();
      assertEquals(Map.of(), tally.errors());
      assertTrue(tally.units() > 0 && tally.unitsPerSecond() > 0, "throughput " + tally.unitsPerSecond());
      assertTrue(tally.latencies().get(Latencies.PAIR).getTotalCount() > 0, "pairs measured");
      assertTrue(tally.latencies().get(Latencies.CHARGE).getTotalCount() > 0, "charges measured");
      assertReportFolder(reports.resolve("smoke-tally"));
      String json = Files.readString(reports.resolve("smoke-tally/results.json"), StandardCharsets.UTF_8);
      assertTrue(json.contains("\"groupCommitBatches\""), "the node's batch sizes are in the report");
    }
  }

  @Test
  void withWebhooksEveryGrantOfTheWindowReachesTheReceiverAndItsLatencyIsReported(@TempDir Path reports) throws Exception {
    try (NodeProcess node = NodeProcess.start(TestCassandra.server(), Map.of("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on"),
        NodeProcess.testJvmOptions(), Path.of("target", "nodes"))) {
      List<Measurement> results = TallyBench.run(new BenchOptions(new String[] {
          "run", "--target", "tally", "--tally", "127.0.0.1:" + node.grpcPort(), "--api-key", TestKeys.ADMIN,
          "--orgs", "50", "--rate", "50", "--warmup", "1s", "--duration", "3s", "--webhooks",
          "--report", reports.toString(), "--name", "webhooks"}));

      WebhookLatency.Result webhooks = results.get(0).webhooks();
      assertEquals(30, webhooks.grants(), "a grant every 100 ms of the 3 s window");
      assertEquals(0, webhooks.grantsFailed());
      assertEquals(0, webhooks.missing(), "every grant's event arrived within the grace");
      assertEquals(webhooks.grants(), webhooks.received());
      assertTrue(webhooks.p50Ms() > 0 && webhooks.p50Ms() <= webhooks.p99Ms() && webhooks.p99Ms() <= webhooks.maxMs(),
          webhooks::toString);
      String json = Files.readString(reports.resolve("webhooks-tally/results.json"), StandardCharsets.UTF_8);
      assertTrue(json.contains("\"webhooks\"") && json.contains("\"missing\""), json);
    }
  }

  @Test
  void thePostgresBaselineRunsTheSameWorkload(@TempDir Path reports) throws Exception {
    try (TestPostgres database = TestPostgres.start()) {
      List<Measurement> results = TallyBench.run(new BenchOptions(new String[] {
          "run", "--target", "postgres", "--postgres", database.url(), "--orgs", "50", "--charges", "0.3",
          "--rate", "100", "--warmup", "1s", "--duration", "2s", "--report", reports.toString(), "--name", "smoke"}));

      RunResult postgres = results.get(0).run();
      assertEquals(Map.of(), postgres.errors());
      assertTrue(postgres.unitsPerSecond() > 0, "throughput " + postgres.unitsPerSecond());
      assertReportFolder(reports.resolve("smoke-postgres"));
    }
  }

  private static void assertReportFolder(Path folder) throws Exception {
    String json = Files.readString(folder.resolve("results.json"), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"unitsPerSecond\""), json);
    assertTrue(json.contains("\"p99Ms\""), json);
    String html = Files.readString(folder.resolve("report.html"), StandardCharsets.UTF_8);
    assertTrue(html.contains("<svg") && html.contains("Percentile distribution"), "report.html has its charts");
    assertTrue(Files.size(folder.resolve("latency.hlog")) > 0, "latency.hlog written");
  }
}
