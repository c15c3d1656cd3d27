package dev.tally.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Tally node for the whole test run, on the run's {@link TestCassandra}, started before
 * the first test class that needs it and stopped when the run ends. Register it after
 * {@code TestCassandra}: {@code @ExtendWith({TestCassandra.class, TestNode.class})}.
 */
public final class TestNode implements BeforeAllCallback {

  private static NodeProcess node;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (TestNode.class) {
      if (node != null) return;
      NodeProcess started = NodeProcess.start(TestCassandra.server());
      node = started;
      // The root store closes what it holds when the run ends, newest first: this node before Cassandra.
      context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(TestNode.class, started);
    }
  }

  public static synchronized NodeProcess node() {
    if (node == null) throw new IllegalStateException("annotate the test class with @ExtendWith({TestCassandra.class, TestNode.class})");
    return node;
  }

  /** The node's gRPC address, {@code 127.0.0.1:port}. */
  public static String address() {
    return node().address();
  }
}
