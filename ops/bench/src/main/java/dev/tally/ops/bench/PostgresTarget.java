package dev.tally.ops.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The obvious alternative: balances in PostgreSQL, a reserve is a row-locked conditional UPDATE in a transaction, a
 * commit settles the hold in a transaction, and an idempotency table keyed by request id makes retries safe. Plain
 * JDBC, one transaction per operation, a small pool of connections each owned by one worker thread.
 *
 * <p>Statements run in the order that holds the balance row's lock for the shortest time: the idempotency and hold
 * rows are written first, the balance row is updated last, right before COMMIT, so the lock is held for one round
 * trip plus the commit's WAL flush. This is the baseline at its best.
 */
public final class PostgresTarget implements Target {

  static final String SCHEMA = """
      DROP TABLE IF EXISTS bench_requests, bench_holds, bench_balances;
      CREATE TABLE bench_balances (org text PRIMARY KEY, remaining bigint NOT NULL CHECK (remaining >= 0),
        held bigint NOT NULL DEFAULT 0);
      CREATE TABLE bench_holds (reservation_id uuid PRIMARY KEY, org text NOT NULL, amount bigint NOT NULL,
        state char(1) NOT NULL, expires_at timestamptz NOT NULL);
      CREATE TABLE bench_requests (request_id uuid PRIMARY KEY, org text NOT NULL, op char(1) NOT NULL,
        fingerprint bigint NOT NULL, outcome text, at timestamptz NOT NULL DEFAULT now());
      """;

  private record PgHold(String orgId, UUID reservationId, long amount) implements Hold {}

  /** One worker's connection and its prepared statements. */
  private record Session(Connection connection, PreparedStatement remember, PreparedStatement recall,
      PreparedStatement insertHold, PreparedStatement draw, PreparedStatement settleHold, PreparedStatement settleBalance) {

    static Session open(String url) throws SQLException {
      Connection c = DriverManager.getConnection(url);
      c.setAutoCommit(false);
      return new Session(c,
          c.prepareStatement("INSERT INTO bench_requests (request_id, org, op, fingerprint, outcome) VALUES (?, ?, ?, ?, ?) "
              + "ON CONFLICT (request_id) DO NOTHING"),
          c.prepareStatement("SELECT op, fingerprint, outcome FROM bench_requests WHERE request_id = ?"),
          c.prepareStatement("INSERT INTO bench_holds (reservation_id, org, amount, state, expires_at) "
              + "VALUES (?, ?, ?, 'O', now() + interval '5 minutes')"),
          c.prepareStatement("UPDATE bench_balances SET remaining = remaining - ?, held = held + ? WHERE org = ? AND remaining >= ?"),
          c.prepareStatement("UPDATE bench_holds SET state = 'C' WHERE reservation_id = ? AND state = 'O' RETURNING amount"),
          c.prepareStatement("UPDATE bench_balances SET held = held - ?, remaining = remaining + ? - ? WHERE org = ?"));
    }
  }

  private final String url;
  private final ThreadLocal<Session> sessions = new ThreadLocal<>();
  private final List<Session> opened = new CopyOnWriteArrayList<>();
  private final ExecutorService workers;

