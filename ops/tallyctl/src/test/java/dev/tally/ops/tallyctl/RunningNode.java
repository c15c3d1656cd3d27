package dev.tally.ops.tallyctl;

import dev.tally.node.it.NodeProcess;
import dev.tally.node.it.TestCassandra;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Tally node for the whole test run, on the run's {@link TestCassandra}; stopped when the
 * run ends. Register it after {@code TestCassandra}: {@code @ExtendWith({TestCassandra.class, RunningNode.class})}.
 */
final class RunningNode implements BeforeAllCallback {

  private static NodeProcess node;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (RunningNode.class) {
      if (node != null) return;
      NodeProcess started = NodeProcess.start(TestCassandra.server());
      node = started;
      // The root store closes what it holds when the run ends, newest first: this node before Cassandra.
      context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(RunningNode.class, started);
    }
  }

  static synchronized NodeProcess node() {
    if (node == null) throw new IllegalStateException("annotate the test class with @ExtendWith({TestCassandra.class, RunningNode.class})");
    return node;
  }

  /** tallyctl pointed at this node's gRPC and management ports. */
  static Cli tallyctl() {
    return new Cli(node());
  }
}
