package dev.tally.node.account;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The requests an org's account pushed out of its memory while they were still inside the
 * idempotency window, so that a late retry still gets the first outcome (rule 6) however many
 * requests the org made since. Those whose ids name the time they were made (UUIDv7, the SDK's)
 * go to {@code tally.request_outcome_chunks} (ops/cql V13): one row per write and hundredth of a
 * second named, which a retry finds by the time its id names; any other id to {@code tally.request_outcomes} (V4), a
 * row each. A busy org pushes out thousands of requests a second, and a row each cost Cassandra
 * more CPU than the org's events (BENCHMARKS.md, stop 39). Written and read through the journal's
 * Cassandra session, at the journal's consistency, so a row is as durable as the events.
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
  private static final String INSERT_CHUNK = "INSERT INTO tally.request_outcome_chunks"
      + " (org_id, named_second, hundredth, chunk, requests) VALUES (?, ?, ?, ?, ?) USING TTL ?";
  private static final String SELECT_CHUNKS = "SELECT requests FROM tally.request_outcome_chunks"
      + " WHERE org_id = ? AND named_second = ? AND hundredth = ?";

  /** One request of a chunk row, as stored (Jackson CBOR; RequestOutcomeTableTest pins the form: rename nothing). */
  record Kept(String requestId, long fingerprint, Result result, Instant at) {}

  private static final JavaType RESULT = TypeFactory.defaultInstance().constructType(Result.class);
  private static final JavaType CHUNK = TypeFactory.defaultInstance().constructType(new TypeReference<List<Kept>>() {});

  /**
   * The batches the node's accounts write to the table at once, together. They share the journal's connection, whose
   * 1,024 requests at once are all Cassandra takes from it: beyond that a request fails at once ("no connection was
   * available"). A recovery may write thousands of batches (the requests its replay pushed out, a batch per second
   * they name): issued at once, they would leave the journal's own writes no room, and the org's recovery would fail.
   */
  private static final int WRITES_IN_FLIGHT = 64;

  private final Supplier<CompletionStage<CqlSession>> sessions;
  private final ObjectMapper cbor;
  private final InFlightLimit inFlight = new InFlightLimit(WRITES_IN_FLIGHT, ForkJoinPool.commonPool());

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
   * Stores {@code forgotten} requests of one org, each until its window ends after {@code now}: those
   * whose ids name a time as one chunk row per hundredth of a second named (a busy org's write ahead
   * of 1,000 takes about ten; a retry reads a hundredth's rows only), in an unlogged batch per second
   * named (the partition); the others a row each, in unlogged batches of at most
   * {@link #ROWS_PER_BATCH} on the org's partition.
   */
  public CompletionStage<Done> keep(String orgId, List<Forgotten> forgotten, Instant now, Duration window) {
    Map<Long, Map<Long, List<Forgotten>>> bySecond = new TreeMap<>();
    List<Forgotten> untimed = new ArrayList<>();
    for (Forgotten request : forgotten) {
      Optional<Instant> named = SpilledRequests.idTime(request.requestId());
      if (named.isPresent()) {
        long hundredth = hundredth(named.get());
        bySecond.computeIfAbsent(namedSecond(hundredth), second -> new TreeMap<>())
            .computeIfAbsent(hundredth, h -> new ArrayList<>()).add(request);
      } else {
        untimed.add(request);
      }
    }
    CompletionStage<CqlSession> session = sessions.get();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    if (!bySecond.isEmpty()) {
      writes.add(prepared(session, INSERT_CHUNK).thenCompose(statement -> {
        List<CompletableFuture<AsyncResultSet>> seconds = new ArrayList<>();
        for (Map<Long, List<Forgotten>> second : bySecond.values()) {
          List<BatchableStatement<?>> rows = new ArrayList<>();
          second.forEach((hundredth, requests) -> rows.add(chunk(statement, orgId, hundredth, requests, now, window)));
          BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED).setExecutionProfileName(PROFILE).addAll(rows);
          seconds.add(inFlight.run(() -> session.thenCompose(s -> s.executeAsync(batch))));
        }
        return CompletableFuture.allOf(seconds.toArray(CompletableFuture[]::new));
      }).toCompletableFuture());
    }
    if (!untimed.isEmpty()) writes.add(keepEach(session, orgId, untimed, now, window).toCompletableFuture());
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(written -> Done.getInstance());
  }

  /** Which hundredth of a second since the epoch {@code named} is in. */
  static long hundredth(Instant named) {
    return Math.floorDiv(named.toEpochMilli(), 10);
  }

  /** The second a {@link #hundredth} is in: a chunk row's partition. */
  private static long namedSecond(long hundredth) {
    return Math.floorDiv(hundredth, 100);
  }

  /** Which hundredth within its second a {@link #hundredth} is: a chunk row's clustering key. */
  private static int hundredthOfSecond(long hundredth) {
    return (int) Math.floorMod(hundredth, 100);
  }

  /**
   * One chunk row, living until the window of its last decided request ends. Its key is new on each
   * write: a request written again (after a crash the account does not know what it wrote ahead) is
   * in two rows alike, and no write replaces a row holding a request it does not hold.
   */
  private BoundStatement chunk(
      PreparedStatement statement, String orgId, long hundredth, List<Forgotten> requests, Instant now, Duration window) {
    List<Kept> kept = new ArrayList<>(requests.size());
    Instant lastDecided = Instant.MIN;
    for (Forgotten request : requests) {
      Remembered outcome = request.outcome();
      kept.add(new Kept(request.requestId(), outcome.fingerprint(), outcome.result(), outcome.at()));
      if (outcome.at().isAfter(lastDecided)) lastDecided = outcome.at();
    }
    return statement.bind(orgId, namedSecond(hundredth), hundredthOfSecond(hundredth), UUID.randomUUID().toString(),
        ByteBuffer.wrap(bytes(kept)), secondsLeft(lastDecided, now, window));
  }

  private CompletionStage<Done> keepEach(
      CompletionStage<CqlSession> session, String orgId, List<Forgotten> forgotten, Instant now, Duration window) {
    return prepared(session, INSERT).thenCompose(statement -> {
      List<CompletableFuture<AsyncResultSet>> batches = new ArrayList<>();
      for (int from = 0; from < forgotten.size(); from += ROWS_PER_BATCH) {
        List<BatchableStatement<?>> rows = new ArrayList<>(ROWS_PER_BATCH);
        for (Forgotten request : forgotten.subList(from, Math.min(forgotten.size(), from + ROWS_PER_BATCH))) {
          Remembered outcome = request.outcome();
          rows.add(statement.bind(orgId, request.requestId(), outcome.fingerprint(),
              ByteBuffer.wrap(bytes(outcome.result())), outcome.at(), secondsLeft(outcome.at(), now, window)));
        }
        BatchStatement batch = BatchStatement.newInstance(BatchType.UNLOGGED).setExecutionProfileName(PROFILE).addAll(rows);
        batches.add(inFlight.run(() -> session.thenCompose(s -> s.executeAsync(batch))));
      }
      return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new));
    }).thenApply(written -> Done.getInstance());
  }

  /**
   * What the table holds of {@code requestIds} of one org still inside their window at {@code now}:
   * one query on the org's partition of {@code tally.request_outcomes} for them all (it also holds
   * ids naming a time that were pushed out before V13), and one per hundredth of a second any of
   * them names.
   */
  public CompletionStage<Map<String, Remembered>> find(String orgId, Set<String> requestIds, Instant now, Duration window) {
    Set<Long> hundredths = new TreeSet<>();
    for (String requestId : requestIds) SpilledRequests.idTime(requestId).ifPresent(named -> hundredths.add(hundredth(named)));
    Map<String, Remembered> found = new ConcurrentHashMap<>();
    CompletionStage<CqlSession> session = sessions.get();
    List<CompletableFuture<?>> reads = new ArrayList<>();
    reads.add(prepared(session, SELECT)
        .thenCompose(statement -> session.thenCompose(s -> s.executeAsync(statement.bind(orgId, List.copyOf(requestIds)))))
        .thenCompose(page -> collect(page, row -> found.put(row.getString("request_id"),
            new Remembered(row.getLong("fingerprint"), result(row.getByteBuffer("result")), row.getInstant("at")))))
        .toCompletableFuture());
    for (long hundredth : hundredths) {
      reads.add(prepared(session, SELECT_CHUNKS)
          .thenCompose(statement -> session.thenCompose(s -> s.executeAsync(statement.bind(orgId, namedSecond(hundredth), hundredthOfSecond(hundredth)))))
          .thenCompose(page -> collect(page, row -> {
            for (Kept kept : chunk(row.getByteBuffer("requests"))) {
              if (requestIds.contains(kept.requestId())) {
                found.put(kept.requestId(), new Remembered(kept.fingerprint(), kept.result(), kept.at()));
              }
            }
          }))
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(read -> {
      // A chunk outlives the windows of all but its last decided request.
      Map<String, Remembered> within = new HashMap<>();
      found.forEach((requestId, outcome) -> {
        if (outcome.at().plus(window).isAfter(now)) within.put(requestId, outcome);
      });
      return within;
    });
  }

  private static CompletionStage<Done> collect(AsyncResultSet page, Consumer<Row> each) {
    page.currentPage().forEach(each);
    return page.hasMorePages() ? page.fetchNextPage().thenCompose(next -> collect(next, each))
        : CompletableFuture.completedFuture(Done.getInstance());
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
    return write(RESULT, result);
  }

  byte[] bytes(List<Kept> chunk) {
    return write(CHUNK, chunk);
  }

  private Result result(ByteBuffer stored) {
    return read(stored, RESULT);
  }

  List<Kept> chunk(ByteBuffer stored) {
    return read(stored, CHUNK);
  }

  private byte[] write(JavaType type, Object value) {
    try {
      return cbor.writerFor(type).writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("an outcome serializes as the events do", e);
    }
  }

  private <T> T read(ByteBuffer stored, JavaType type) {
    byte[] bytes = new byte[stored.remaining()];
    stored.get(bytes);
    try {
      return cbor.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored outcome no longer reads", e);
    }
  }
}
