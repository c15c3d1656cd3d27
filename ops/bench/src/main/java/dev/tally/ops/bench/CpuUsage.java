package dev.tally.ops.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Where the machine's CPU went during a run, from /proc: cores used by each group of our processes (load generator,
 * node, Cassandra, PostgreSQL), by the whole machine, and by everything else (other people's builds and tests); and of
 * the node's and Cassandra's, what their JIT compiler threads used ({@code node.jit}, {@code cassandra.jit}): work a
 * long-running process has done once, which a fresh one does while it is measured. Linux only; elsewhere every
 * figure is 0.
 */
final class CpuUsage {

  /** Clock ticks per second of /proc's utime and stime; 100 on every common Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** Cores used per group over the window, plus "machine" and "others"; load averages before and after. */
  record Window(Map<String, Double> coresUsed, int cores, String loadBefore, String loadAfter) {
    double of(String group) {
      return coresUsed.getOrDefault(group, 0.0);
    }
  }

  /** The groups whose JIT compiler threads are counted apart too. */
  private static final List<String> COMPILED = List.of("node", "cassandra");

  /** How a group is found (its processes now) and counted. */
  private record Group(Supplier<List<Long>> pids, ToLongFunction<Long> ticks) {}

  private final Map<String, Group> groups = new LinkedHashMap<>();
  private Map<String, Long> startTicks;
  private long[] startMachine;
  private long startNanos;
  private String loadBefore;

  CpuUsage(Measurement.Probes probes) {
    // The load generator starts and reaps the node and Cassandra: their time must not count as its own.
    groups.put("loadGenerator", new Group(() -> List.of(ProcessHandle.current().pid()), CpuUsage::processTicks));
    groups.put("node", new Group(probes.nodePids(), CpuUsage::processTicks));
    groups.put("cassandra", new Group(probes.cassandraPids(), CpuUsage::processTicks));
    groups.put("postgres", new Group(CpuUsage::postgresPids, CpuUsage::withReapedChildren));
  }

  void start() {
    loadBefore = loadAverage();
    startNanos = System.nanoTime();
    startMachine = machineTicks();
    startTicks = groupTicks();
  }

  Window stop() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Long> endTicks = groupTicks();
    long[] endMachine = machineTicks();
    Map<String, Double> cores = new LinkedHashMap<>();
    double ours = 0;
    for (String group : groups.keySet()) {
      double used = Math.max(0, (endTicks.get(group) - startTicks.get(group)) / TICKS_PER_SECOND / seconds);
      cores.put(group, round(used));
      ours += used;
    }
    for (String group : COMPILED) {
      String jit = group + ".jit";
      cores.put(jit, round(Math.max(0, (endTicks.get(jit) - startTicks.get(jit)) / TICKS_PER_SECOND / seconds)));
    }
    if (startMachine != null && endMachine != null) {
      double busy = (endMachine[0] - startMachine[0]) / TICKS_PER_SECOND / seconds;
      cores.put("machine", round(busy));
      cores.put("others", round(Math.max(0, busy - ours)));
    }
    return new Window(cores, Runtime.getRuntime().availableProcessors(), loadBefore, loadAverage());
  }

  private Map<String, Long> groupTicks() {
    Map<String, Long> ticks = new LinkedHashMap<>();
    groups.forEach((name, group) -> ticks.put(name, group.pids().get().stream().mapToLong(group.ticks()).sum()));
    for (String group : COMPILED) {
      ticks.put(group + ".jit", groups.get(group).pids().get().stream().mapToLong(CpuUsage::compilerTicks).sum());
    }
    return ticks;
  }

  /** User and system CPU time of the process's JIT compiler threads ("C1 CompilerThre…", "C2 CompilerThre…"), in ticks. */
  static long compilerTicks(long pid) {
    try (var threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return threads.mapToLong(thread -> {
        try {
          Stat stat = Stat.of(thread.resolve("stat"));
          return stat.name().matches("C\\d CompilerThre.*") ? stat.ownTicks() : 0;
        } catch (IOException | RuntimeException gone) {
          return 0;
        }
      }).sum();
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /**
   * A process's own CPU time and that of the children it has reaped, in ticks; 0 once it is gone. PostgreSQL's
   * backends and autovacuum workers come and go within a run, and the postmaster reaps them: a worker that ended
   * in the window took its time out of the group's sum (all it ever used, before the window too) while the machine's
   * busy ticks kept it, so it showed as *others*. Counting the postmaster's reaped children keeps the sum whole: an
   * exiting process's time moves into them.
   */
  static long withReapedChildren(long pid) {
    try {
      Stat stat = Stat.of(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.ownTicks() + stat.reapedChildrenTicks();
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }

  /**
   * One process's or thread's line of /proc: its command name, in parentheses that the name may itself contain, and
   * the fields after it, counted from the state (field 3 of proc(5)).
   */
  private record Stat(String name, String[] fields) {
    static Stat of(Path file) throws IOException {
      String line = Files.readString(file);
      int nameEnd = line.lastIndexOf(')');
      return new Stat(line.substring(line.indexOf('(') + 1, nameEnd), line.substring(nameEnd + 2).split(" "));
    }

    /** utime + stime. */
    long ownTicks() {
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** cutime + cstime: what the children it has waited for used. */
    long reapedChildrenTicks() {
      return Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
    }
  }

  /** User and system CPU time of one process (all its threads), in ticks; 0 once it is gone. */
  private static long processTicks(long pid) {
    return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
        .map(cpu -> (long) (cpu.toNanos() * TICKS_PER_SECOND / 1e9)).orElse(0L);
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

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "";
    }
  }

  /** The PostgreSQL server processes on this machine (postmaster and backends). */
  private static List<Long> postgresPids() {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
