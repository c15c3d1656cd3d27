package dev.tally.ops.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/cluster.sh refuses what it cannot do with a message and an exit code, and its status tells a
 * dead node from a running one. Runs the script on a state folder of its own, with no cluster.
 */
class ClusterScriptTest {

  @TempDir Path state;

  record Run(int exitCode, String out, String err) {}

  @Test
  void killingANodeThatDoesNotRunIsRefused() throws Exception {
    Run run = clusterSh("kill", "7");

    assertEquals(1, run.exitCode());
    assertEquals("node 7 is not running (ops/cluster.sh status lists the nodes)\n", run.err());
    assertFalse(run.out().contains("killed"), run.out());
  }

  @Test
  void removeWithoutANodeNumberIsAUsageError() throws Exception {
    Run run = clusterSh("remove");

    assertEquals(2, run.exitCode());
    assertTrue(run.err().startsWith("give a node number from 1 to 9"), run.err());
    assertFalse(run.err().contains("cluster.sh: line"), "a bash error: " + run.err());
  }

  @Test
  void aNodeNumberOutOfRangeIsAUsageError() throws Exception {
    assertEquals(2, clusterSh("kill", "12").exitCode());
    assertEquals(2, clusterSh("remove", "two").exitCode());
    assertEquals(2, clusterSh("start", "0").exitCode());
    assertEquals(2, clusterSh("restart").exitCode());
  }

  @Test
  void statusShowsANodeWhoseProcessIsGoneAsDead() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor(10, TimeUnit.SECONDS);
    Files.writeString(state.resolve("node-2.pid"), gone.pid() + "\n");

    Run run = clusterSh("status");

    assertEquals(0, run.exitCode(), run.err());
    String node2 = run.out().lines().filter(line -> line.startsWith("node 2 ")).findFirst().orElseThrow(() -> new AssertionError(run.out()));
    assertTrue(node2.contains("dead (pid " + gone.pid() + " is gone)"), node2);
    assertFalse(node2.contains("ready") || node2.contains("Up"), node2);
  }

  @Test
  void aKilledNodeIsListedAsDeadUntilTheClusterIsStopped() throws Exception {
    Process node = new ProcessBuilder("sleep", "600").start();
    try {
      Files.writeString(state.resolve("node-4.pid"), node.pid() + "\n");

      Run kill = clusterSh("kill", "4");
      assertEquals(0, kill.exitCode(), kill.err());
      assertEquals("node 4 killed\n", kill.out());
      assertTrue(node.waitFor(10, TimeUnit.SECONDS), "the process still runs");

      Run status = clusterSh("status");
      String node4 = status.out().lines().filter(line -> line.startsWith("node 4 ")).findFirst()
          .orElseThrow(() -> new AssertionError("status does not list the killed node: " + status.out()));
      assertTrue(node4.contains("dead (pid " + node.pid() + " is gone)"), node4);
      assertEquals(1, clusterSh("kill", "4").exitCode(), "a node killed once does not run to be killed again");

      clusterSh("stop");
      assertTrue(clusterSh("status").out().contains("no nodes (ops/cluster.sh start)"));
    } finally {
      node.destroyForcibly();
    }
  }

  @Test
  void statusWithoutNodesSaysSo() throws Exception {
    Run run = clusterSh("status");

    assertEquals(0, run.exitCode());
    assertTrue(run.out().contains("no nodes (ops/cluster.sh start)"), run.out());
  }

  private Run clusterSh(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", Readme.load().root().resolve("ops/cluster.sh").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("TALLY_CLUSTER_STATE", state.toString());
    Path err = state.resolve("stderr");
    Process process = builder.redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "cluster.sh " + String.join(" ", args) + " did not end");
    return new Run(process.exitValue(), out, Files.readString(err));
  }
}
