package dev.tally.ops.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * Latency per kind of operation, in microseconds, with HdrHistogram: thread-safe recorders that are read interval
 * by interval (once a second) into a running total and a {@code latency.hlog} (HdrHistogram's interval log, readable
 * by HistogramLogProcessor).
 */
final class Latencies {

  /** The single calls, each on its own, and what they add up to. */
  static final String RESERVE = "reserve";
  static final String COMMIT = "commit";
  static final String CHARGE = "charge";
  /** Reserve, then commit: what an AI call waits for in all. */
  static final String PAIR = "pair";
  /** Every single call (reserve, commit or charge): the "per operation" of the targets. */
  static final String OPERATION = "operation";

  static final List<String> NAMES = List.of(OPERATION, RESERVE, COMMIT, CHARGE, PAIR);

  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

  /** What results.json keeps of one histogram. */
  record Summary(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms,
      @JsonProperty("p99.9Ms") double p999Ms, double maxMs, List<double[]> distribution) {
    static Summary of(Histogram h) {
      return new Summary(h.getTotalCount(), h.getMean() / 1000.0, ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9),
          Latencies.maxMs(h), Latencies.distribution(h));
    }
  }

  private final Map<String, Recorder> recorders = new LinkedHashMap<>();
  private final Map<String, Histogram> intervals = new LinkedHashMap<>();
  private final Map<String, Histogram> totals = new LinkedHashMap<>();
  private HistogramLogWriter log;
  private PrintStream logStream;

  Latencies() {
    for (String name : NAMES) {
      recorders.put(name, new Recorder(HIGHEST_MICROS, 3));
      Histogram total = new Histogram(HIGHEST_MICROS, 3);
      total.setTag(name);
      totals.put(name, total);
    }
  }

  /** A percentile in milliseconds, 0 when nothing was recorded. */
  static double ms(Histogram h, double percentile) {
    return h == null || h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  static double maxMs(Histogram h) {
    return h == null || h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0;
  }

  /** [percentile, ms] points of the whole distribution (HdrHistogram's percentile iteration). */
  static List<double[]> distribution(Histogram h) {
    List<double[]> points = new ArrayList<>();
    for (HistogramIterationValue v : h.percentiles(5)) {
      points.add(new double[] {v.getPercentileLevelIteratedTo(), h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0});
      if (v.getPercentileLevelIteratedTo() >= 100) break;
    }
    return points;
  }

  /** Also writes every interval to an HdrHistogram log file. */
  void logTo(Path file, long startMillis) throws FileNotFoundException {
    logStream = new PrintStream(file.toFile());
    log = new HistogramLogWriter(logStream);
    log.outputLogFormatVersion();
    log.outputStartTime(startMillis);
    log.setBaseTime(startMillis);
    log.outputLegend();
  }

  void record(String name, long nanos) {
    long micros = Math.max(1, Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
    recorders.get(name).recordValue(micros);
    if (!name.equals(PAIR)) recorders.get(OPERATION).recordValue(micros);
  }

  /** Takes what was recorded since the last call: added to the totals and the log; returned per name. */
  synchronized Map<String, Histogram> interval() {
    Map<String, Histogram> taken = new LinkedHashMap<>();
    for (String name : NAMES) {
      Histogram interval = recorders.get(name).getIntervalHistogram(intervals.get(name));
      intervals.put(name, interval);
      interval.setTag(name);
      totals.get(name).add(interval);
      if (log != null && interval.getTotalCount() > 0) log.outputIntervalHistogram(interval);
      taken.put(name, interval);
    }
    return taken;
  }

  synchronized Map<String, Histogram> totals() {
    return totals;
  }

  synchronized void close() {
    if (logStream != null) logStream.close();
  }
}
