package dev.tally.ops.bench;

import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Cassandra and one Tally node on 127.0.0.1, started by the bench in a folder of its own, so
 * that a measurement can restart the node with other settings (group-commit batch limit, heap)
 * or time its recovery. The node is the test kit's {@link NodeProcess}; both stop when this JVM exits.
 */
final class LocalTally implements AutoCloseable {

  private final Path folder;
  private final CassandraServer cassandra;
  private NodeProcess node;

  private LocalTally(Path folder, CassandraServer cassandra) {
    this.folder = folder;
    this.cassandra = cassandra;
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopNodeNow, "stop-bench-node"));
  }

  /** Starts Cassandra (fresh data under {@code folder}) and applies the schema. */
  static LocalTally startCassandra(Path folder) throws IOException {
    Files.createDirectories(folder);
    CassandraServer cassandra = CassandraServer.builder(folder.resolve("cassandra"))
        .cqlPort(CassandraServer.freePort())
        .storagePort(CassandraServer.freePort())
        .build()
        .start();
    cassandra.applySchema();
    return new LocalTally(folder, cassandra);
  }

  /**
   * The node's heap unless a measurement sets its own: enough for the request memory of every pair
   * a load run sends (BENCHMARKS.md's memory table), so that a run does not measure the collector.
   */
  static final String HEAP = "-Xmx4g";

  /**
   * (Re)starts the node: a graceful stop of the running one first, then a new JVM with these
   * {@code TALLY_*} settings and JVM options (default {@link #HEAP}); returns once it serves gRPC.
   */
  synchronized void startNode(Map<String, String> settings, List<String> jvmOptions) throws Exception {
    startNode(settings, jvmOptions, NodeProcess.NODE_MAIN);
  }

  /** {@link #startNode(Map, List)} running {@code mainClass}, e.g. {@link NodeWithoutKeyCheck}. */
  synchronized void startNode(Map<String, String> settings, List<String> jvmOptions, String mainClass) throws Exception {
    stopNode();
    List<String> options = new ArrayList<>(jvmOptions);
    if (options.stream().noneMatch(option -> option.startsWith("-Xmx"))) options.add(0, HEAP);
    node = NodeProcess.start(cassandra, settings, options, folder, mainClass);
  }

  /** Graceful stop (SIGTERM: coordinated shutdown), then SIGKILL after 60 s. */
  synchronized void stopNode() throws InterruptedException {
    if (node == null) return;
    node.close();
    node = null;
  }

  private void stopNodeNow() {
    try {
      stopNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String grpcAddress() {
    return node.address();
  }

  /** The admin key of the node: the test kit's, which it starts every node with. */
  String apiKey() {
    return TestKeys.ADMIN;
  }

  int metricsPort() {
    return node.metricsPort();
  }

  long nodePid() {
    return node.pid();
  }

  Optional<Long> cassandraPid() {
    return cassandra.pid();
  }

  /** Runs a full GC in the node, then returns its heap figures (jcmd GC.heap_info). */
  String heapAfterFullGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    return jcmd("GC.heap_info");
  }

  String jcmd(String what) throws IOException, InterruptedException {
    Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(node.pid()), what).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    stopNode();
    cassandra.stop();
  }
}
