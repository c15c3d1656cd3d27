package dev.tally.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Tally node for the test JVM, on its {@link TestCassandra}, started before the first test
 * class that needs it and stopped when the JVM exits (for the reason {@link TestCassandra} gives).
 * Test classes that share it keep to orgs of their own. Register it after {@code TestCassandra}:
 * {@code @ExtendWith({TestCassandra.class, TestNode.class})}.
 */
public final class TestNode implements BeforeAllCallback {

  private static NodeProcess node;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (TestNode.class) {
      if (node != null) return;
      node = NodeProcess.start(TestCassandra.server());
      NodeProcess.closeOnJvmExit(node);
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
