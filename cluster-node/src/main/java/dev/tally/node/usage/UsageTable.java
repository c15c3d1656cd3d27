package dev.tally.node.usage;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/** The usage rows, {@code tally.usage_hours} (ops/cql V8): a partition per org and UTC day. */
public final class UsageTable implements UsageRows.Store {

  /**
   * Rows per write, of at most {@link #DAYS_PER_WRITE} org days: an unlogged batch, under Cassandra's
   * defaults for a batch over several partitions (a warning above 10 partitions or 5 KiB, ~200 bytes a row).
   */
  static final int ROWS_PER_WRITE = 20;
  static final int DAYS_PER_WRITE = 10;

  private static final String KEY_COLUMNS = "hour, model, call_type, project, user_id, api_key_id";
  private static final String COLUMNS = KEY_COLUMNS + ", charged, input_tokens, output_tokens, cache_read_tokens,"
      + " cache_write_tokens, calls, released, expired, applied_seq_nr";
  private static final String UPSERT = "INSERT INTO tally.usage_hours (org_id, day, " + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String DAY = "SELECT " + COLUMNS + " FROM tally.usage_hours WHERE org_id = ? AND day = ?";

  private final CassandraSession session;

  /** On the node's shared session: the API's reads. */
  public UsageTable(ActorSystem system) {
    this(system, "pekko.persistence.cassandra");
  }

  /** On the session configured at {@code session}: the read side's readers have their own ({@link ReadSide#SESSION}). */
  UsageTable(ActorSystem system, String session) {
    this.session = CassandraSessionRegistry.get(system).sessionFor(CassandraSessionSettings.create(session));
  }

  @Override
  public CompletionStage<UsageRows.Day> day(String orgId, LocalDate day) {
    return session.selectAll(DAY, orgId, day).thenApply(rows -> {
      Map<UsageKey, UsageRows.Row> read = new HashMap<>();
      for (var row : rows) {
        UsageKey key = new UsageKey(row.getInstant("hour"), row.getString("model"), row.getString("call_type"),
            row.getString("project"), row.getString("user_id"), row.getString("api_key_id"));
        UsageCounts counts = new UsageCounts(row.getLong("charged"), row.getLong("input_tokens"),
            row.getLong("output_tokens"), row.getLong("cache_read_tokens"), row.getLong("cache_write_tokens"),
            row.getLong("calls"), row.getLong("released"), row.getLong("expired"));
        read.put(key, new UsageRows.Row(key, counts, row.getLong("applied_seq_nr")));
      }
      return new UsageRows.Day(read);
    });
  }

  /**
   * The rows of {@code days}, a few org days to a write: each row is written whole with its sequence
   * number, so a batch is only fewer requests, not all or nothing.
   */
  @Override
  public CompletionStage<Done> write(List<UsageRows.Written> days) {
    return session.prepare(UPSERT).thenCompose(upsert -> {
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      for (List<DayRow> batch : batches(days)) {
        writes.add(session.executeWriteBatch(BatchStatement.newInstance(BatchType.UNLOGGED)
            .addAll(batch.stream().map(row -> bound(upsert, row)).toList())).toCompletableFuture());
      }
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(all -> Done.getInstance());
    });
  }

  /** One row of an org's day. */
  record DayRow(String orgId, LocalDate day, UsageRows.Row row) {}

  /** The rows of {@code days} in writes of at most {@link #ROWS_PER_WRITE} rows of at most {@link #DAYS_PER_WRITE} days. */
  static List<List<DayRow>> batches(List<UsageRows.Written> days) {
    List<List<DayRow>> batches = new ArrayList<>();
    List<DayRow> batch = new ArrayList<>();
    int daysInBatch = 0;
    for (UsageRows.Written day : days) {
      if (daysInBatch == DAYS_PER_WRITE) {
        batches.add(batch);
        batch = new ArrayList<>();
        daysInBatch = 0;
      }
      daysInBatch++;
      for (UsageRows.Row row : day.rows()) {
        if (batch.size() == ROWS_PER_WRITE) {
          batches.add(batch);
          batch = new ArrayList<>();
          daysInBatch = 1;
        }
        batch.add(new DayRow(day.orgId(), day.day(), row));
      }
    }
    if (!batch.isEmpty()) batches.add(batch);
    return batches;
  }

  private static BatchableStatement<?> bound(PreparedStatement upsert, DayRow dayRow) {
    UsageRows.Row row = dayRow.row();
    UsageKey key = row.key();
    UsageCounts counts = row.counts();
    // each column with its codec: handed bare values, the driver looks for a codec per value
    return upsert.boundStatementBuilder()
        .set(0, dayRow.orgId(), TypeCodecs.TEXT)
        .set(1, dayRow.day(), TypeCodecs.DATE)
        .set(2, key.hour(), TypeCodecs.TIMESTAMP)
        .set(3, key.model(), TypeCodecs.TEXT)
        .set(4, key.callType(), TypeCodecs.TEXT)
        .set(5, key.project(), TypeCodecs.TEXT)
        .set(6, key.user(), TypeCodecs.TEXT)
        .set(7, key.apiKeyId(), TypeCodecs.TEXT)
        .set(8, counts.charged(), TypeCodecs.BIGINT)
        .set(9, counts.inputTokens(), TypeCodecs.BIGINT)
        .set(10, counts.outputTokens(), TypeCodecs.BIGINT)
        .set(11, counts.cacheReadTokens(), TypeCodecs.BIGINT)
        .set(12, counts.cacheWriteTokens(), TypeCodecs.BIGINT)
        .set(13, counts.calls(), TypeCodecs.BIGINT)
        .set(14, counts.released(), TypeCodecs.BIGINT)
        .set(15, counts.expired(), TypeCodecs.BIGINT)
        .set(16, row.appliedSeqNr(), TypeCodecs.BIGINT)
        .build();
  }
}
