package dev.tally.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the machine's CPU went during a run, from /proc: cores used by each group of our processes
 * (load generator, node, Cassandra, PostgreSQL), by the whole machine, and by everything else
 * (other people's builds and tests). Linux only; elsewhere every figure is empty.
 */
final class CpuUsage {

  /** Clock ticks per second of /proc's utime and stime; 100 on every common Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final Map<String, Supplier<List<Long>>> groups;
  private Map<String, Long> startTicks;
  private long[] startMachine;
  private long startNanos;
  private String loadBefore;

  /** @param groups name → the pids of that group (read at start and at stop) */
  CpuUsage(Map<String, Supplier<List<Long>>> groups) {
    this.groups = groups;
  }

  void start() {
    loadBefore = loadAverage();
    startNanos = System.nanoTime();
    startMachine = machineTicks();
    startTicks = groupTicks();
  }

  /** Cores used per group over the window, "machine", "others", and the load averages before and after. */
  Map<String, Object> stop() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Long> endTicks = groupTicks();
    long[] endMachine = machineTicks();
    Map<String, Object> result = new LinkedHashMap<>();
    Map<String, Double> cores = new LinkedHashMap<>();
    double ours = 0;
    for (String group : groups.keySet()) {
      double used = (endTicks.getOrDefault(group, 0L) - startTicks.getOrDefault(group, 0L)) / TICKS_PER_SECOND / seconds;
      cores.put(group, round(Math.max(0, used)));
      ours += Math.max(0, used);
    }
    if (startMachine != null && endMachine != null) {
      double busy = (endMachine[0] - startMachine[0]) / TICKS_PER_SECOND / seconds;
      cores.put("machine", round(busy));
      cores.put("others", round(Math.max(0, busy - ours)));
    }
    result.put("coresUsed", cores);
    result.put("cores", Runtime.getRuntime().availableProcessors());
    result.put("loadBefore", loadBefore);
    result.put("loadAfter", loadAverage());
    return result;
  }

  private Map<String, Long> groupTicks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    groups.forEach((name, pids) -> {
      long sum = 0;
      for (long pid : pids.get()) sum += processTicks(pid);
      ticks.put(name, sum);
    });
    return ticks;
  }

  /** utime + stime of one process (all its threads). */
  static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /** {busy, total} ticks of all CPUs since boot. */
  private static long[] machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      // user nice system idle iowait irq softirq steal; guest time is already in user.
      for (int i = 1; i <= 8 && i < fields.length; i++) total += Long.parseLong(fields[i]);
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "";
    }
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
