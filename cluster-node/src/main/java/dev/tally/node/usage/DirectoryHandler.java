package dev.tally.node.usage;

import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;

/**
 * Applies a slice's events to its orgs' directory rows, exactly once however often they come.
 *
 * <p>Events-by-tag delivers at least once (a restarted projection repeats what followed its last
 * saved offset) and may skip one (a tag row written late, after the query read past its time; a tag
 * write that failed). Each row carries the sequence number it counts up to and is written whole,
 * so an event at or below it is a repeat and changes nothing. An org's events must be applied in
 * order, so when the next one to apply is not the next that came, the handler reads the missing
 * ones from the journal by the org's persistence id, the same source every number is exact to.
 */
final class DirectoryHandler extends Handler<List<EventEnvelope<OrgEvent>>> {

  /** The most rows kept between groups; any other is read from its table. */
  static final int ROWS_KEPT = 10_000;

  /** Where the rows are kept. */
  interface Rows {
    CompletionStage<DirectoryRow> row(String orgId);

    CompletionStage<Done> save(DirectoryRow row);
  }

  /** The org's events from the journal, {@code from} to {@code to} inclusive, in order. */
  interface Journal {
    CompletionStage<List<Logged>> events(String orgId, long from, long to);
  }

  /** An org event with its sequence number. */
  record Logged(long seqNr, OrgEvent event) {}

  private final Rows rows;
  private final Journal journal;
  private final Map<String, DirectoryRow> kept = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, DirectoryRow> eldest) {
      return size() > ROWS_KEPT;
    }
  });

  DirectoryHandler(Rows rows, Journal journal) {
    this.rows = rows;
    this.journal = journal;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<OrgEvent>> envelopes) {
    Map<String, List<Logged>> byOrg = new LinkedHashMap<>();
    for (EventEnvelope<OrgEvent> envelope : envelopes) {
      byOrg.computeIfAbsent(OrgAccount.orgIdOf(envelope.persistenceId()), org -> new ArrayList<>())
          .add(new Logged(envelope.sequenceNr(), envelope.event()));
    }
    CompletableFuture<?>[] applied = byOrg.entrySet().stream()
        .map(org -> apply(org.getKey(), org.getValue()).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(applied).thenApply(all -> Done.getInstance());
  }

  private CompletionStage<Done> apply(String orgId, List<Logged> delivered) {
    return rowOf(orgId).thenCompose(row -> {
      long last = delivered.stream().mapToLong(Logged::seqNr).max().orElse(0);
      if (last <= row.appliedSeqNr()) return CompletableFuture.completedFuture(Done.getInstance());
      return inOrder(orgId, row.appliedSeqNr(), last, delivered).thenCompose(events -> {
        DirectoryRow after = row;
        for (Logged event : events) after = after.after(event.seqNr(), event.event());
        DirectoryRow saved = after;
        return rows.save(saved).thenApply(done -> {
          kept.put(orgId, saved);
          return done;
        });
      });
    });
  }

  /**
   * The org's events after {@code applied} up to {@code last}: those delivered when they are all
   * there, else all of them from the journal.
   */
  private CompletionStage<List<Logged>> inOrder(String orgId, long applied, long last, List<Logged> delivered) {
    java.util.TreeMap<Long, Logged> fresh = new java.util.TreeMap<>();
    for (Logged event : delivered) if (event.seqNr() > applied) fresh.putIfAbsent(event.seqNr(), event);
    // distinct numbers in (applied, last]: as many as that range holds only when none is missing
    boolean whole = fresh.size() == last - applied;
    return whole ? CompletableFuture.completedFuture(List.copyOf(fresh.values())) : journal.events(orgId, applied + 1, last);
  }

  private CompletionStage<DirectoryRow> rowOf(String orgId) {
    DirectoryRow row = kept.get(orgId);
    return row != null ? CompletableFuture.completedFuture(row) : rows.row(orgId);
  }
}
