package dev.tally.node;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import dev.tally.node.account.OrgAccount;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Whether the journal can be written: its Cassandra answers a read of the journal's table, through the
 * journal's session, at the consistency the journal writes at (so, with replicas, only while enough of
 * them are up). Pekko Management's {@code /ready} asks it, and so does the gRPC health status ({@link GrpcHealth}).
 */
public final class CassandraReadiness implements Supplier<CompletionStage<Boolean>> {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final String PLUGIN = "pekko.persistence.cassandra";

  private final CassandraSession session;
  private final SimpleStatement probe;

  public CassandraReadiness(ActorSystem system) {
    Config plugin = system.settings().config().getConfig(PLUGIN);
    this.session = CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(PLUGIN));
    // The journal partition of the org a starting node warms up with, which nobody has: a read that needs the replicas.
    this.probe = SimpleStatement.newInstance(
            "SELECT sequence_nr FROM " + plugin.getString("journal.keyspace") + "." + plugin.getString("journal.table")
                + " WHERE persistence_id = ? AND partition_nr = 0 LIMIT 1",
            OrgAccount.persistenceId(TallyNode.WARM_UP_ORG).id())
        .setExecutionProfileName(plugin.getString("write-profile"))
        .setTimeout(TIMEOUT);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return session.selectOne(probe)
        .thenApply(row -> true)
        .toCompletableFuture()
        .completeOnTimeout(false, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> false);
  }
}
