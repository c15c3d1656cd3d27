package dev.tally.testkit;

import dev.tally.ops.cassandra.CassandraServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Cassandra for the whole test run, started on free ports in a fresh folder under
 * {@code target/} before the first test class that needs it and stopped when the run ends.
 */
public final class TestCassandra implements BeforeAllCallback {

  private static CassandraServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server(context);
  }

  private static synchronized CassandraServer server(ExtensionContext context) throws Exception {
    if (server == null) {
      CassandraServer started = startAnother();
      server = started;
      context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
          .put(TestCassandra.class, (ExtensionContext.Store.CloseableResource) started::stop);
    }
    return server;
  }

  /**
   * A Cassandra of the caller's own, not the run's, started the same way: for a test that kills it
   * ({@link CassandraServer#kill()}) and starts it again on the same data ({@link CassandraServer#start()}).
   * The caller closes it.
   */
  public static CassandraServer startAnother() throws IOException {
    Path dataDir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "cassandra")), "run-");
    CassandraServer started = CassandraServer.builder(dataDir)
        .cqlPort(CassandraServer.freePort())
        .storagePort(CassandraServer.freePort())
        .build()
        .start();
    started.applySchema();
    return started;
  }

  public static CassandraServer server() {
    if (server == null) throw new IllegalStateException("annotate the test class with @ExtendWith(TestCassandra.class)");
    return server;
  }
}
