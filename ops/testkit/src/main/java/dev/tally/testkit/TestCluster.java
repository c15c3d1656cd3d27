package dev.tally.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A cluster of {@link #SIZE} node JVMs on the test JVM's {@link TestCassandra}, shared by the test
 * classes that register it, so that each does not start and stop a cluster of its own. A class may
 * stop or kill nodes of it: the next class finds each node that no longer runs replaced by a new one
 * that joined the others, and every node ready and seeing the {@link #SIZE} Up, none unreachable. The
 * nodes are closed when the JVM exits. Register it after {@code TestCassandra}:
 * {@code @ExtendWith({TestCassandra.class, TestCluster.class})}.
 */
public final class TestCluster implements BeforeAllCallback {

  public static final int SIZE = 3;
  /** A replacement joins only once the cluster has downed the node it replaces, if that node was killed. */
  private static final Duration FORMED_WITHIN = Duration.ofMinutes(2);
  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\w+)\"");
  private static final Pattern NO_UNREACHABLE = Pattern.compile("\"unreachable\"\\s*:\\s*\\[\\s*]");

  private static final List<NodeProcess> nodes = new ArrayList<>();

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (TestCluster.class) {
      nodes.removeIf(node -> !node.isAlive());
      if (nodes.isEmpty()) nodes.add(started(null));
      nodes.addAll(startedSideBySide(SIZE - nodes.size(), nodes.get(0)));
      for (NodeProcess node : nodes) {
        Eventually.await(node.address() + " ready, seeing " + SIZE + " members Up and none unreachable", FORMED_WITHIN,
            () -> NodeProcess.httpStatus(node.managementPort(), "/ready") == 200 && seesTheWholeCluster(node));
      }
    }
  }

  /** The cluster's nodes, {@link #SIZE} of them, all running when the class's tests begin. */
  public static synchronized List<NodeProcess> nodes() {
    if (nodes.isEmpty()) throw new IllegalStateException("annotate the test class with @ExtendWith({TestCassandra.class, TestCluster.class})");
    return List.copyOf(nodes);
  }

  private static NodeProcess started(NodeProcess seed) throws Exception {
    // Readers check every org against its journal every 20 s, not 10 minutes: a notice lost with a killed node shows soon.
    NodeProcess node = NodeProcess.start(TestCassandra.server(), seed, "-Dtally.read-side.reconcile-every=20s");
    NodeProcess.closeOnJvmExit(node);
    return node;
  }

  /** Nodes joining {@code seed}, started at once: most of a node's start is spent on one core. */
  private static List<NodeProcess> startedSideBySide(int count, NodeProcess seed) throws Exception {
    if (count == 0) return List.of();
    ExecutorService starts = Executors.newFixedThreadPool(count);
    try {
      List<Future<NodeProcess>> starting = new ArrayList<>();
      for (int i = 0; i < count; i++) starting.add(starts.submit(() -> started(seed)));
      List<NodeProcess> joined = new ArrayList<>();
      for (Future<NodeProcess> start : starting) {
        try {
          joined.add(start.get());
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
      return joined;
    } finally {
      starts.shutdown();
    }
  }

  private static boolean seesTheWholeCluster(NodeProcess node) {
    String members;
    try {
      members = NodeProcess.httpBody(node.managementPort(), "/cluster/members");
    } catch (IOException notYet) {
      return false;
    }
    if (!NO_UNREACHABLE.matcher(members).find()) return false;
    List<String> statuses = new ArrayList<>();
    for (Matcher status = STATUS.matcher(members); status.find(); ) statuses.add(status.group(1));
    return statuses.size() == SIZE && statuses.stream().allMatch("Up"::equals)
        && nodes.stream().allMatch(member -> members.contains(member.clusterAddress()));
  }
}
