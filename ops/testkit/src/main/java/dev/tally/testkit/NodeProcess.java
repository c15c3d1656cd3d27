package dev.tally.testkit;

import dev.tally.ops.cassandra.CassandraServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Tally node in its own JVM ({@link #NODE_MAIN}, from this JVM's class path), on free
 * ports of 127.0.0.1 and a given Cassandra, so that tests can stop it as an operator would or kill
 * it like a crash, and the bench can restart it with other settings.
 */
public final class NodeProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** The heap of a node whose JVM options name none. */
  public static final String DEFAULT_HEAP = "-Xmx512m";
  /**
   * JVM options for a node a test starts: it lives for seconds and serves little, so the optimizing
   * compiler (C2) and a parallel collector cost its start far more CPU than they ever pay back, and a
   * test run on a small machine waits on that CPU. Not for a node that is measured (the bench's): it
   * runs as deployed.
   */
  private static final List<String> TEST_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** The JVM options of a node a test starts ({@link #TEST_JVM_OPTIONS}), then {@code more}. */
  public static List<String> testJvmOptions(String... more) {
    List<String> options = new ArrayList<>(TEST_JVM_OPTIONS);
    options.addAll(List.of(more));
    return options;
  }

  private final Process process;
  private final Path log;
  private final int grpcPort;
  private final int clusterPort;
  private final int managementPort;
  private final int metricsPort;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private NodeProcess(Process process, Path log, int[] ports) {
    this.process = process;
    this.log = log;
    this.grpcPort = ports[0];
    this.clusterPort = ports[1];
    this.managementPort = ports[2];
    this.metricsPort = ports[3];
  }

  /** A node for a test that forms a cluster of its own. */
  public static NodeProcess start(CassandraServer cassandra, String... jvmOptions) throws Exception {
    return start(cassandra, null, jvmOptions);
  }

  /**
   * A node for a test ({@link #testJvmOptions}) that joins the cluster of {@code seed} (or forms its
   * own when {@code seed} is null).
   */
  public static NodeProcess start(CassandraServer cassandra, NodeProcess seed, String... jvmOptions) throws Exception {
    List<String> options = testJvmOptions(jvmOptions);
    if (seed != null) options.add("-Dpekko.cluster.seed-nodes.0=" + seed.clusterAddress());
    return start(cassandra, Map.of(), options, Paths.get("target", "nodes"));
  }

  /**
   * A node with these {@code TALLY_*} settings and JVM options ({@link #DEFAULT_HEAP} unless they set
   * a heap; a test passes {@link #testJvmOptions}), logging into a new file in {@code logs}. Free
   * ports are picked, then bound by the node; when another process took one in between, the node is
   * started again on new ports.
   */
  public static NodeProcess start(
      CassandraServer cassandra, Map<String, String> settings, List<String> jvmOptions, Path logs) throws Exception {
    return start(cassandra, settings, jvmOptions, logs, NODE_MAIN);
  }

  /** The class a node process runs: the deployed node's. */
  public static final String NODE_MAIN = "dev.tally.node.Main";

  /** {@link #start(CassandraServer, Map, List, Path)} with another main class, which starts a node as {@link #NODE_MAIN} does. */
  public static NodeProcess start(CassandraServer cassandra, Map<String, String> settings, List<String> jvmOptions,
      Path logs, String mainClass) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnFreePorts(cassandra, settings, jvmOptions, logs, mainClass);
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

  private static NodeProcess startOnFreePorts(CassandraServer cassandra, Map<String, String> settings,
      List<String> jvmOptions, Path logs, String mainClass) throws Exception {
    int[] ports = distinctFreePorts(4);
    Path log = Files.createTempFile(Files.createDirectories(logs), "node-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    if (jvmOptions.stream().noneMatch(option -> option.startsWith("-Xmx"))) command.add(DEFAULT_HEAP);
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    environment.put("TALLY_GRPC_PORT", Integer.toString(ports[0]));
    environment.put("TALLY_CLUSTER_PORT", Integer.toString(ports[1]));
    environment.put("TALLY_MANAGEMENT_PORT", Integer.toString(ports[2]));
    environment.put("TALLY_METRICS_PORT", Integer.toString(ports[3]));
    environment.put("TALLY_CASSANDRA_CONTACT_POINT", "127.0.0.1:" + cassandra.cqlPort());
    environment.put("TALLY_BOOTSTRAP_ADMIN_KEY_SHA256", TestKeys.ADMIN_SHA256);
    environment.putAll(settings);
    NodeProcess node = new NodeProcess(builder.start(), log, ports);
    node.awaitReady();
    return node;
  }

  private void awaitReady() throws IOException, InterruptedException {
    boolean ready = Eventually.within(START_TIMEOUT, () -> !process.isAlive() || log().contains("TALLY_GRPC_READY"));
    if (ready && process.isAlive()) return;
    process.destroyForcibly();
    String output = log();
    if (output.contains("Tally node failed to start") || output.contains("Address already in use")) {
      throw new PortTaken(output);
    }
    throw new IllegalStateException("node did not start; its log:\n" + output);
  }

  /** The node's gRPC address, {@code 127.0.0.1:port}. */
  public String address() {
    return "127.0.0.1:" + grpcPort;
  }

  public int grpcPort() {
    return grpcPort;
  }

  /** The node's Pekko Management HTTP port (/alive, /ready, /cluster/members). */
  public int managementPort() {
    return managementPort;
  }

  /** The node's Prometheus endpoint port ({@code GET /metrics}). */
  public int metricsPort() {
    return metricsPort;
  }

  /** The node's Pekko cluster address, for others to join. */
  public String clusterAddress() {
    return "pekko://tally@127.0.0.1:" + clusterPort;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The node's log so far (stdout and stderr of its JVM). */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** A channel to this node's gRPC port that sends the {@link TestKeys#ADMIN} key, closed with the node. */
  public ManagedChannel channel() {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext()
        .intercept(TestKeys.bearer(TestKeys.ADMIN)).build();
    channels.add(channel);
    return channel;
  }

  /** GET on one of the node's HTTP ports; the status code, or -1 when nothing answers. */
  public static int httpStatus(int port, String path) {
    try {
      HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
      connection.setConnectTimeout(2000);
      connection.setReadTimeout(5000);
      return connection.getResponseCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** GET on one of the node's HTTP ports; the body. */
  public static String httpBody(int port, String path) throws IOException {
    try (var in = new URL("http://127.0.0.1:" + port + path).openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Ports free on 127.0.0.1 right now, all different: the sockets are held open until all are picked. */
  private static int[] distinctFreePorts(int count) throws IOException {
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) socket.close();
      }
    }
  }

  /** Graceful stop, like an operator's SIGTERM: coordinated shutdown, then the JVM exits (SIGKILL after 60 s). */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** Like a crash: SIGKILL, no shutdown hook runs. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Closes {@code node} when this JVM exits, for a node that outlives the test class that started it
   * ({@link TestNode}, {@link TestCluster}).
   */
  static void closeOnJvmExit(NodeProcess node) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
      } catch (InterruptedException e) {
        node.process.destroyForcibly();
      }
    }, "close-node-" + node.grpcPort));
  }

  @Override
  public void close() throws InterruptedException {
    channels.forEach(ManagedChannel::shutdownNow);
    if (process.isAlive()) stop();
  }
}
