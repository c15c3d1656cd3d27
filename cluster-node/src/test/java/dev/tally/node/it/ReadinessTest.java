package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.LeaveClusterRequest;
import dev.tally.v1.LeaveClusterResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /ready says a node can take traffic: not before it has joined, and no longer once it starts leaving.
 * Not while its journal cannot be written either: {@link CassandraCrashTest} shows that with the crash it needs.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
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
    NodeProcess first = TestNode.node();
    try (NodeProcess second = NodeProcess.start(TestCassandra.server(), first)) {
      assertTrue(eventually(() -> NodeProcess.httpStatus(second.managementPort(), "/ready"), 200),
          "the joined node became ready");

      // Leaving, as an operator asks for it with an admin key through another node.
      LeaveClusterResponse leaving = AccountsGrpc.newBlockingStub(first.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
          .leaveCluster(LeaveClusterRequest.newBuilder().setMember(second.clusterAddress()).build());
      assertEquals(second.clusterAddress(), leaving.getMember());
      assertTrue(eventually(() -> NodeProcess.httpStatus(second.managementPort(), "/ready"), 500, -1),
          "the leaving node stopped being ready");
      assertEquals(200, NodeProcess.httpStatus(first.managementPort(), "/ready"), "the staying node is still ready");
    }
  }

  /** Polls until the status is one of those wanted, for at most a minute. */
  static boolean eventually(IntSupplier status, int... wanted) throws InterruptedException {
    return Eventually.within(Duration.ofMinutes(1), () -> IntStream.of(wanted).anyMatch(w -> w == status.getAsInt()));
  }
}
