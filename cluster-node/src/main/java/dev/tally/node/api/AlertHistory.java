package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;

import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Operation;
import dev.tally.v1.Alert;
import dev.tally.v1.ListAlertsRequest;
import dev.tally.v1.ListAlertsResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * ListAlerts: an org's past alerts, newest first, read backwards from the newest event of its
 * journal (see the RPC's comment in accounts.proto for why the journal). The newest sequence number
 * is read from the journal's table (the highest of the org's last partition); then the journal is
 * read forward a stretch of {@link #STRETCH} events at a time, each stretch before the last, and its
 * alerts taken newest first, until the page is full or {@link #MOST_READ} events were read.
 */
final class AlertHistory {

  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1_000;
  /** Events read by one query. */
  static final int STRETCH = 1_000;
  /** Events one call reads at most: a page may end before it is full, with a token to read on. */
  static final int MOST_READ = 10_000;

  private final OrgCalls calls;
  private final ActorSystem<?> system;
  private final CassandraReadJournal journal;
  /** The journal's table, in the keyspace the journal plugin writes. */
  private final String messages;

  AlertHistory(OrgCalls calls, ActorSystem<?> system, CassandraReadJournal journal) {
    this.calls = calls;
    this.system = system;
    this.journal = journal;
    this.messages = system.settings().config().getString("pekko.persistence.cassandra.journal.keyspace") + ".messages";
  }

  void list(ListAlertsRequest request, StreamObserver<ListAlertsResponse> responses) {
    long below = below(request.getPageToken());
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE,
            "page_size", "must be between 1 and " + MAX_PAGE_SIZE)
        .require(below > 0, "page_token", "is not a token this service gave out")
        .require(request.getKindsList().stream().allMatch(kind -> kind != Alert.Kind.KIND_UNSPECIFIED
            && kind != Alert.Kind.UNRECOGNIZED), "kinds", "must name alert kinds (not KIND_UNSPECIFIED)");
    if (refuseInvalid(checks, responses)) return;
    int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
    Set<Alert.Kind> kinds = request.getKindsCount() == 0 ? EnumSet.allOf(Alert.Kind.class) : EnumSet.copyOf(request.getKindsList());
    String orgId = request.getOrgId();
    // The account first: an unknown org gets NOT_FOUND, and what fell due is written before the read.
    calls.runThen(orgId, new Operation.GetOrg(), responses, () -> {
      String persistenceId = OrgAccount.persistenceId(orgId).id();
      // A token past the journal's end (no page gave it) reads from the newest event, not through empty numbers.
      CompletionStage<Long> top = newest(persistenceId, 0, 0L).thenApply(newest -> Math.min(newest, below - 1));
      top.thenCompose(last -> read(orgId, persistenceId, last, pageSize, kinds, ListAlertsResponse.newBuilder(), 0))
          .whenComplete((page, failure) -> {
            if (failure != null) {
              responses.onError(
                  TallyErrors.journalUnreadable("a ListAlerts call", failure, "list again with the same page token"));
            } else {
              responses.onNext(page);
              responses.onCompleted();
            }
          });
    });
  }

  /** The token is the sequence number the next page reads below; none: from the newest event. Invalid: 0. */
  static long below(String token) {
    if (token.isEmpty()) return Long.MAX_VALUE;
    try {
      long below = Long.parseLong(token);
      return below > 1 ? below : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The org's newest sequence number (0 for none): the highest of its last non-empty partition. */
  private CompletionStage<Long> newest(String persistenceId, long partition, long found) {
    return journal.session().selectOne(
            "SELECT sequence_nr FROM " + messages + " WHERE persistence_id = ? AND partition_nr = ? "
                + "ORDER BY sequence_nr DESC LIMIT 1", persistenceId, partition)
        .thenCompose(row -> {
          if (row.isEmpty()) return CompletableFuture.completedFuture(found);
          return newest(persistenceId, partition + 1, row.get().getLong("sequence_nr"));
        });
  }

  /** Reads the stretch ending at {@code last}, adds its alerts newest first, and goes on before it while the page is not full. */
  private CompletionStage<ListAlertsResponse> read(String orgId, String persistenceId, long last, int pageSize,
      Set<Alert.Kind> kinds, ListAlertsResponse.Builder page, int read) {
    if (last < 1) return CompletableFuture.completedFuture(page.build());
    if (read >= MOST_READ) return CompletableFuture.completedFuture(page.setNextPageToken(Long.toString(last + 1)).build());
    long first = Math.max(1, last - STRETCH + 1);
    return journal.currentEventsByPersistenceId(persistenceId, first, last).runWith(Sink.seq(), system)
        .thenCompose(envelopes -> {
          List<EventEnvelope> stretch = new ArrayList<>(envelopes);
          for (int i = stretch.size() - 1; i >= 0; i--) {
            EventEnvelope envelope = stretch.get(i);
            if (!(envelope.event() instanceof OrgEvent.AlertRaised raised)) continue;
            Alert alert = ProtoMapping.alert(orgId, envelope.sequenceNr(), raised);
            if (!kinds.contains(alert.getKind())) continue;
            page.addAlerts(alert);
            if (page.getAlertsCount() == pageSize) {
              if (envelope.sequenceNr() > 1) page.setNextPageToken(Long.toString(envelope.sequenceNr()));
              return CompletableFuture.completedFuture(page.build());
            }
          }
          return read(orgId, persistenceId, first - 1, pageSize, kinds, page, read + (int) (last - first + 1));
        });
  }
}
