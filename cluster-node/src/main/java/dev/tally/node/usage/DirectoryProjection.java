package dev.tally.node.usage;

import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgSlices;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The org directory's projection: one per slice, each run by the cluster as one instance of a
 * sharded daemon process (so on one node at a time, moved when its node leaves), reading its
 * slice's tag from the offset it saved last.
 */
public final class DirectoryProjection {

  public static final String NAME = "org-directory";

  /** Events applied per write round: each org's row is written once per group. */
  static final int GROUP_SIZE = 500;
  static final Duration GROUP_WITHIN = Duration.ofMillis(250);

  private DirectoryProjection() {}

  /** Runs the slices' projections in the cluster: call once per node, at start. */
  /** How often a slice's handler checks some of its idle orgs against their journals. */
  static final Duration RECONCILE_TICK = Duration.ofSeconds(5);

  public static void start(ActorSystem<?> system, OrgDirectory directory, Clock clock, Consumer<Duration> applied) {
    CassandraReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    DirectoryHandler.Journal events = (orgId, from, to) -> eventsOf(system, journal, orgId, from, to);
    DirectoryHandler.Rows rows = new DirectoryHandler.Rows() {
      @Override
      public CompletionStage<DirectoryRow> row(String orgId) {
        return directory.row(orgId);
      }

      @Override
      public CompletionStage<org.apache.pekko.Done> save(DirectoryRow row) {
        return directory.save(row);
      }

      @Override
      public CompletionStage<List<DirectoryRow>> rowsAfter(int slice, String afterOrgId, int limit) {
        return directory.rowsAfter(slice, afterOrgId, limit);
      }
    };
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, NAME, OrgSlices.COUNT,
        slice -> ProjectionBehavior.create(projection(system, slice, rows, events, clock, applied)),
        ShardedDaemonProcessSettings.create(system), Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<OrgEvent>> projection(
      ActorSystem<?> system, int slice, DirectoryHandler.Rows rows, DirectoryHandler.Journal journal, Clock clock,
      Consumer<Duration> applied) {
    String tag = OrgSlices.tagOfSlice(slice);
    SourceProvider<Offset, EventEnvelope<OrgEvent>> source = new WithReconcileTicks(
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag), RECONCILE_TICK);
    return CassandraProjection.groupedWithin(ProjectionId.of(NAME, tag), source,
            () -> new DirectoryHandler(slice, rows, journal, clock, applied))
        .withGroup(GROUP_SIZE, GROUP_WITHIN);
  }

  private static CompletionStage<List<DirectoryHandler.Logged>> eventsOf(
      ActorSystem<?> system, CassandraReadJournal journal, String orgId, long from, long to) {
    return journal.currentEventsByPersistenceId(OrgAccount.persistenceId(orgId).id(), from, to)
        .map(envelope -> new DirectoryHandler.Logged(envelope.sequenceNr(), (OrgEvent) envelope.event()))
        .runWith(Sink.seq(), system);
  }
}
