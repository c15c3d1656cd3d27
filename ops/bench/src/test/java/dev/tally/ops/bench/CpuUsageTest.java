package dev.tally.ops.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JIT compiler's share of a process, counted from its compiler threads. */
class CpuUsageTest {

  @Test
  void theCompilerThreadsOfAJvmThatRanCodeHaveUsedCpuAndNoMoreThanTheJvm() {
    long pid = ProcessHandle.current().pid();
    long compiler = CpuUsage.compilerTicks(pid);
    long all = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toMillis() / 10;
    assertTrue(compiler > 0, "a JVM that loaded JUnit has compiled methods: " + compiler);
    assertTrue(compiler <= all + 1, compiler + " ticks of " + all);
  }
}
