package dev.tally.node.usage;

import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a slice's events to its orgs' directory rows, exactly once however often they come.
 *
 * <p>Events-by-tag delivers at least once (a restarted projection repeats what followed its last
 * saved offset) and may skip one (a tag row written late, after the query read past its time; a tag
 * write that failed). Each row carries the sequence number it counts up to and is written whole,
 * so an event at or below it is a repeat and changes nothing. An org's events must be applied in
 * order, so when the next one to apply is not the next that came, the handler reads the missing
 * ones from the journal by the org's persistence id, the same source every number is exact to.
 * Events missing at the end of an org's stream (no later event shows the gap) are found by the
 * reconciliation the slice's ticks drive ({@link WithReconcileTicks}).
 */
final class DirectoryHandler extends Handler<List<EventEnvelope<OrgEvent>>> {

  private static final Logger log = LoggerFactory.getLogger(DirectoryHandler.class);

  /** The most rows kept between groups; any other is read from its table. */
  static final int ROWS_KEPT = 10_000;

  /** A reconciliation pass over the slice starts at most this often. */
  static final Duration PASS_EVERY = Duration.ofMinutes(10);
  /** Rows a tick checks against their journals. */
  static final int ROWS_PER_TICK = 100;
  /** A row whose last event is this recent is not checked: its next events may still be on their way by tag. */
  static final Duration QUIET_FOR = Duration.ofSeconds(30);
  /** The most events one check applies to a row; the next pass goes on. */
  static final long MOST_EVENTS_PER_CHECK = 10_000;

  /** Where the rows are kept. */
  interface Rows {
    CompletionStage<DirectoryRow> row(String orgId);

    CompletionStage<Done> save(DirectoryRow row);

    /** Up to {@code limit} rows of the slice after {@code afterOrgId} ("": from the start), in org id order. */
    CompletionStage<List<DirectoryRow>> rowsAfter(int slice, String afterOrgId, int limit);
  }

  /** The org's events from the journal, {@code from} to {@code to} inclusive, in order. */
  interface Journal {
    CompletionStage<List<Logged>> events(String orgId, long from, long to);
  }

  /** An org event with its sequence number. */
  record Logged(long seqNr, OrgEvent event) {}

  private final int slice;
  private final Rows rows;
  private final Journal journal;
  private final Clock clock;
  private final Consumer<Duration> applied;
  /** The last org id the reconciliation checked; "" between passes. */
  private String checkedUpTo = "";
  private Instant passStarted;
  private final Map<String, DirectoryRow> kept = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, DirectoryRow> eldest) {
      return size() > ROWS_KEPT;
    }
  });

  /** @param applied told, for each event applied from its tag, how long after its write that was */
  DirectoryHandler(int slice, Rows rows, Journal journal, Clock clock, Consumer<Duration> applied) {
    this.slice = slice;
    this.rows = rows;
    this.journal = journal;
    this.clock = clock;
    this.applied = applied;
  }

  @Override
  public CompletionStage<Done> process(List<EventEnvelope<OrgEvent>> envelopes) {
    Map<String, List<Logged>> byOrg = new LinkedHashMap<>();
    boolean ticked = false;
    for (EventEnvelope<OrgEvent> envelope : envelopes) {
      if (WithReconcileTicks.isTick(envelope)) {
        ticked = true;
        continue;
      }
      byOrg.computeIfAbsent(OrgAccount.orgIdOf(envelope.persistenceId()), org -> new ArrayList<>())
          .add(new Logged(envelope.sequenceNr(), envelope.event()));
    }
    CompletableFuture<?>[] written = byOrg.entrySet().stream()
        .map(org -> apply(org.getKey(), org.getValue()).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    CompletionStage<Done> done = CompletableFuture.allOf(written).thenApply(all -> {
      long now = clock.millis();
      for (EventEnvelope<OrgEvent> envelope : envelopes) {
        if (!WithReconcileTicks.isTick(envelope)) applied.accept(Duration.ofMillis(now - envelope.timestamp()));
      }
      return Done.getInstance();
    });
    return ticked ? done.thenCompose(all -> reconcileSome()) : done;
  }

  /**
   * The next rows of the slice, each checked against its org's journal: events there after the row's
   * last are applied now. They are the events whose tag rows never came (a tag write lost with a
   * node, or read past) and that no later event of the org brought in as a gap. A pass over the
   * slice starts at most every {@link #PASS_EVERY}.
   */
  private CompletionStage<Done> reconcileSome() {
    Instant now = clock.instant();
    if (checkedUpTo.isEmpty()) {
      if (passStarted != null && now.isBefore(passStarted.plus(PASS_EVERY))) return CompletableFuture.completedFuture(Done.getInstance());
      passStarted = now;
    }
    return rows.rowsAfter(slice, checkedUpTo, ROWS_PER_TICK).thenCompose(page -> {
      checkedUpTo = page.size() < ROWS_PER_TICK ? "" : page.get(page.size() - 1).orgId();
      CompletionStage<Done> checked = CompletableFuture.completedFuture(Done.getInstance());
      for (DirectoryRow listed : page) {
        if (listed.lastEventAt() != null && listed.lastEventAt().isAfter(now.minus(QUIET_FOR))) continue;
        checked = checked.thenCompose(done -> reconcile(listed.orgId()));
      }
      return checked;
    });
  }

  private CompletionStage<Done> reconcile(String orgId) {
    return rowOf(orgId).thenCompose(row -> journal.events(orgId, row.appliedSeqNr() + 1, row.appliedSeqNr() + MOST_EVENTS_PER_CHECK))
        .thenCompose(missed -> {
          if (missed.isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
          log.info("org {}: {} events from {} on were in its journal but had not come by tag; applied now",
              orgId, missed.size(), missed.get(0).seqNr());
          return apply(orgId, missed);
        });
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
