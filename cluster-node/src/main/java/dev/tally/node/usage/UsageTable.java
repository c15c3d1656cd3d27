package dev.tally.node.usage;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
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

  /** Rows per write: unlogged batches on one partition, well under Cassandra's batch size limits. */
  static final int ROWS_PER_WRITE = 50;

  private static final String KEY_COLUMNS = "hour, model, call_type, project, user_id, api_key_id";
  private static final String COLUMNS = KEY_COLUMNS + ", charged, input_tokens, output_tokens, cache_read_tokens,"
      + " cache_write_tokens, calls, released, expired, applied_seq_nr";
  private static final String UPSERT = "INSERT INTO tally.usage_hours (org_id, day, " + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String DAY = "SELECT " + COLUMNS + " FROM tally.usage_hours WHERE org_id = ? AND day = ?";

  private final CassandraSession session;

  public UsageTable(ActorSystem system) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
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

  @Override
  public CompletionStage<Done> save(String orgId, LocalDate day, List<UsageRows.Row> rows) {
    return session.prepare(UPSERT).thenCompose(upsert -> {
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      for (int from = 0; from < rows.size(); from += ROWS_PER_WRITE) {
        List<BatchableStatement<?>> batch = new ArrayList<>();
        for (UsageRows.Row row : rows.subList(from, Math.min(rows.size(), from + ROWS_PER_WRITE))) {
          batch.add(bound(upsert, orgId, day, row));
        }
        writes.add(session.executeWriteBatch(BatchStatement.newInstance(BatchType.UNLOGGED).addAll(batch))
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(all -> Done.getInstance());
    });
  }

  private static BatchableStatement<?> bound(PreparedStatement upsert, String orgId, LocalDate day, UsageRows.Row row) {
    UsageKey key = row.key();
    UsageCounts counts = row.counts();
    return upsert.bind(orgId, day, key.hour(), key.model(), key.callType(), key.project(), key.user(), key.apiKeyId(),
        counts.charged(), counts.inputTokens(), counts.outputTokens(), counts.cacheReadTokens(),
        counts.cacheWriteTokens(), counts.calls(), counts.released(), counts.expired(), row.appliedSeqNr());
  }
}
