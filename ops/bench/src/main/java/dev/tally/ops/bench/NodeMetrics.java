package dev.tally.ops.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A scrape of a node's Prometheus endpoint, and what two scrapes tell about the window between them: how big the
 * group-commit batches really were, how long operations waited for their batch to leave, how long batches took to be
 * answered and journal writes to be done, and how long the node held the reserve and the commit calls (from its headers
 * to its close) — what the client measures beyond that was spent between the processes — and what its JVM allocated
 * and paused for.
 */
record NodeMetrics(Map<String, Double> samples) {

  /** The node's histograms over a window. */
  record Window(Distribution groupCommitBatches, Distribution journalWriteMs, Distribution readSideLagMs,
      Distribution queuedMs, Distribution answeredMs, Distribution reservesServedMs, Distribution commitsServedMs,
      Collections collections) {}

  /** What the node's JVM allocated and promoted to its old generation over a window, and its collections' pauses. */
  record Collections(double allocatedMb, double promotedMb, long pauses, double pausedMs) {}

  /** Count, mean and bucket-estimated percentiles (bucket upper bounds) of a Prometheus histogram over a window. */
  record Distribution(long count, double mean, double p50, double p90, double p99, double max) {}

  static NodeMetrics scrape(int metricsPort) {
    try (InputStream in = URI.create("http://127.0.0.1:" + metricsPort + "/metrics").toURL().openStream()) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new NodeMetrics(Map.of());
    }
  }

  static NodeMetrics parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int space = line.lastIndexOf(' ');
      if (line.startsWith("#") || space < 0) continue;
      try {
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException notASample) {
        // skipped
      }
    }
    return new NodeMetrics(samples);
  }

  double get(String key) {
    return samples.getOrDefault(key, 0.0);
  }

  /** The node's histograms between {@code before} and this scrape. */
  Window since(NodeMetrics before) {
    return new Window(histogramSince(before, "tally_group_commit_batch_size", 1), histogramSince(before, "tally_journal_write_seconds", 1000),
        histogramSince(before, "tally_read_side_lag_seconds", 1000), histogramSince(before, "tally_group_commit_queued_seconds", 1000),
        histogramSince(before, "tally_group_commit_answered_seconds", 1000),
        served(before, "Reserve"), served(before, "Commit"),
        new Collections(since(before, "jvm_gc_memory_allocated_bytes_total") / (1 << 20),
            since(before, "jvm_gc_memory_promoted_bytes_total") / (1 << 20),
            (long) since(before, "jvm_gc_pause_seconds_count"), since(before, "jvm_gc_pause_seconds_sum") * 1000));
  }

  /** How much {@code name} grew over the window, all its series (every set of labels) together. */
  private double since(NodeMetrics before, String name) {
    return total(name) - before.total(name);
  }

  private double total(String name) {
    return samples.entrySet().stream()
        .filter(sample -> sample.getKey().equals(name) || sample.getKey().startsWith(name + "{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** The node's time on the calls of {@code method} (Metering's) answered OK. */
  private Distribution served(NodeMetrics before, String method) {
    return histogramSince(before, "tally_grpc_server_calls_seconds", 1000, "code=\"OK\",method=\"tally.v1.Metering/" + method + "\"");
  }

  private Distribution histogramSince(NodeMetrics before, String name, double scale) {
    return histogramSince(before, name, scale, "");
  }

  /** The histogram {@code name} over the window: its series with {@code labels} (those before le, none for ""). */
  private Distribution histogramSince(NodeMetrics before, String name, double scale, String labels) {
    String series = labels.isEmpty() ? "" : "{" + labels + "}";
    double count = get(name + "_count" + series) - before.get(name + "_count" + series);
    double sum = get(name + "_sum" + series) - before.get(name + "_sum" + series);
    TreeMap<Double, Double> cumulative = new TreeMap<>();
    String prefix = name + "_bucket{" + (labels.isEmpty() ? "" : labels + ",") + "le=\"";
    samples.forEach((key, value) -> {
      if (!key.startsWith(prefix)) return;
      String le = key.substring(prefix.length(), key.indexOf('"', prefix.length()));
      cumulative.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), value - before.get(key));
    });
    return new Distribution((long) count, count > 0 ? sum / count * scale : 0.0, upperBound(cumulative, count * 50 / 100) * scale,
        upperBound(cumulative, count * 90 / 100) * scale, upperBound(cumulative, count * 99 / 100) * scale,
        upperBound(cumulative, count) * scale);
  }

  private static double upperBound(TreeMap<Double, Double> cumulative, double rank) {
    if (rank <= 0) return 0;
    return cumulative.entrySet().stream().filter(b -> b.getValue() >= rank).mapToDouble(Map.Entry::getKey).findFirst().orElse(0);
  }
}
