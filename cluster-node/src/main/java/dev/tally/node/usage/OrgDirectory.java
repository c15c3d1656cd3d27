package dev.tally.node.usage;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import dev.tally.node.account.OrgSlices;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The org directory, {@code tally.org_directory} (ops/cql V7): one row per org in its slice's
 * partition, written only by the slice's {@link SliceReader}, read by ListOrgs a slice after
 * another, each in org id order.
 */
public final class OrgDirectory implements SliceRows.Rows {

  /** The most rows one page reads, matching or not: a filter that matches few orgs still answers in time. */
  public static final int MAX_ROWS_READ = 1_000;
  /** Rows per write: a single-partition batch (Cassandra's batch size limits are for many partitions). */
  static final int ROWS_PER_WRITE = 200;

  private static final String COLUMNS =
      "org_id, display_name, plan, created_at, granted, used, expired, voided, last_event_at, period_start, period_end,"
          + " period_used, debt, applied_seq_nr, period_opening_balance, period_granted_by_kind, period_used_by_model,"
          + " period_used_by_call_type, period_expired, period_voided, period_closed_at, previous_period_start,"
          + " previous_period_used";
  /** frozen<map<text, bigint>>: credits by grant kind, model or call type. */
  private static final TypeCodec<Map<String, Long>> AMOUNTS = TypeCodecs.mapOf(TypeCodecs.TEXT, TypeCodecs.BIGINT);
  private static final String UPSERT = "INSERT INTO tally.org_directory (slice, " + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String ONE = "SELECT " + COLUMNS + " FROM tally.org_directory WHERE slice = ? AND org_id = ?";
  private static final String FIRST = "SELECT " + COLUMNS + " FROM tally.org_directory WHERE slice = ? LIMIT ?";
  private static final String AFTER = "SELECT " + COLUMNS + " FROM tally.org_directory WHERE slice = ? AND org_id > ? LIMIT ?";

  /** Where a listing goes on: the slice, and the last org id read in it (empty: its start). */
  public record Position(int slice, String afterOrgId) {
    public static final Position START = new Position(0, "");

    /**
     * Where a walk goes on once {@code read} came back for {@code asked} rows (at least one) from
     * here: a short read ended the slice, else the slice goes on after its last row read.
     */
    Position after(List<DirectoryRow> read, int asked) {
      return read.size() < asked ? new Position(slice + 1, "") : new Position(slice, read.get(read.size() - 1).orgId());
    }
  }

  /** The rows that matched, and where the next page starts (empty at the end). */
  public record Page(List<DirectoryRow> rows, Optional<Position> next) {}

  /**
   * A place in a ranking by usage in a period, most used first, ties by org id: just after the org
   * {@code orgId}, which used {@code used}.
   */
  public record Rank(long used, String orgId) {
    /** Whether {@code row}, which used {@code rowUsed}, ranks after this place. */
    boolean before(long rowUsed, DirectoryRow row) {
      return rowUsed < used || rowUsed == used && row.orgId().compareTo(orgId) > 0;
    }
  }

  /** A page of a ranking, and the place the next page starts after (empty at the end). */
  public record Ranking(List<DirectoryRow> rows, Optional<Rank> next) {}

  private final CassandraSession session;

  /** On the node's shared session: the API's reads. */
  public OrgDirectory(ActorSystem system) {
    this(system, "pekko.persistence.cassandra");
  }

