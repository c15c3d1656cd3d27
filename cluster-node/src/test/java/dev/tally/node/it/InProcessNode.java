package dev.tally.node.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.TallyNode;
import dev.tally.node.account.MutableClock;
import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.MeteringGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A whole node in the test's own JVM, on the test Cassandra, whose gRPC services are reached
 * in-process and whose accounts read the time from a {@link MutableClock} the test moves: rules
 * that depend on time (expiries, period ends, alerts at a period boundary) are tested over gRPC
 * without waiting for the time to pass.
 */
public final class InProcessNode implements AutoCloseable {

  private final TallyNode node;
  private final String name;
  private final ManagedChannel channel;
  private final MutableClock clock;
  private final List<ManagedChannel> keyChannels = new CopyOnWriteArrayList<>();

  private InProcessNode(TallyNode node, String name, MutableClock clock) {
    this.node = node;
    this.name = name;
    this.channel = channelWith(name, TestKeys.ADMIN);
    this.clock = clock;
  }

  private static ManagedChannel channelWith(String name, String apiKey) {
    return InProcessChannelBuilder.forName(name).directExecutor().intercept(TestKeys.bearer(apiKey)).build();
  }

  /**
   * Starts a node whose clock stands at {@code now} until the test moves it; {@code settings} (HOCON)
   * add to or override the node's configuration, e.g. plans made for the test.
   */
  public static InProcessNode start(CassandraServer cassandra, Instant now, String settings) throws Exception {
    Config config = ConfigFactory.load(ConfigFactory.parseString(settings)
        .withFallback(ConfigFactory.parseString("""
            pekko.remote.artery.canonical.port = 0
            pekko.management.http.port = 0
            tally.metrics.port = 0
            tally.cassandra.contact-point = "127.0.0.1:%d"
            tally.auth.bootstrap-admin-key-sha256 = "%s"
            """.formatted(cassandra.cqlPort(), TestKeys.ADMIN_SHA256)))
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tally", config);
    MutableClock clock = new MutableClock(now);
    String name = InProcessServerBuilder.generateName();
    try {
      TallyNode node = TallyNode.start(system, InProcessServerBuilder.forName(name).directExecutor(), clock);
      return new InProcessNode(node, name, clock);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  /** A channel to the node's gRPC services that sends the {@link TestKeys#ADMIN} key; closed with the node. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A channel to the node's gRPC services that sends {@code apiKey}; closed with the node. */
  public ManagedChannel channel(String apiKey) {
    ManagedChannel withKey = channelWith(name, apiKey);
    keyChannels.add(withKey);
    return withKey;
  }

  /** A Metering stub on {@link #channel()}; each call to this starts a fresh minute of deadline. */
  public MeteringGrpc.MeteringBlockingStub metering() {
    return MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  /** An Accounts stub on {@link #channel()}; each call to this starts a fresh minute of deadline. */
  public AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  /** Where the node serves {@code /metrics}. */
  public int metricsPort() {
    return node.metricsPort();
  }

  /** The clock the node's accounts read. */
  public MutableClock clock() {
    return clock;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    keyChannels.forEach(ManagedChannel::shutdownNow);
    node.stop();
  }
}
