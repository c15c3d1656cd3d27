package dev.tally.node.usage;

import dev.tally.node.ManyAsks;
import dev.tally.node.account.OrgEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory rows, the {@link UsageRows} and the statements of one slice's orgs, brought up to
 * their journals: the work of the slice's {@link SliceReader}, their single writer. An org's usage
 * rows and its closed statements are written before its directory row, so the directory row never
 * counts past them; each of them carries the sequence number it counts up to, so an event is
 * counted once. The statement of an org's current period is part of its directory row; the
 * statements table gets it when the period is over, from the org's journal (a notice never carries
 * a period's bounds).
 *
 * <p>Exact however often or late it hears of a write: a row carries the org sequence number it
 * counts up to and is written whole. A notice that continues the row ({@link OrgDelta}, the
 * events after the row's last) is applied as it is; for any other one beyond the row (a notice lost
 * before it, or only known to exist) the events after the row are read from the org's journal by
 * persistence id, in order, so an event is applied once whatever was heard. A hot org's row thus
 * moves on without its journal being read. A write it never hears of (a notice lost with a node) is
 * found by the reconciliation: a pass over the slice's orgs, at most every pass interval, a few each
 * tick, checking quiet orgs against their journals. The same pass wakes each org whose period has
 * ended (its directory row says so): an org nobody touches closes its period, and gets its
 * statement, within a pass of the period's end.
 */
final class SliceRows {

  private static final Logger log = LoggerFactory.getLogger(SliceRows.class);

  /** The most rows kept between rounds; any other is read from its table. */
  static final int ROWS_KEPT = 10_000;
  /**
   * Orgs a tick checks against their journals: with a tick every 5 s and 32 slices, 160 orgs a
   * second in the cluster, so that a pass that finds much to apply (a reader's first after the read
   * side was off) leaves the orgs' own writes most of Cassandra; a pass over N orgs takes N/160 s.
   */
  static final int ORGS_PER_TICK = 25;
  /** An org that wrote this recently is not checked: the notice of its write may still be on its way. */
  static final Duration QUIET_FOR = Duration.ofSeconds(30);
  /** The most events one catch-up applies to a row; the next notice or pass goes on. */
  static final long MOST_EVENTS_AT_ONCE = 10_000;

  /** Where the rows are kept. */
  interface Rows {
    CompletionStage<DirectoryRow> row(String orgId);

    /** Writes {@code rows}, all of one slice, whole; at once when few, so all or none of them. */
    CompletionStage<Done> save(List<DirectoryRow> rows);
  }

  /** Where the statements are kept. */
  interface Statements {
    /** The org's statement of the period that starts at {@code periodStart}; empty when there is none. */
    CompletionStage<Optional<StatementRow>> statement(String orgId, Instant periodStart);

    CompletionStage<Done> save(StatementRow row);
  }

  /** Where the rows of each kind are kept. */
  record Tables(Rows directory, UsageRows.Store usage, Statements statements) {}

