package dev.tally.node.it;

import dev.tally.ops.cassandra.CassandraServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Tally node in its own JVM ({@code dev.tally.node.Main}), on free ports of 127.0.0.1 and a
 * given Cassandra, so that tests can kill it like a crash would.
 */
public final class NodeProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final Path log;
  private final int grpcPort;
  private final int clusterPort;
  private final int managementPort;
  private final int metricsPort;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private NodeProcess(Process process, Path log, int grpcPort, int clusterPort, int managementPort, int metricsPort) {
    this.process = process;
    this.log = log;
    this.grpcPort = grpcPort;
    this.clusterPort = clusterPort;
    this.managementPort = managementPort;
    this.metricsPort = metricsPort;
  }

  /** A node that forms a cluster of its own. */
  public static NodeProcess start(CassandraServer cassandra, String... extraJvmOptions) throws Exception {
    return start(cassandra, null, extraJvmOptions);
  }

  /**
   * A node that joins the cluster of {@code seed} (or forms its own when {@code seed} is null).
   * Free ports are picked, then bound by the node; when another process took one in between, the
   * node exits and is started again on new ports.
   */
  public static NodeProcess start(CassandraServer cassandra, NodeProcess seed, String... extraJvmOptions)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnFreePorts(cassandra, seed, extraJvmOptions);
      } catch (PortTaken e) {
        if (attempt == 3) throw e;
      }
    }
  }

  private static final class PortTaken extends IllegalStateException {
    PortTaken(String log) {
      super("a port was taken before the node bound it; its log:\n" + log);
    }
  }

  private static NodeProcess startOnFreePorts(CassandraServer cassandra, NodeProcess seed, String... extraJvmOptions)
      throws Exception {
    int[] ports = distinctFreePorts(4);
    int grpcPort = ports[0];
    int clusterPort = ports[1];
    int managementPort = ports[2];
    int metricsPort = ports[3];
    Path log = Files.createTempFile(Files.createDirectories(Paths.get("target", "nodes")), "node-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    if (seed != null) command.add("-Dpekko.cluster.seed-nodes.0=" + seed.clusterAddress());
    command.addAll(List.of(extraJvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tally.node.Main"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("TALLY_GRPC_PORT", Integer.toString(grpcPort));
    builder.environment().put("TALLY_CLUSTER_PORT", Integer.toString(clusterPort));
    builder.environment().put("TALLY_MANAGEMENT_PORT", Integer.toString(managementPort));
    builder.environment().put("TALLY_METRICS_PORT", Integer.toString(metricsPort));
    builder.environment().put("TALLY_CASSANDRA_CONTACT_POINT", "127.0.0.1:" + cassandra.cqlPort());
    NodeProcess node = new NodeProcess(builder.start(), log, grpcPort, clusterPort, managementPort, metricsPort);
    node.awaitReady();
    return node;
  }

  /** The node's Pekko Management HTTP port (/alive, /ready, /cluster/members). */
  public int managementPort() {
    return managementPort;
  }

  /** The node's Prometheus endpoint port ({@code GET /metrics}). */
  public int metricsPort() {
    return metricsPort;
  }

  /** GET on one of the node's HTTP ports; the status code, or -1 when nothing answers. */
  public static int httpStatus(int port, String path) {
    try {
      java.net.HttpURLConnection connection =
          (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + port + path).openConnection();
      connection.setConnectTimeout(2000);
      connection.setReadTimeout(5000);
      return connection.getResponseCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** GET on one of the node's HTTP ports; the body. */
  public static String httpBody(int port, String path) throws IOException {
    try (var in = new java.net.URL("http://127.0.0.1:" + port + path).openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Ports free on 127.0.0.1 right now, all different: the sockets are held open until all are picked. */
  private static int[] distinctFreePorts(int count) throws IOException {
    java.net.ServerSocket[] sockets = new java.net.ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (java.net.ServerSocket socket : sockets) {
        if (socket != null) socket.close();
      }
    }
  }

  /** The node's Pekko cluster address, for others to join. */
  public String clusterAddress() {
    return "pekko://tally@127.0.0.1:" + clusterPort;
  }

  /** The node's log so far (stdout and stderr of its JVM). */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Graceful stop, like an operator's SIGTERM: coordinated shutdown, then the JVM exits. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
  }

  private void awaitReady() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (Files.readString(log, StandardCharsets.UTF_8).contains("TALLY_GRPC_READY")) return;
      if (!process.isAlive()) break;
      Thread.sleep(100);
    }
    process.destroyForcibly();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (output.contains("Tally node failed to start") || output.contains("Address already in use")) {
      throw new PortTaken(output);
    }
    throw new IllegalStateException("node did not start; its log:\n" + output);
  }

  /** A channel to this node's gRPC port, closed with the node. */
  public ManagedChannel channel() {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  public int grpcPort() {
    return grpcPort;
  }

  /** Like a crash: SIGKILL, no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    if (process.isAlive()) stop();
  }
}
