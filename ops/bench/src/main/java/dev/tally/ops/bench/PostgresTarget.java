package dev.tally.ops.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The obvious alternative: balances in PostgreSQL, a reserve is a row-locked conditional UPDATE in
 * a transaction, a commit settles the hold in a transaction, and an idempotency table keyed by
 * request id makes retries safe. Plain JDBC, one transaction per operation, a small pool of
 * connections each owned by one worker thread.
 *
 * <p>Statements run in the order that holds the balance row's lock for the shortest time: the
 * idempotency and hold rows are written first, the balance row is updated last, right before COMMIT,
 * so the lock is held for one round trip plus the commit's WAL flush. This is the baseline at its best.
 */
public final class PostgresTarget implements Target {

  static final String SCHEMA = """
      DROP TABLE IF EXISTS bench_requests, bench_holds, bench_balances;
      CREATE TABLE bench_balances (
        org text PRIMARY KEY,
        remaining bigint NOT NULL CHECK (remaining >= 0),
        held bigint NOT NULL DEFAULT 0
      );
      CREATE TABLE bench_holds (
        reservation_id uuid PRIMARY KEY,
        org text NOT NULL,
        amount bigint NOT NULL,
        state char(1) NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE bench_requests (
        request_id uuid PRIMARY KEY,
        org text NOT NULL,
        op char(1) NOT NULL,
        fingerprint bigint NOT NULL,
        outcome text,
        at timestamptz NOT NULL DEFAULT now()
      );
      """;

  private record PgHold(String orgId, UUID reservationId, long amount) implements Hold {}

  /** One worker's connection and its prepared statements. */
  private static final class Session {
    final Connection connection;
    final PreparedStatement remember;
    final PreparedStatement recall;
    final PreparedStatement insertHold;
    final PreparedStatement draw;
    final PreparedStatement settleHold;
    final PreparedStatement settleBalance;

    Session(String url) throws SQLException {
      connection = DriverManager.getConnection(url);
      connection.setAutoCommit(false);
      remember = connection.prepareStatement(
          "INSERT INTO bench_requests (request_id, org, op, fingerprint, outcome) VALUES (?, ?, ?, ?, ?) "
              + "ON CONFLICT (request_id) DO NOTHING");
      recall = connection.prepareStatement("SELECT op, fingerprint, outcome FROM bench_requests WHERE request_id = ?");
      insertHold = connection.prepareStatement(
          "INSERT INTO bench_holds (reservation_id, org, amount, state, expires_at) "
              + "VALUES (?, ?, ?, 'O', now() + interval '5 minutes')");
      draw = connection.prepareStatement(
          "UPDATE bench_balances SET remaining = remaining - ?, held = held + ? WHERE org = ? AND remaining >= ?");
      settleHold = connection.prepareStatement(
          "UPDATE bench_holds SET state = 'C' WHERE reservation_id = ? AND state = 'O' RETURNING amount");
      settleBalance = connection.prepareStatement(
          "UPDATE bench_balances SET held = held - ?, remaining = remaining + ? - ? WHERE org = ?");
    }
  }

  private final String url;
  private final int poolSize;
  private final ThreadLocal<Session> sessions = new ThreadLocal<>();
  private final List<Session> opened = new ArrayList<>();
  private final ExecutorService workers;

