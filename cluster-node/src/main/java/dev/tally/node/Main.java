package dev.tally.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/** Starts one node from application.conf and the environment; stops on SIGTERM or Ctrl-C. */
public final class Main {

  private Main() {}

  /** More than the SDK keeps in flight on one connection (tally-bench: 256). */
  static final int MAX_CALLS_PER_CONNECTION = 1_000;

  public static void main(String[] args) throws Exception {
    start();
  }

  /**
   * Starts a node as {@link #main} does and returns its actor system, which terminates once the node
   * has stopped: a launcher that runs more than the node (the local run's Cassandra) stops the rest after it.
   */
  public static org.apache.pekko.actor.typed.ActorSystem<Void> start() throws Exception {
    return start(TallyNode.Callers.WITH_A_KEY_THAT_ALLOWS_THE_CALL);
  }

  /** {@link #start()}, serving {@code callers}: only tally-bench starts a node that checks no keys. */
  public static org.apache.pekko.actor.typed.ActorSystem<Void> start(TallyNode.Callers callers) throws Exception {
    keepCommonPoolThreads();
    // A node process ends when its actor system does, e.g. after the cluster downed it.
    Config config = ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on").withFallback(ConfigFactory.load());
    NodeSettings settings = NodeSettings.from(config);
    var system = TallyNode.newSystem(config);
    TallyNode node;
    try {
      node = startNode(system, settings, callers);
    } catch (Exception e) {
      // A node that cannot serve (a port taken, say) must not linger as a cluster member.
      System.err.println("Tally node failed to start: " + e);
      system.terminate();
      System.exit(1);
      throw e;
    }
    // Pekko's coordinated shutdown runs on SIGTERM / Ctrl-C (its JVM shutdown hook).
    org.slf4j.LoggerFactory.getLogger(Main.class).info("gRPC transport: {}", settings.grpcTls().describe());
    System.out.println("TALLY_GRPC_READY " + settings.grpcHost() + ":" + node.grpcPort());
    return system;
  }

  /**
   * Gives the JDK's common pool at least two threads, unless {@value #COMMON_POOL_PARALLELISM} is set.
   * Pekko's Java API (an ask, a Cassandra session's query) answers with Scala's CompletableFuture,
   * which runs every callback chained on it asynchronously in the common pool; with one or two
   * cores the JDK sizes that pool to one thread and then starts a new thread for each such callback
   * instead. Set before anything
   * touches the pool, which reads the property once: a launcher that does more before it starts the
   * node (the local run starts Cassandra first) calls this first.
   */
  public static void keepCommonPoolThreads() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors() - 1);
      System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(threads));
    }
    if (ForkJoinPool.getCommonPoolParallelism() < 2) {
      org.slf4j.LoggerFactory.getLogger(Main.class).warn("the common pool has {} thread: each callback on a Pekko"
          + " future starts a thread of its own; set -D{}=2", ForkJoinPool.getCommonPoolParallelism(), COMMON_POOL_PARALLELISM);
    }
  }

  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private static TallyNode startNode(
      org.apache.pekko.actor.typed.ActorSystem<Void> system, NodeSettings settings, TallyNode.Callers callers)
      throws Exception {
    return TallyNode.start(
        system,
        NettyServerBuilder.forAddress(new InetSocketAddress(settings.grpcHost(), settings.grpcPort()),
                settings.grpcTls().credentials())
            // Every handler only checks the request and hands it on without blocking, so it runs on
            // the transport's thread instead of hopping to another pool first.
            .directExecutor()
            // One connection cannot hold more of the node's memory than this many small requests.
            .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
            // Clients re-resolve now and then, so nodes added by a scale-up get their share of calls.
            .maxConnectionAge(settings.connectionMaxAge().toNanos(), TimeUnit.NANOSECONDS)
            .maxConnectionAgeGrace(settings.connectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS),
        Clock.systemUTC(),
        callers);
  }
}