  /** @param poolSize connections (and worker threads); PostgreSQL's own advice is about 2 × cores */
  public PostgresTarget(String url, int poolSize) {
    this.url = url;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(poolSize, task -> {
      Thread thread = new Thread(task, "postgres-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public String name() {
    return "postgres";
  }

  /** Recreates the tables and inserts one funded balance row per org. */
  @Override
  public void prepare(List<String> orgIds, long microCreditsEach) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url); Statement ddl = connection.createStatement()) {
      ddl.execute(SCHEMA);
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement("INSERT INTO bench_balances (org, remaining) VALUES (?, ?)")) {
        for (int i = 0; i < orgIds.size(); i++) {
          set(insert, orgIds.get(i), microCreditsEach).addBatch();
          if (i % 1000 == 999) insert.executeBatch();
        }
        insert.executeBatch();
      }
      connection.commit();
      ddl.execute("ANALYZE bench_balances");
      // What earlier runs left dirty (the dropped tables' pages too) is written now, not during this run.
      ddl.execute("CHECKPOINT");
    }
  }

  @Override
  public CompletableFuture<Hold> reserve(String orgId, long microCredits) {
    UUID requestId = UUID.randomUUID();
    UUID reservationId = UUID.randomUUID();
    return inTransaction(session -> {
      String earlier = remember(session, requestId, orgId, 'R', microCredits, reservationId.toString());
      if (earlier != null) return new PgHold(orgId, UUID.fromString(earlier), microCredits);
      set(session.insertHold(), reservationId, orgId, microCredits).executeUpdate();
      // The balance row is locked from here to COMMIT.
      draw(session, orgId, microCredits, microCredits);
      return new PgHold(orgId, reservationId, microCredits);
    });
  }

  @Override
  public CompletableFuture<Void> commit(Hold hold, long actual) {
    PgHold pg = (PgHold) hold;
    UUID requestId = UUID.randomUUID();
    return inTransaction(session -> {
      if (remember(session, requestId, pg.orgId(), 'C', actual, pg.reservationId().toString()) != null) return null;
      long held;
      try (ResultSet settled = set(session.settleHold(), pg.reservationId()).executeQuery()) {
        if (!settled.next()) throw new Failed("RESERVATION_RESOLVED", pg.reservationId().toString(), null);
        held = settled.getLong(1);
      }
      // Above the hold the excess is drawn from the balance; the CHECK refuses to go below zero.
      set(session.settleBalance(), held, held, actual, pg.orgId()).executeUpdate();
      return null;
    });
  }

  @Override
  public CompletableFuture<Void> charge(String orgId, long microCredits) {
    UUID requestId = UUID.randomUUID();
    return inTransaction(session -> {
      if (remember(session, requestId, orgId, 'H', microCredits, "charged") == null) draw(session, orgId, microCredits, 0);
      return null;
    });
  }

  /** Takes {@code amount} from the balance, {@code held} of it into holds; refuses when the balance is short. */
  private static void draw(Session session, String orgId, long amount, long held) throws SQLException {
    if (set(session.draw(), amount, held, orgId, amount).executeUpdate() == 0) throw new Failed("CREDITS_EXHAUSTED", orgId, null);
  }

  /**
   * Records the request id; when it was seen before, returns the first outcome (same content) or refuses (other
   * content), else null.
   */
  private static String remember(Session session, UUID requestId, String orgId, char op, long amount, String outcome)
      throws SQLException {
    if (set(session.remember(), requestId, orgId, String.valueOf(op), amount, outcome).executeUpdate() == 1) return null;
    try (ResultSet seen = set(session.recall(), requestId).executeQuery()) {
      seen.next();
      if (seen.getString(1).charAt(0) != op || seen.getLong(2) != amount) {
        throw new Failed("IDEMPOTENCY_MISMATCH", requestId.toString(), null);
      }
      return seen.getString(3);
    }
  }

  /** Binds the parameters in order (the driver maps a Long to bigint, a String to varchar, a UUID to uuid). */
  private static PreparedStatement set(PreparedStatement statement, Object... parameters) throws SQLException {
    for (int i = 0; i < parameters.length; i++) statement.setObject(i + 1, parameters[i]);
    return statement;
  }

  private interface Work<T> {
    T run(Session session) throws SQLException;
  }

  private <T> CompletableFuture<T> inTransaction(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    workers.execute(() -> {
      Session session = sessions.get();
      try {
        if (session == null) {
          session = Session.open(url);
          sessions.set(session);
          opened.add(session);
        }
        T value = work.run(session);
        session.connection().commit();
        result.complete(value);
      } catch (SQLException | RuntimeException e) {
        rollback(session);
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? "SQL_" + sql.getSQLState() : e.getClass().getSimpleName();
        result.completeExceptionally(e instanceof Failed refused ? refused : new Failed(state, String.valueOf(e.getMessage()), e));
      }
    });
    return result;
  }

  private static void rollback(Session session) {
    try {
      if (session != null) session.connection().rollback();
    } catch (SQLException brokenConnection) {
      // the next operation on it reports that
    }
  }

  @Override
  public void close() throws InterruptedException {
    workers.shutdown();
    workers.awaitTermination(30, TimeUnit.SECONDS);
    for (Session session : opened) {
      try {
        session.connection().close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }
}