  /** @param poolSize connections (and worker threads); PostgreSQL's own advice is about 2 × cores */
  public PostgresTarget(String url, int poolSize) {
    this.url = url;
    this.poolSize = poolSize;
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(poolSize, poolSize, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread thread = new Thread(task, "postgres-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public String name() {
    return "postgres";
  }

  public int poolSize() {
    return poolSize;
  }

  /** Recreates the tables and inserts one funded balance row per org. */
  @Override
  public void prepare(List<String> orgIds, long microCreditsEach) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url); Statement ddl = connection.createStatement()) {
      ddl.execute(SCHEMA);
      connection.setAutoCommit(false);
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO bench_balances (org, remaining) VALUES (?, ?)")) {
        for (int i = 0; i < orgIds.size(); i++) {
          insert.setString(1, orgIds.get(i));
          insert.setLong(2, microCreditsEach);
          insert.addBatch();
          if (i % 1000 == 999) insert.executeBatch();
        }
        insert.executeBatch();
      }
      connection.commit();
      ddl.execute("ANALYZE bench_balances");
    }
  }

  @Override
  public CompletableFuture<Hold> reserve(String orgId, long microCredits) {
    UUID requestId = UUID.randomUUID();
    UUID reservationId = UUID.randomUUID();
    return inTransaction(session -> {
      String earlier = remember(session, requestId, orgId, 'R', microCredits, reservationId.toString());
      if (earlier != null) return new PgHold(orgId, UUID.fromString(earlier), microCredits);
      session.insertHold.setObject(1, reservationId);
      session.insertHold.setString(2, orgId);
      session.insertHold.setLong(3, microCredits);
      session.insertHold.executeUpdate();
      // The balance row is locked from here to COMMIT.
      session.draw.setLong(1, microCredits);
      session.draw.setLong(2, microCredits);
      session.draw.setString(3, orgId);
      session.draw.setLong(4, microCredits);
      if (session.draw.executeUpdate() == 0) throw new Failed("CREDITS_EXHAUSTED", orgId, null);
      return new PgHold(orgId, reservationId, microCredits);
    });
  }

  @Override
  public CompletableFuture<Void> commit(Hold hold, long actual) {
    PgHold pg = (PgHold) hold;
    UUID requestId = UUID.randomUUID();
    return inTransaction(session -> {
      if (remember(session, requestId, pg.orgId(), 'C', actual, pg.reservationId().toString()) != null) return null;
      session.settleHold.setObject(1, pg.reservationId());
      long held;
      try (ResultSet settled = session.settleHold.executeQuery()) {
        if (!settled.next()) throw new Failed("RESERVATION_RESOLVED", pg.reservationId().toString(), null);
        held = settled.getLong(1);
      }
      // Above the hold the excess is drawn from the balance; the CHECK refuses to go below zero.
      session.settleBalance.setLong(1, held);
      session.settleBalance.setLong(2, held);
      session.settleBalance.setLong(3, actual);
      session.settleBalance.setString(4, pg.orgId());
      session.settleBalance.executeUpdate();
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> charge(String orgId, long microCredits) {
    UUID requestId = UUID.randomUUID();
    return inTransaction(session -> {
      if (remember(session, requestId, orgId, 'H', microCredits, "charged") != null) return null;
      session.draw.setLong(1, microCredits);
      session.draw.setLong(2, 0);
      session.draw.setString(3, orgId);
      session.draw.setLong(4, microCredits);
      if (session.draw.executeUpdate() == 0) throw new Failed("CREDITS_EXHAUSTED", orgId, null);
      return null;
    });
  }

  /**
   * Records the request id; when it was seen before, returns the first outcome (same content) or
   * refuses (other content), else null.
   */
  private static String remember(Session session, UUID requestId, String orgId, char op, long amount, String outcome)
      throws SQLException {
    session.remember.setObject(1, requestId);
    session.remember.setString(2, orgId);
    session.remember.setString(3, String.valueOf(op));
    session.remember.setLong(4, amount);
    session.remember.setString(5, outcome);
    if (session.remember.executeUpdate() == 1) return null;
    session.recall.setObject(1, requestId);
    try (ResultSet seen = session.recall.executeQuery()) {
      seen.next();
      if (seen.getString(1).charAt(0) != op || seen.getLong(2) != amount) {
        throw new Failed("IDEMPOTENCY_MISMATCH", requestId.toString(), null);
      }
      return seen.getString(3);
    }
  }

  private interface Work<T> {
    T run(Session session) throws SQLException;
  }

  private <T> CompletableFuture<T> inTransaction(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    workers.execute(() -> {
      Session session = null;
      try {
        session = session();
        T value = work.run(session);
        session.connection.commit();
        result.complete(value);
      } catch (Failed refused) {
        rollback(session);
        result.completeExceptionally(refused);
      } catch (SQLException | RuntimeException e) {
        rollback(session);
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? "SQL_" + sql.getSQLState() : e.getClass().getSimpleName();
        result.completeExceptionally(new Failed(state, String.valueOf(e.getMessage()), e));
      }
    });
    return result;
  }

  private Session session() throws SQLException {
    Session session = sessions.get();
    if (session == null) {
      session = new Session(url);
      sessions.set(session);
      synchronized (opened) {
        opened.add(session);
      }
    }
    return session;
  }

  private static void rollback(Session session) {
    if (session == null) return;
    try {
      session.connection.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the next operation on it reports that
    }
  }

  @Override
  public void close() throws InterruptedException {
    workers.shutdown();
    workers.awaitTermination(30, TimeUnit.SECONDS);
    synchronized (opened) {
      for (Session session : opened) {
        try {
          session.connection.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
    }
  }
}
