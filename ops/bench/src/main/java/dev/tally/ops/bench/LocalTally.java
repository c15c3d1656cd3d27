package dev.tally.ops.bench;

import dev.tally.ops.cassandra.CassandraServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Cassandra and one Tally node on 127.0.0.1, started by the bench in a folder of its own, so
 * that a measurement can restart the node with other settings (group-commit batch limit, heap)
 * or time its recovery. The node runs in its own JVM ({@code dev.tally.node.Main}, from this
 * JVM's classpath); both stop when this JVM exits.
 */
final class LocalTally implements AutoCloseable {

  private final Path folder;
  private final CassandraServer cassandra;
  private Process node;
  private int grpcPort;
  private int metricsPort;
  private int starts;

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
   * The node's heap unless a measurement sets its own. Each org remembers its recent requests
   * (idempotency, up to 20,000 ids or 24 h): about 0.9 KB of heap per reserve+commit pair (the
   * memory table measures it). A load run sends 700,000 pairs and more: on 1 GiB one fell to
   * 1,176 pairs/s, its old generation 85 % full, and measured the collector. 4 GiB holds a run;
   * the memory table measures with 1 GiB.
   */
  static final String HEAP = "-Xmx4g";

  /**
   * (Re)starts the node: a graceful stop of the running one first, then a new JVM with these
   * {@code TALLY_*} settings and JVM options (default {@link #HEAP}); returns once it serves gRPC.
   */
  synchronized void startNode(Map<String, String> settings, List<String> jvmOptions) throws IOException, InterruptedException {
    stopNode();
    // A port found free can be taken by another socket before the node binds it (a suite run died so once):
    // then start again on other ports.
    for (int attempt = 1; ; attempt++) {
      Path log = launchNode(settings, jvmOptions);
      if (log == null) return;
      if (attempt == 3 || !Files.readString(log, StandardCharsets.UTF_8).contains("Address already in use")) {
        throw new IllegalStateException("the node did not start; see " + log);
      }
    }
  }

  /** Starts a node JVM on free ports; null once it serves gRPC, else its log (the JVM is gone). */
  private Path launchNode(Map<String, String> settings, List<String> jvmOptions) throws IOException, InterruptedException {
    grpcPort = CassandraServer.freePort();
    metricsPort = CassandraServer.freePort();
    Path log = folder.resolve("node-" + (++starts) + ".log");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) command.add(HEAP);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tally.node.Main"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("TALLY_GRPC_PORT", Integer.toString(grpcPort));
    env.put("TALLY_CLUSTER_PORT", Integer.toString(CassandraServer.freePort()));
    env.put("TALLY_MANAGEMENT_PORT", Integer.toString(CassandraServer.freePort()));
    env.put("TALLY_METRICS_PORT", Integer.toString(metricsPort));
    env.put("TALLY_CASSANDRA_CONTACT_POINT", "127.0.0.1:" + cassandra.cqlPort());
    env.putAll(settings);
    node = builder.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (Instant.now().isBefore(deadline)) {
      if (Files.readString(log, StandardCharsets.UTF_8).contains("TALLY_GRPC_READY")) return null;
      if (!node.isAlive()) break;
      Thread.sleep(50);
    }
    node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    node = null;
    return log;
  }

  /** Graceful stop (SIGTERM: coordinated shutdown), then SIGKILL after 60 s. */
  synchronized void stopNode() throws InterruptedException {
    if (node == null) return;
    node.destroy();
    if (!node.waitFor(60, TimeUnit.SECONDS)) node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    node = null;
  }

  private void stopNodeNow() {
    Process running = node;
    if (running != null && running.isAlive()) {
      running.destroy();
      try {
        if (!running.waitFor(30, TimeUnit.SECONDS)) running.destroyForcibly();
      } catch (InterruptedException e) {
        running.destroyForcibly();
      }
    }
  }

  String grpcAddress() {
    return "127.0.0.1:" + grpcPort;
  }

  int metricsPort() {
    return metricsPort;
  }

  long nodePid() {
    return node.pid();
  }

  /** The Cassandra JVM: the child of this JVM that runs CassandraDaemon. */
  Optional<Long> cassandraPid() {
    return ProcessHandle.current().children()
        .map(ProcessHandle::pid)
        .filter(pid -> commandLine(pid).contains("CassandraDaemon"))
        .findFirst();
  }

  private static String commandLine(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.ISO_8859_1);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Runs a full GC in the node, then returns its heap figures (jcmd GC.heap_info). */
  String heapAfterFullGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    return jcmd("GC.heap_info");
  }

  String jcmd(String what) throws IOException, InterruptedException {
    Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(nodePid()), what).redirectErrorStream(true).start();
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
