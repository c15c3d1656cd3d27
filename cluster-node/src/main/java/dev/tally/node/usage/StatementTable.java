package dev.tally.node.usage;

import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/** The statements, {@code tally.statements} (ops/cql V9): a partition per org, newest period first. */
public final class StatementTable implements SliceRows.Statements {

  private static final String COLUMNS = "period_start, period_end, opening_balance, granted_by_kind, used, used_by_model,"
      + " used_by_call_type, expired, voided, debt, closed_at, applied_seq_nr";
  private static final String UPSERT = "INSERT INTO tally.statements (org_id, " + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String ONE = "SELECT " + COLUMNS + " FROM tally.statements WHERE org_id = ? AND period_start = ?";
  private static final String FIRST = "SELECT " + COLUMNS + " FROM tally.statements WHERE org_id = ? LIMIT ?";
  private static final String BEFORE =
      "SELECT " + COLUMNS + " FROM tally.statements WHERE org_id = ? AND period_start < ? LIMIT ?";

  private final CassandraSession session;

  /** On the node's shared session: the API's reads. */
  public StatementTable(ActorSystem system) {
    this(system, "pekko.persistence.cassandra");
  }

  /** On the session configured at {@code session}: the read side's readers have their own ({@link ReadSide#SESSION}). */
  StatementTable(ActorSystem system, String session) {
    this.session = CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(session));
  }

  @Override
  public CompletionStage<Optional<StatementRow>> statement(String orgId, Instant periodStart) {
    return session.selectOne(ONE, orgId, periodStart).thenApply(row -> row.map(found -> statement(orgId, found)));
  }

  /** Up to {@code limit} of the org's statements, newest first, of periods that start before {@code before} (null: all). */
  public CompletionStage<List<StatementRow>> newestFirst(String orgId, Instant before, int limit) {
    CompletionStage<List<Row>> rows = before == null
        ? session.selectAll(FIRST, orgId, limit)
        : session.selectAll(BEFORE, orgId, before, limit);
    return rows.thenApply(selected -> selected.stream().map(row -> statement(orgId, row)).toList());
  }

  @Override
  public CompletionStage<Done> save(StatementRow row) {
    return session.executeWrite(UPSERT, row.orgId(), row.periodStart(), row.periodEnd(), row.openingBalance(),
        row.grantedByKind(), row.used(), row.usedByModel(), row.usedByCallType(), row.expired(), row.voided(), row.debt(),
        row.closedAt(), row.appliedSeqNr());
  }

  private static StatementRow statement(String orgId, Row row) {
    return new StatementRow(orgId, row.getInstant("period_start"), row.getInstant("period_end"),
        row.getLong("opening_balance"), amounts(row, "granted_by_kind"), row.getLong("used"),
        amounts(row, "used_by_model"), amounts(row, "used_by_call_type"), row.getLong("expired"), row.getLong("voided"),
        row.getLong("debt"), row.getInstant("closed_at"), row.getLong("applied_seq_nr"));
  }

  private static Map<String, Long> amounts(Row row, String column) {
    return Map.copyOf(row.getMap(column, String.class, Long.class));
  }
}
