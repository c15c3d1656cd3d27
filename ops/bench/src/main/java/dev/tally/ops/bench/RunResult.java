package dev.tally.ops.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What one run measured: throughput of units (a reserve+commit pair or a one-step charge), the
 * latency distribution of each kind of operation, errors by reason, a per-second timeline, and
 * facts gathered around the run (CPU use per process group, the node's own metrics).
 */
record RunResult(
    String label,
    String target,
    Workload workload,
    Runner.Settings settings,
    Instant measuredStart,
    double measuredSeconds,
    long units,
    double unitsPerSecond,
    Map<String, Histogram> latencies,
    Map<String, Long> errors,
    List<Runner.Second> timeline,
    Map<String, Object> facts) {

  static final double[] PERCENTILES = {50, 90, 99, 99.9};

  RunResult(String label, String target, Workload workload, Runner.Settings settings, Instant measuredStart,
      double measuredSeconds, long units, double unitsPerSecond, Map<String, Histogram> latencies,
      Map<String, Long> errors, List<Runner.Second> timeline) {
    this(label, target, workload, settings, measuredStart, measuredSeconds, units, unitsPerSecond, latencies, errors,
        timeline, new LinkedHashMap<>());
  }

  long errorCount() {
    return errors.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Latency of one kind of operation at a percentile, in milliseconds (0 when none was recorded). */
  double ms(String name, double percentile) {
    Histogram h = latencies.get(name);
    return h == null || h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMs(String name) {
    Histogram h = latencies.get(name);
    return h == null || h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
  }

  /** The one-line summary printed after a run. */
  String summary() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s %s (%s, %s): %,.0f units/s over %.1f s, %,d units, %,d errors%s%n",
        target, label, describeWorkload(), settings.describe(), unitsPerSecond, measuredSeconds, units, errorCount(),
        errors.isEmpty() ? "" : " " + errors));
    for (String name : Latencies.NAMES) {
      Histogram h = latencies.get(name);
      if (h == null || h.getTotalCount() == 0) continue;
      out.append(String.format(Locale.ROOT, "    %-9s n=%,10d  p50 %7.2f  p90 %7.2f  p99 %7.2f  p99.9 %7.2f  max %8.2f ms%n",
          name, h.getTotalCount(), ms(name, 50), ms(name, 90), ms(name, 99), ms(name, 99.9), maxMs(name)));
    }
    return out.toString();
  }

  String describeWorkload() {
    String orgs = workload.hotShare() >= 1 ? "one hot org"
        : String.format(Locale.ROOT, "%,d orgs zipf %.2f%s", workload.orgs(), workload.zipfExponent(),
            workload.hotShare() > 0 ? String.format(Locale.ROOT, " + hot org %.0f%%", workload.hotShare() * 100) : "");
    String ops = workload.chargeShare() >= 1 ? "charges"
        : workload.chargeShare() <= 0 ? "reserve+commit" : String.format(Locale.ROOT, "%.0f%% charges", workload.chargeShare() * 100);
    return orgs + ", " + ops;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("label", label);
    json.put("target", target);
    json.put("workload", Map.of(
        "orgs", workload.orgs(), "zipfExponent", workload.zipfExponent(), "hotShare", workload.hotShare(),
        "chargeShare", workload.chargeShare(), "holdMicroCredits", workload.holdMicroCredits(),
        "orgPrefix", workload.orgPrefix(), "description", describeWorkload()));
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("mode", settings.mode().name().toLowerCase(Locale.ROOT));
    if (settings.mode() == Runner.Mode.OPEN) run.put("targetRatePerSecond", settings.rate());
    else run.put("concurrency", settings.concurrency());
    run.put("warmupSeconds", settings.warmup().toMillis() / 1000.0);
    run.put("durationSeconds", settings.duration().toMillis() / 1000.0);
    run.put("measuredStart", measuredStart.toString());
    run.put("measuredSeconds", measuredSeconds);
    json.put("run", run);
    json.put("units", units);
    json.put("unitsPerSecond", unitsPerSecond);
    json.put("unit", "a reserve+commit pair or a one-step charge");
    json.put("errors", errors);
    Map<String, Object> latency = new LinkedHashMap<>();
    for (Map.Entry<String, Histogram> e : latencies.entrySet()) {
      Histogram h = e.getValue();
      if (h.getTotalCount() == 0) continue;
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("count", h.getTotalCount());
      one.put("meanMs", h.getMean() / 1000.0);
      for (double p : PERCENTILES) one.put("p" + trim(p) + "Ms", h.getValueAtPercentile(p) / 1000.0);
      one.put("maxMs", h.getMaxValue() / 1000.0);
      one.put("distribution", distribution(h));
      latency.put(e.getKey(), one);
    }
    json.put("latency", latency);
    List<Object> seconds = new ArrayList<>();
    for (Runner.Second s : timeline) {
      seconds.add(List.of(s.second(), s.units(), s.errors(), s.inFlight(), s.p50(), s.p90(), s.p99(), s.max()));
    }
    json.put("timelineColumns", List.of("second", "units", "errors", "inFlight", "opP50Ms", "opP90Ms", "opP99Ms", "opMaxMs"));
    json.put("timeline", seconds);
    json.putAll(facts);
    return json;
  }

  /** [percentile, ms] points of the whole distribution (HdrHistogram's percentile iteration). */
  static List<Object> distribution(Histogram h) {
    List<Object> points = new ArrayList<>();
    for (HistogramIterationValue v : h.percentiles(5)) {
      points.add(List.of(v.getPercentileLevelIteratedTo(), h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0));
      if (v.getPercentileLevelIteratedTo() >= 100) break;
    }
    return points;
  }

  private static String trim(double p) {
    return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
  }
}
