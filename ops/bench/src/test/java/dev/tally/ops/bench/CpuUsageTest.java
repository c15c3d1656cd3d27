package dev.tally.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JIT compiler's share of a process, counted from its compiler threads; the time of children it reaped. */
class CpuUsageTest {

  @Test
  void theCompilerThreadsOfAJvmThatRanCodeHaveUsedCpuAndNoMoreThanTheJvm() {
    long pid = ProcessHandle.current().pid();
    long compiler = CpuUsage.compilerTicks(pid);
    long all = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toMillis() / 10;
    assertTrue(compiler > 0, "a JVM that loaded JUnit has compiled methods: " + compiler);
    assertTrue(compiler <= all + 1, compiler + " ticks of " + all);
  }

  @Test
  void aChildThatEndedIsCountedInTheTimeOfTheProcessThatReapedIt() throws Exception {
    long pid = ProcessHandle.current().pid();
    long before = CpuUsage.withReapedChildren(pid) - ownTicks();
    // A shell counting: CPU of its own, then gone before the second reading.
    Process child = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); done").start();
    assertEquals(0, child.waitFor());
    long reaped = CpuUsage.withReapedChildren(pid) - ownTicks() - before;
    assertTrue(reaped >= 10, "a child that counted to a million used at least 0.1 s, counted after it ended: " + reaped);
  }

  private static long ownTicks() {
    return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toMillis() / 10;
  }
}
