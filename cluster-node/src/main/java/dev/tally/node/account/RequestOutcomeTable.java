package dev.tally.node.account;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.node.account.Outcome.Result;
import dev.tally.node.account.RequestMemory.Forgotten;
import dev.tally.node.account.RequestMemory.Remembered;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The table {@code tally.request_outcomes} (ops/cql V4): the requests an org's account pushed out of
 * its memory while they were still inside the idempotency window, so that a late retry still gets
 * the first outcome (rule 6) however many requests the org made since. Written and read through the
 * journal's Cassandra session, at the journal's consistency, so a row is as durable as the events.
 */
public final class RequestOutcomeTable {

  /** The driver profile the journal writes with (persistence.conf): the same consistency for these rows. */
  private static final String PROFILE = "pekko-persistence-cassandra-profile";
  /** The group-commit batch size: a write the size of the journal's own. */
  private static final int ROWS_PER_BATCH = 100;
  private static final String INSERT = "INSERT INTO tally.request_outcomes (org_id, request_id, fingerprint, result, at)"
      + " VALUES (?, ?, ?, ?, ?) USING TTL ?";
  private static final String SELECT = "SELECT request_id, fingerprint, result, at FROM tally.request_outcomes"
      + " WHERE org_id = ? AND request_id IN ?";

  private final Supplier<CompletionStage<CqlSession>> sessions;
  private final ObjectMapper cbor;

  /**
   * @param sessions where the table is, asked on every use (a session that could not be opened is tried again)
   * @param cbor how results are stored: the mapper Pekko serializes the account's events with
   */
  public RequestOutcomeTable(Supplier<CompletionStage<CqlSession>> sessions, ObjectMapper cbor) {
    this.sessions = sessions;
    this.cbor = cbor;
  }

  /** The table as the node reaches it: the journal's session and Jackson CBOR mapper. */
  public static RequestOutcomeTable of(ActorSystem system) {
    CassandraSession journalSession = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    return new RequestOutcomeTable(
        journalSession::underlying,
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.empty()));
  }

  /**
   * Stores {@code forgotten} requests of one org, each until its window ends after {@code now}:
   * unlogged batches on the org's partition, of at most {@link #ROWS_PER_BATCH} rows (a node's
   * batch pushes out about one request per operation; a lowered max-entries, many more once).
   */
  public CompletionStage<Done> keep(String orgId, List<Forgotten> forgotten, Instant now, Duration window) {
    CompletionStage<CqlSession> session = sessions.get();
    return prepared(session, INSERT).thenCompose(statement -> {
      List<CompletableFuture<AsyncResultSet>> writes = new ArrayList<>();
      for (int from = 0; from < forgotten.size(); from += ROWS_PER_BATCH) {
        List<BatchableStatement<?>> rows = new ArrayList<>(ROWS_PER_BATCH);
        for (Forgotten request : forgotten.subList(from, Math.min(forgotten.size(), from + ROWS_PER_BATCH))) {
          Remembered outcome = request.outcome();
          rows.add(statement.bind(orgId, request.requestId(), outcome.fingerprint(),
              ByteBuffer.wrap(bytes(outcome.result())), outcome.at(), secondsLeft(outcome.at(), now, window)));
        }
        BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED).setExecutionProfileName(PROFILE).addAll(rows);
        writes.add(session.thenCompose(s -> s.executeAsync(batch)).toCompletableFuture());
      }
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }).thenApply(written -> Done.getInstance());
  }

  /** What the table holds of {@code requestIds} of one org: one query on the org's partition. */
  public CompletionStage<Map<String, Remembered>> find(String orgId, Set<String> requestIds) {
    Map<String, Remembered> found = new HashMap<>();
    CompletionStage<CqlSession> session = sessions.get();
    return prepared(session, SELECT)
        .thenCompose(statement -> session.thenCompose(s -> s.executeAsync(statement.bind(orgId, List.copyOf(requestIds)))))
        .thenCompose(page -> collect(page, found));
  }

  private CompletionStage<Map<String, Remembered>> collect(AsyncResultSet page, Map<String, Remembered> found) {
    for (Row row : page.currentPage()) {
      found.put(row.getString("request_id"),
          new Remembered(row.getLong("fingerprint"), result(row.getByteBuffer("result")), row.getInstant("at")));
    }
    return page.hasMorePages() ? page.fetchNextPage().thenCompose(next -> collect(next, found))
        : CompletableFuture.completedFuture(found);
  }

  /** A row lives as long as its request's window: what is left of it at {@code now}, at least a second. */
  static int secondsLeft(Instant at, Instant now, Duration window) {
    Duration left = Duration.between(now, at.plus(window));
    long seconds = left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
  }

  /** The driver prepares each query once per session and answers later calls from its cache. */
  private static CompletionStage<PreparedStatement> prepared(CompletionStage<CqlSession> session, String query) {
    return session.thenCompose(s -> s.prepareAsync(SimpleStatement.newInstance(query).setExecutionProfileName(PROFILE)));
  }

  private byte[] bytes(Result result) {
    try {
      return cbor.writerFor(Result.class).writeValueAsBytes(result);
    } catch (IOException e) {
      throw new UncheckedIOException("an outcome serializes as the events do", e);
    }
  }

  private Result result(ByteBuffer stored) {
    byte[] bytes = new byte[stored.remaining()];
    stored.get(bytes);
    try {
      return cbor.readValue(bytes, Result.class);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored outcome no longer reads", e);
    }
  }
}
