package dev.tally.ops.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: throughput of units (a reserve+commit pair or a one-step charge), the latency distribution
 * of each kind of operation and errors by reason.
 */
record RunResult(
    String label,
    String target,
    Workload workload,
    Runner.Settings settings,
    Instant measuredStart,
    double measuredSeconds,
    long units,
    @JsonIgnore Map<String, Histogram> latencies,
    Map<String, Long> errors) {

  @JsonProperty
  double unitsPerSecond() {
    return units / measuredSeconds;
  }

  @JsonProperty("latency")
  Map<String, Latencies.Summary> latencySummaries() {
    Map<String, Latencies.Summary> summaries = new LinkedHashMap<>();
    latencies.forEach((name, h) -> {
      if (h.getTotalCount() > 0) summaries.put(name, Latencies.Summary.of(h));
    });
    return summaries;
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Latency of one kind of operation at a percentile, in milliseconds (0 when none was recorded). */
  double ms(String name, double percentile) {
    return Latencies.ms(latencies.get(name), percentile);
  }

  double maxMs(String name) {
    return Latencies.maxMs(latencies.get(name));
  }

  /** The summary printed after a run. */
  String summary() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s %s (%s, %s): %,.0f units/s over %.1f s, %,d units, %,d errors%s%n",
        target, label, workload.describe(), settings.describe(), unitsPerSecond(), measuredSeconds, units, errorCount(),
        errors.isEmpty() ? "" : " " + errors));
    for (String name : Latencies.NAMES) {
      Histogram h = latencies.get(name);
      if (h == null || h.getTotalCount() == 0) continue;
      out.append(String.format(Locale.ROOT, "    %-9s n=%,10d  p50 %7.2f  p90 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f ms%n",
          name, h.getTotalCount(), ms(name, 50), ms(name, 90), ms(name, 99), ms(name, 99.9), maxMs(name)));
    }
    return out.toString();
  }
}
