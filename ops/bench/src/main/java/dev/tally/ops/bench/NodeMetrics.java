package dev.tally.ops.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A scrape of a node's Prometheus endpoint, and what two scrapes tell about the window between
 * them: how big the group-commit batches really were, and how long journal writes took.
 */
record NodeMetrics(Map<String, Double> samples) {

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
      if (line.isEmpty() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      if (space < 0) continue;
      try {
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException ignored) {
        // not a sample
      }
    }
    return new NodeMetrics(samples);
  }

  double get(String key) {
    return samples.getOrDefault(key, 0.0);
  }

  /** Heap in use, all pools added (bytes). */
  double heapUsed() {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{") && e.getKey().contains("area=\"heap\""))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  double accountsInMemory() {
    return get("tally_accounts_in_memory");
  }

  /** Batch sizes and journal writes between {@code before} and this scrape. */
  Map<String, Object> since(NodeMetrics before) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("groupCommitBatches", histogramDelta(before, "tally_group_commit_batch_size", 1));
    out.put("journalWriteEvents", histogramDelta(before, "tally_journal_write_events", 1));
    out.put("journalWriteMs", histogramDelta(before, "tally_journal_write_seconds", 1000));
    return out;
  }

  /** count, mean and bucket-estimated percentiles (bucket upper bounds) of a Prometheus histogram's window. */
  private Map<String, Object> histogramDelta(NodeMetrics before, String name, double scale) {
    double count = get(name + "_count") - before.get(name + "_count");
    double sum = get(name + "_sum") - before.get(name + "_sum");
    TreeMap<Double, Double> cumulative = new TreeMap<>();
    String prefix = name + "_bucket{le=\"";
    for (Map.Entry<String, Double> e : samples.entrySet()) {
      if (!e.getKey().startsWith(prefix)) continue;
      String le = e.getKey().substring(prefix.length(), e.getKey().indexOf('"', prefix.length()));
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      cumulative.put(bound, e.getValue() - before.get(e.getKey()));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", (long) count);
    out.put("mean", count > 0 ? sum / count * scale : 0.0);
    for (double p : new double[] {50, 90, 99}) out.put("p" + (long) p, upperBound(cumulative, count * p / 100) * scale);
    out.put("max", upperBound(cumulative, count) * scale);
    List<Object> buckets = new ArrayList<>();
    double previous = 0;
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      double inBucket = b.getValue() - previous;
      previous = b.getValue();
      if (inBucket > 0) buckets.add(List.of(Double.isInfinite(b.getKey()) ? "+Inf" : b.getKey() * scale, (long) inBucket));
    }
    out.put("buckets", buckets);
    return out;
  }

  private static double upperBound(TreeMap<Double, Double> cumulative, double rank) {
    if (rank <= 0) return 0;
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      if (b.getValue() >= rank) return b.getKey();
    }
    return 0;
  }
}