  /** On the session configured at {@code session}: the read side's readers have their own ({@link ReadSide#SESSION}). */
  OrgDirectory(ActorSystem system, String session) {
    this.session = CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(session));
  }

  /**
   * The org's row; {@link DirectoryRow#unknown} when it has none, and when it was written before its
   * current period's statement and its previous period's usage were part of it (ops/cql V11, V12):
   * its reader then builds it again from the org's journal.
   */
  @Override
  public CompletionStage<DirectoryRow> row(String orgId) {
    return session.selectOne(ONE, OrgSlices.sliceOf(orgId), orgId).thenApply(row -> row
        .filter(found -> !writtenBeforeV12(found))
        .map(OrgDirectory::row)
        .orElseGet(() -> DirectoryRow.unknown(orgId)));
  }

  /**
   * The rows of one slice, each whole (its sums and the sequence number they count up to are never
   * apart), {@link #ROWS_PER_WRITE} to a write: an unlogged batch on the slice's partition, applied
   * all or nothing.
   */
  @Override
  public CompletionStage<Done> save(List<DirectoryRow> rows) {
    if (rows.stream().map(row -> OrgSlices.sliceOf(row.orgId())).distinct().count() > 1) {
      throw new IllegalArgumentException("directory rows of more than one slice");
    }
    return session.prepare(UPSERT).thenCompose(upsert -> {
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      for (int from = 0; from < rows.size(); from += ROWS_PER_WRITE) {
        List<BatchableStatement<?>> batch = new ArrayList<>();
        for (DirectoryRow row : rows.subList(from, Math.min(rows.size(), from + ROWS_PER_WRITE))) {
          batch.add(bound(upsert, row));
        }
        writes.add(session.executeWriteBatch(BatchStatement.newInstance(BatchType.UNLOGGED).addAll(batch))
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(all -> Done.getInstance());
    });
  }

  /**
   * One row's upsert, each column set with its codec: handed bare values, the driver looks for a codec per value
   * and walks every map to find its types (measured: 4.5 % of what a node allocated at 1,000 pairs/s).
   */
  private static BoundStatement bound(PreparedStatement upsert, DirectoryRow row) {
    StatementRow period = row.statement();
    boolean none = period == null;
    DirectoryRow.PeriodUsed previous = row.previousPeriod();
    return upsert.boundStatementBuilder()
        .set(0, OrgSlices.sliceOf(row.orgId()), TypeCodecs.INT)
        .set(1, row.orgId(), TypeCodecs.TEXT)
        .set(2, row.displayName(), TypeCodecs.TEXT)
        .set(3, row.plan(), TypeCodecs.TEXT)
        .set(4, row.createdAt(), TypeCodecs.TIMESTAMP)
        .set(5, row.granted(), TypeCodecs.BIGINT)
        .set(6, row.used(), TypeCodecs.BIGINT)
        .set(7, row.expired(), TypeCodecs.BIGINT)
        .set(8, row.voided(), TypeCodecs.BIGINT)
        .set(9, row.lastEventAt(), TypeCodecs.TIMESTAMP)
        .set(10, row.periodStart(), TypeCodecs.TIMESTAMP)
        .set(11, row.periodEnd(), TypeCodecs.TIMESTAMP)
        .set(12, row.periodUsed(), TypeCodecs.BIGINT)
        .set(13, row.debt(), TypeCodecs.BIGINT)
        .set(14, row.appliedSeqNr(), TypeCodecs.BIGINT)
        .set(15, none ? null : period.openingBalance(), TypeCodecs.BIGINT)
        .set(16, none ? Map.of() : period.grantedByKind(), AMOUNTS)
        .set(17, none ? Map.of() : period.usedByModel(), AMOUNTS)
        .set(18, none ? Map.of() : period.usedByCallType(), AMOUNTS)
        .set(19, none ? 0L : period.expired(), TypeCodecs.BIGINT)
        .set(20, none ? 0L : period.voided(), TypeCodecs.BIGINT)
        .set(21, none ? null : period.closedAt(), TypeCodecs.TIMESTAMP)
        .set(22, previous == null ? null : previous.start(), TypeCodecs.TIMESTAMP)
        .set(23, previous == null ? 0L : previous.used(), TypeCodecs.BIGINT)
        .build();
  }

  /** Up to {@code limit} rows of the slice after {@code afterOrgId} ("": from its start), in org id order. */
  public CompletionStage<List<DirectoryRow>> rowsAfter(int slice, String afterOrgId, int limit) {
    CompletionStage<List<Row>> rows = afterOrgId.isEmpty()
        ? session.selectAll(FIRST, slice, limit)
        : session.selectAll(AFTER, slice, afterOrgId, limit);
    return rows.thenApply(selected -> selected.stream().map(OrgDirectory::row).toList());
  }

  /**
   * Up to {@code limit} rows that {@code matches} from {@code from} on, reading at most
   * {@link #MAX_ROWS_READ} rows: a page may hold fewer than {@code limit} and still have a next.
   */
  public CompletionStage<Page> page(Position from, int limit, Predicate<DirectoryRow> matches) {
    return read(from, limit, matches, new ArrayList<>(), 0);
  }

  private CompletionStage<Page> read(Position at, int limit, Predicate<DirectoryRow> matches, List<DirectoryRow> found,
      int read) {
    if (at.slice() >= OrgSlices.COUNT) return CompletableFuture.completedFuture(new Page(found, Optional.empty()));
    int wanted = Math.min(limit - found.size(), MAX_ROWS_READ - read);
    return rowsAfter(at.slice(), at.afterOrgId(), wanted).thenCompose(selected -> {
      for (DirectoryRow listed : selected) {
        if (matches.test(listed)) found.add(listed);
      }
      int readNow = read + selected.size();
      Position next = at.after(selected, wanted);
      if (found.size() >= limit || readNow >= MAX_ROWS_READ) {
        return CompletableFuture.completedFuture(new Page(found,
            next.slice() >= OrgSlices.COUNT ? Optional.empty() : Optional.of(next)));
      }
      return read(next, limit, matches, found, readNow);
    });
  }

  /**
   * The {@code limit} orgs that {@code matches} and rank after {@code after} (empty: from the top) by
   * what they used in the period that starts at {@code period} ({@link DirectoryRow#usedIn}), most
   * first, ties by org id: every row of the directory is read, a slice after another, a page of
   * {@link #MAX_ROWS_READ} at a time, keeping only the {@code limit} + 1 best (the one beyond says
   * whether a next page has any).
   */
  public CompletionStage<Ranking> ranked(Instant period, Optional<Rank> after, int limit,
      Predicate<DirectoryRow> matches) {
    Comparator<DirectoryRow> mostFirst = Comparator.<DirectoryRow>comparingLong(row -> row.usedIn(period)).reversed()
        .thenComparing(DirectoryRow::orgId);
    PriorityQueue<DirectoryRow> best = new PriorityQueue<>(mostFirst.reversed());
    Predicate<DirectoryRow> ranks = after.isEmpty() ? matches
        : matches.and(row -> after.get().before(row.usedIn(period), row));
    return rankFrom(Position.START, limit + 1, ranks, best).thenApply(kept -> {
      List<DirectoryRow> rows = new ArrayList<>(kept);
      rows.sort(mostFirst);
      if (rows.size() <= limit) return new Ranking(rows, Optional.empty());
      List<DirectoryRow> page = rows.subList(0, limit);
      DirectoryRow last = page.get(limit - 1);
      return new Ranking(List.copyOf(page), Optional.of(new Rank(last.usedIn(period), last.orgId())));
    });
  }

  private CompletionStage<PriorityQueue<DirectoryRow>> rankFrom(Position at, int kept, Predicate<DirectoryRow> ranks,
      PriorityQueue<DirectoryRow> best) {
    if (at.slice() >= OrgSlices.COUNT) return CompletableFuture.completedFuture(best);
    return rowsAfter(at.slice(), at.afterOrgId(), MAX_ROWS_READ).thenCompose(selected -> {
      for (DirectoryRow row : selected) {
        if (!ranks.test(row)) continue;
        best.add(row);
        if (best.size() > kept) best.poll();
      }
      return rankFrom(at.after(selected, MAX_ROWS_READ), kept, ranks, best);
    });
  }

  /**
   * Whether the row was written before ops/cql V12: a period, and of its statement only the bounds
   * and what it used (before V11), or no previous period's usage. A listing shows the row as it is;
   * {@link #row(String)} reads it as unknown, so the org's reader builds it again from the journal.
   */
  private static boolean writtenBeforeV12(Row row) {
    return row.getInstant("period_start") != null
        && (row.isNull("period_opening_balance") || row.isNull("previous_period_used"));
  }

  private static DirectoryRow row(Row row) {
    String orgId = row.getString("org_id");
    long debt = row.getLong("debt");
    long appliedSeqNr = row.getLong("applied_seq_nr");
    Instant periodStart = row.getInstant("period_start");
    StatementRow period = periodStart == null ? null : new StatementRow(orgId, periodStart, row.getInstant("period_end"),
        row.getLong("period_opening_balance"), amounts(row, "period_granted_by_kind"), row.getLong("period_used"),
        amounts(row, "period_used_by_model"), amounts(row, "period_used_by_call_type"), row.getLong("period_expired"),
        row.getLong("period_voided"), debt, row.getInstant("period_closed_at"), appliedSeqNr);
    return new DirectoryRow(orgId, orEmpty(row.getString("display_name")), orEmpty(row.getString("plan")),
        row.getInstant("created_at"), row.getLong("granted"), row.getLong("used"), row.getLong("expired"),
        row.getLong("voided"), row.getInstant("last_event_at"), debt, period, previousPeriod(row), appliedSeqNr);
  }

  private static DirectoryRow.PeriodUsed previousPeriod(Row row) {
    Instant start = row.getInstant("previous_period_start");
    return start == null ? null : new DirectoryRow.PeriodUsed(start, row.getLong("previous_period_used"));
  }

  private static Map<String, Long> amounts(Row row, String column) {
    return row.isNull(column) ? Map.of() : Map.copyOf(row.getMap(column, String.class, Long.class));
  }

  private static String orEmpty(String text) {
    return text == null ? "" : text;
  }
}