  private final int slice;
  private final Rows rows;
  private final UsageRows usage;
  private final Statements statements;
  private final OrgJournals journal;
  private final Clock clock;
  private final Duration passEvery;
  private final Consumer<Duration> applied;
  private final Consumer<String> wake;
  private final Map<String, DirectoryRow> kept = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, DirectoryRow> eldest) {
      return size() > ROWS_KEPT;
    }
  });
  /** The orgs the current reconciliation pass has still to check; empty between passes. */
  private List<String> toCheck = List.of();
  private Instant passStarted;

  /**
   * @param passEvery a reconciliation pass over the slice starts at most this often
   * @param applied told, for each notice applied, how long after its first event happened that was
   * @param wake told each org whose period is over by its directory row, so that it closes it
   */
  SliceRows(int slice, Tables tables, OrgJournals journal, Clock clock, Duration passEvery, Consumer<Duration> applied,
      Consumer<String> wake) {
    this.slice = slice;
    this.rows = tables.directory();
    this.usage = new UsageRows(tables.usage());
    this.statements = tables.statements();
    this.wake = wake;
    this.journal = journal;
    this.clock = clock;
    this.passEvery = passEvery;
    this.applied = applied;
  }

  /** A directory row moved on by a notice and the usage rows it counts, to be written with the round's others. */
  private record Continued(DirectoryRow row, UsageRows.Planned usage, Instant firstEventAt) {}

  /**
   * Every org heard of brought up to at least what was heard of it, a few at a time; the usage rows
   * and then the directory rows the notices moved on are written last, each kind together (the
   * directory rows on one partition: one write per round; the usage rows a few orgs' days a write).
   */
  CompletionStage<Done> catchUp(Map<String, OrgDelta> heard) {
    return ManyAsks.each(new ArrayList<>(heard.entrySet()), org -> catchUp(org.getKey(), org.getValue()))
        .thenCompose(orgs -> {
          List<Continued> continued = orgs.stream().flatMap(Optional::stream).toList();
          if (continued.isEmpty()) return done();
          return usage.save(continued.stream().map(Continued::usage).toList())
              .thenCompose(usageSaved -> rows.save(continued.stream().map(Continued::row).toList()))
              .thenApply(done -> {
                Instant now = clock.instant();
                for (Continued org : continued) {
                  kept.put(org.row().orgId(), org.row());
                  applied.accept(Duration.between(org.firstEventAt(), now));
                }
                return done;
              });
        });
  }

  /**
   * The org's usage rows with {@code delta} applied and its directory row so moved on, to be written;
   * or else (a delta that does not continue the row, or follows a period's close) everything read up
   * to its journal's end and written; empty then and when the row counts the delta already.
   */
  private CompletionStage<Optional<Continued>> catchUp(String orgId, OrgDelta delta) {
    return rowOf(orgId).thenCompose(row -> {
      if (row.appliedSeqNr() >= delta.to()) return CompletableFuture.completedFuture(Optional.<Continued>empty());
      boolean closedStatement = row.statement() != null && row.statement().closed();
      if (!row.continuedBy(delta) || closedStatement) {
        return fromJournal(orgId, row, delta.to(), true).thenApply(done -> Optional.empty());
      }
      List<UsageRows.Counted> counted =
          delta.usage().stream().map(line -> new UsageRows.Counted(delta.from(), delta.to(), line)).toList();
      return usage.plan(orgId, counted).thenCompose(planned -> {
        if (planned.isPresent()) {
          return CompletableFuture.completedFuture(Optional.of(new Continued(row.plus(delta), planned.get(),
              delta.firstEventAt())));
        }
        // a row counts part of the range (an earlier attempt cut short): event by event
        return fromJournal(orgId, row, delta.to(), true).thenApply(done -> Optional.<Continued>empty());
      });
    });
  }

  private static CompletionStage<Done> done() {
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /** {@code row} brought up to its journal's end, read when the row is below {@code atLeast}. */
  private CompletionStage<Done> fromJournal(String orgId, DirectoryRow row, long atLeast, boolean measured) {
    if (row.appliedSeqNr() >= atLeast) return CompletableFuture.completedFuture(Done.getInstance());
    return journal.events(orgId, row.appliedSeqNr() + 1, row.appliedSeqNr() + MOST_EVENTS_AT_ONCE)
        .thenCompose(events -> {
          if (events.isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
          return applyInTurn(orgId, row, events).thenApply(saved -> {
            kept.put(orgId, saved);
            if (measured) applied.accept(Duration.between(events.get(0).event().at(), clock.instant()));
            return Done.getInstance();
          });
        });
  }

  /**
   * {@code events}, which follow {@code row}, applied one at a time to the org's usage rows, its
   * statements and then its directory row, each deciding on its own what it counts already; the row
   * as saved. A statement the events end (the next period opens) or close is written to the
   * statements table, again if it was already: the same statement.
   */
  private CompletionStage<DirectoryRow> applyInTurn(String orgId, DirectoryRow row, List<OrgJournals.Logged> events) {
    DirectoryRow after = row;
    List<StatementRow> over = new ArrayList<>();
    List<UsageRows.Counted> counted = new ArrayList<>();
    for (OrgJournals.Logged logged : events) {
      if (logged.event() instanceof OrgEvent.PeriodOpened && after.statement() != null) over.add(after.statement());
      after = after.after(logged.seqNr(), logged.event());
      UsageCounts.of(logged.event())
          .ifPresent(line -> counted.add(new UsageRows.Counted(logged.seqNr(), logged.seqNr(), line)));
    }
    if (after.statement() != null && after.statement().closed()) over.add(after.statement());
    DirectoryRow saved = after;
    return usage.add(orgId, counted)
        .thenCompose(added -> ManyAsks.each(over, statements::save))
        .thenCompose(written -> rows.save(List.of(saved)))
        .thenApply(done -> saved);
  }

  /**
   * The next orgs of the reconciliation pass, each quiet one checked against its journal: what a
   * lost notice left out is applied now. A pass starts at most every pass interval with the
   * slice's orgs as the journal lists them, so an org no notice ever named is found too: the node's
   * readers share one listing of at most a pass interval's age ({@link JournalListing}), so such an
   * org is found within two passes.
   */
  CompletionStage<Done> reconcileSome() {
    Instant now = clock.instant();
    CompletionStage<List<String>> pass;
    if (!toCheck.isEmpty()) {
      pass = CompletableFuture.completedFuture(toCheck);
    } else if (passStarted == null || !now.isBefore(passStarted.plus(passEvery))) {
      passStarted = now;
      pass = journal.orgs(slice, now.minus(passEvery), now);
    } else {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return pass.thenCompose(orgs -> {
      List<String> checkedNow = orgs.subList(0, Math.min(ORGS_PER_TICK, orgs.size()));
      toCheck = List.copyOf(orgs.subList(checkedNow.size(), orgs.size()));
      return ManyAsks.each(checkedNow, this::reconcile).thenApply(all -> Done.getInstance());
    });
  }

  /** The org's row as stored (not as kept: a row lost from the table is rebuilt too), up to its journal. */
  private CompletionStage<Done> reconcile(String orgId) {
    return rows.row(orgId).thenCompose(row -> {
      if (row.periodOverBy(clock.instant())) wake.accept(orgId);
      if (row.lastEventAt() != null && row.lastEventAt().isAfter(clock.instant().minus(QUIET_FOR))) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      kept.put(orgId, row);
      long before = row.appliedSeqNr();
      return fromJournal(orgId, row, Long.MAX_VALUE, false).thenApply(done -> {
        DirectoryRow after = kept.get(orgId);
        if (after != null && after.appliedSeqNr() > before) {
          log.info("org {}: events {} to {} were in its journal, unheard of; applied now", orgId, before + 1,
              after.appliedSeqNr());
        }
        return done;
      });
    });
  }

  private CompletionStage<DirectoryRow> rowOf(String orgId) {
    DirectoryRow row = kept.get(orgId);
    return row != null ? CompletableFuture.completedFuture(row) : rows.row(orgId);
  }
}
