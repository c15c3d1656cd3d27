package dev.tally.node.notify;

import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/** The webhook tables of ops/cql V10: offsets, pending deliveries and the delivery log. */
public final class DeliveryTable {

  /** The most rows of the delivery log one page shows. */
  public static final int MAX_PAGE = 100;

  private static final String PENDING_COLUMNS = "slice, endpoint_id, event_id, endpoint_org, org_id, event_type,"
      + " occurred_at, body, attempts, next_attempt_at, failing_since";
  private static final String UPSERT_PENDING =
      "INSERT INTO tally.webhook_pending (" + PENDING_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String DELETE_PENDING =
      "DELETE FROM tally.webhook_pending WHERE slice = ? AND endpoint_id = ? AND event_id = ?";
  private static final String SLICE_PENDING = "SELECT " + PENDING_COLUMNS + " FROM tally.webhook_pending WHERE slice = ?";
  private static final String OFFSET = "SELECT seq_nr FROM tally.webhook_offsets WHERE org_id = ?";
  private static final String SET_OFFSET = "INSERT INTO tally.webhook_offsets (org_id, seq_nr) VALUES (?, ?)";
  private static final String ATTEMPT_COLUMNS =
      "endpoint_id, attempted_at, event_id, attempt, org_id, event_type, status_code, latency_ms, error, outcome";
  private static final String LOG_ATTEMPT =
      "INSERT INTO tally.webhook_attempts (" + ATTEMPT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String FIRST_ATTEMPTS =
      "SELECT " + ATTEMPT_COLUMNS + " FROM tally.webhook_attempts WHERE endpoint_id = ? LIMIT ?";
  private static final String ATTEMPTS_AFTER = "SELECT " + ATTEMPT_COLUMNS + " FROM tally.webhook_attempts"
      + " WHERE endpoint_id = ? AND (attempted_at, event_id, attempt) < (?, ?, ?) LIMIT ?";

  private final CassandraSession session;

  public DeliveryTable(ActorSystem system) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
  }

  public CompletionStage<Done> save(Pending p) {
    return session.executeWrite(UPSERT_PENDING, p.slice(), p.endpointId(), p.eventId(), p.endpointOrg(), p.orgId(),
        p.type().name(), p.occurredAt(), p.body(), p.attempts(), p.nextAttemptAt(), p.failingSince());
  }

  public CompletionStage<Done> delete(Pending p) {
    return session.executeWrite(DELETE_PENDING, p.slice(), p.endpointId(), p.eventId());
  }

  /** Every delivery pending in the slice: what its dispatcher takes up wherever it starts. */
  public CompletionStage<List<Pending>> pending(int slice) {
    return session.selectAll(SLICE_PENDING, slice).thenApply(rows -> rows.stream().map(DeliveryTable::pending).toList());
  }

  private static Pending pending(Row row) {
    return new Pending(row.getInt("slice"), row.getString("endpoint_org"), row.getString("endpoint_id"),
        row.getString("event_id"), row.getString("org_id"), EventType.valueOf(row.getString("event_type")),
        row.getInstant("occurred_at"), row.getString("body"), row.getInt("attempts"), row.getInstant("next_attempt_at"),
        row.getInstant("failing_since"));
  }

  /** The org's last journal event turned into deliveries; empty before any. */
  public CompletionStage<OptionalLong> offset(String orgId) {
    return session.selectOne(OFFSET, orgId)
        .thenApply(row -> row.map(found -> OptionalLong.of(found.getLong("seq_nr"))).orElse(OptionalLong.empty()));
  }

  public CompletionStage<Done> setOffset(String orgId, long seqNr) {
    return session.executeWrite(SET_OFFSET, orgId, seqNr);
  }

  public CompletionStage<Done> log(Attempt a) {
    return session.executeWrite(LOG_ATTEMPT, a.endpointId(), a.attemptedAt(), a.eventId(), a.attempt(), a.orgId(),
        a.type().name(), a.statusCode(), (int) Math.min(Integer.MAX_VALUE, a.latencyMillis()), a.error(), a.outcome().name());
  }

  /** Where a page of the log ends: the next page starts after this row. */
  public record After(Instant attemptedAt, String eventId, int attempt) {}

  /** Up to {@code limit} (at most {@link #MAX_PAGE}) of the endpoint's log, newest first, after {@code after} (null: from the newest). */
  public CompletionStage<List<Attempt>> attempts(String endpointId, After after, int limit) {
    int rows = Math.min(limit, MAX_PAGE);
    CompletionStage<List<Row>> selected = after == null
        ? session.selectAll(FIRST_ATTEMPTS, endpointId, rows)
        : session.selectAll(ATTEMPTS_AFTER, endpointId, after.attemptedAt(), after.eventId(), after.attempt(), rows);
    return selected.thenApply(found -> found.stream().map(DeliveryTable::attempt).toList());
  }

  private static Attempt attempt(Row row) {
    return new Attempt(row.getString("endpoint_id"), row.getInstant("attempted_at"), row.getString("event_id"),
        row.getInt("attempt"), row.getString("org_id"), EventType.valueOf(row.getString("event_type")),
        row.getInt("status_code"), row.getInt("latency_ms"), row.getString("error"),
        Attempt.Outcome.valueOf(row.getString("outcome")));
  }
}
