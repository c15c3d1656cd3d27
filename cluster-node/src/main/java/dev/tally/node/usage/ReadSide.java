package dev.tally.node.usage;

import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgSlices;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;

/**
 * The read side of a node: its {@link ChangeFeed}, and its part of the cluster's slice readers (a
 * sharded daemon process of {@link OrgSlices#COUNT} instances, each on one node at a time).
 */
public final class ReadSide {

  static final String NAME = "read-side";
  /**
   * The readers' own Cassandra session, for everything they read and write (persistence.conf): its
   * requests are paced, so the journal's writes never wait behind a round's.
   */
  static final String SESSION = "tally.read-side.cassandra";
  /** The journal's query plugin on the readers' session. */
  static final String QUERY_PLUGIN = SESSION + ".query";

  /**
   * @param enabled off only to measure what the read side costs
   * @param reconcileEvery how often at most each reader checks all its orgs against their journals
   */
  public record Settings(boolean enabled, Duration reconcileEvery) {}

  private ReadSide() {}

  /** Has the org's account check what fell due (its period's end): it comes into memory if it was not. */
  private static void wake(ActorSystem<?> system, String orgId) {
    ClusterSharding.get(system).entityRefFor(OrgAccount.ENTITY_TYPE, orgId).tell(new OrgAccount.Tick());
  }

  /**
   * Starts the node's feed and readers; what the org accounts tell of their writes.
   *
   * @param applied told, for each event a reader applied on a notice, how long after it happened
   */
  public static ChangeFeed start(ActorSystem<?> system, Settings settings, Clock clock, Consumer<Duration> applied) {
    SliceRows.Tables tables = new SliceRows.Tables(new OrgDirectory(system.classicSystem(), SESSION),
        new UsageTable(system.classicSystem(), SESSION), new StatementTable(system.classicSystem(), SESSION));
    ChangeFeed feed = ChangeFeed.start(system);
    OrgJournals journals = OrgJournals.of(system);
    ShardedDaemonProcess.get(system).init(SliceReader.Command.class, NAME, OrgSlices.COUNT,
        slice -> SliceReader.create(feed.slice(slice),
            () -> new SliceRows(slice, tables, journals, clock, settings.reconcileEvery(), applied, orgId -> wake(system, orgId))),
        ShardedDaemonProcessSettings.create(system), Optional.of(new SliceReader.Stop()));
    return feed;
  }
}
