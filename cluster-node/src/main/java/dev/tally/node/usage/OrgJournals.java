package dev.tally.node.usage;

import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgSlices;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** The orgs' journals, read by persistence id: what the read side and the webhook outbox read. */
public interface OrgJournals {

  /** An org event with its sequence number. */
  record Logged(long seqNr, OrgEvent event) {}

  /** The org's events from {@code from} to {@code to} inclusive, in order. */
  CompletionStage<List<Logged>> events(String orgId, long from, long to);

  /**
   * Every org of the slice that has a journal, as a listing that started at or after {@code since} read them;
   * {@code now} by the same clock.
   */
  CompletionStage<List<String>> orgs(int slice, Instant since, Instant now);

  /** The journals in Cassandra, through the read side's query plugin (a session of its own). */
  static OrgJournals of(ActorSystem<?> system) {
    CassandraReadJournal journal = queries(system);
    JournalListing listing = JournalListing.get(system);
    return new OrgJournals() {
      @Override
      public CompletionStage<List<Logged>> events(String orgId, long from, long to) {
        return journal.currentEventsByPersistenceId(OrgAccount.persistenceId(orgId).id(), from, to)
            .map(envelope -> new Logged(envelope.sequenceNr(), (OrgEvent) envelope.event()))
            .runWith(Sink.seq(), system);
      }

      @Override
      public CompletionStage<List<String>> orgs(int slice, Instant since, Instant now) {
        return listing.ids(since, now).thenApply(ids -> ids.stream()
            .filter(OrgAccount::isOrgJournal)
            .map(OrgAccount::orgIdOf)
            .filter(orgId -> OrgSlices.sliceOf(orgId) == slice)
            .toList());
      }
    };
  }

  /** The journal's queries on the read side's session. */
  static CassandraReadJournal queries(ActorSystem<?> system) {
    return PersistenceQuery.get(system).getReadJournalFor(CassandraReadJournal.class, ReadSide.QUERY_PLUGIN);
  }
}
