package dev.tally.testkit;

import dev.tally.ops.cassandra.CassandraServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Cassandra for the test JVM, started on free ports in a fresh folder under {@code target/}
 * before the first test class that needs it and stopped when the JVM exits ({@link CassandraServer}'s
 * own shutdown hook). Not when the JUnit run ends: Surefire with several forks starts a run of its
 * own for each test class, and the next class of the fork needs the same Cassandra.
 */
public final class TestCassandra implements BeforeAllCallback {

  private static CassandraServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  private static synchronized void start() throws IOException {
    if (server == null) server = startAnother();
  }

  /**
   * A Cassandra of the caller's own, not the run's, started the same way: for a test that kills it
   * ({@link CassandraServer#kill()}) and starts it again on the same data ({@link CassandraServer#start()}).
   * The caller closes it; the JVM's exit stops it otherwise.
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

  public static synchronized CassandraServer server() {
    if (server == null) throw new IllegalStateException("annotate the test class with @ExtendWith(TestCassandra.class)");
    return server;
  }
}
