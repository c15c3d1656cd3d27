package dev.tally.ops.bench;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

/**
 * Latency per kind of operation, in microseconds, with HdrHistogram: thread-safe recorders that
 * are read interval by interval (once a second) into a timeline, a running total and a
 * {@code latency.hlog} (HdrHistogram's interval log, readable by HistogramLogProcessor).
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
