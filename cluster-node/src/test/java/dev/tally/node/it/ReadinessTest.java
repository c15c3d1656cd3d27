package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /ready says a node can take traffic: not before it has joined, and no longer once it starts leaving.
 * Not while its journal cannot be written either: {@link CassandraCrashTest} shows that with the crash it needs.
 */
@ExtendWith(TestCassandra.class)
class ReadinessTest {

  @Test
  void aNodeThatHasNotJoinedIsAliveButNotReady() throws Exception {
    String nobody = "pekko://tally@127.0.0.1:" + CassandraServer.freePort();
    try (NodeProcess lonely = NodeProcess.start(TestCassandra.server(), "-Dpekko.cluster.seed-nodes.0=" + nobody)) {
      assertEquals(200, NodeProcess.httpStatus(lonely.managementPort(), "/alive"));
      assertEquals(500, NodeProcess.httpStatus(lonely.managementPort(), "/ready"));
    }
  }

  @Test
  void aNodeIsReadyOnceItJoinedAndNotReadyOnceItStartsLeaving() throws Exception {
    try (NodeProcess first = NodeProcess.start(TestCassandra.server());
        NodeProcess second = NodeProcess.start(TestCassandra.server(), first)) {
      assertTrue(eventually(() -> NodeProcess.httpStatus(second.managementPort(), "/ready"), 200),
          "the joined node became ready");

      // Leaving, as an operator asks for it through the management API of another node.
      int accepted = leave(first.managementPort(), second.clusterAddress());
      assertEquals(200, accepted);
      assertTrue(eventually(() -> NodeProcess.httpStatus(second.managementPort(), "/ready"), 500, -1),
          "the leaving node stopped being ready");
      assertEquals(200, NodeProcess.httpStatus(first.managementPort(), "/ready"), "the staying node is still ready");
    }
  }

  static int leave(int managementPort, String address) throws Exception {
    var connection = (java.net.HttpURLConnection)
        new java.net.URL("http://127.0.0.1:" + managementPort + "/cluster/members/" + address).openConnection();
    connection.setRequestMethod("PUT");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
    connection.getOutputStream().write("operation=Leave".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return connection.getResponseCode();
  }

  /** Polls until the status is one of those wanted, for at most a minute. */
  static boolean eventually(IntSupplier status, int... wanted) throws InterruptedException {
    return Eventually.within(Duration.ofMinutes(1), () -> IntStream.of(wanted).anyMatch(w -> w == status.getAsInt()));
  }
}
