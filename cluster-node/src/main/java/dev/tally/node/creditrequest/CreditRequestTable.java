package dev.tally.node.creditrequest;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tally.node.creditrequest.CreditRequest.PeriodUsage;
import dev.tally.node.creditrequest.CreditRequest.Status;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The operators' listing of every org's credit requests, {@code tally.credit_requests} (ops/cql V6):
 * one partition per status, oldest filed first, so the open ones are read first and in the order
 * they came. Each org's {@link CreditRequests} entity writes its requests' rows; a decided row
 * leaves the listing {@link #DECIDED_LISTED_FOR} after its decision (the org's own listing and its
 * journal keep it).
 */
public final class CreditRequestTable implements CreditRequests.Listing {

  /** How long a decided request stays in the operators' listing. */
  public static final Duration DECIDED_LISTED_FOR = Duration.ofDays(90);

  /** The order of the listing when no status is asked for: the open requests first. */
  static final List<Status> ORDER = List.of(Status.OPEN, Status.GRANTING, Status.APPROVED, Status.DENIED);

  private static final String COLUMNS =
      "status, filed_at, org_id, number, request_id, amount, reason, charged, base, decided_at, note";
  private static final String INSERT = "INSERT INTO tally.credit_requests (" + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?";
  private static final String DELETE =
      "DELETE FROM tally.credit_requests WHERE status = ? AND filed_at = ? AND org_id = ? AND number = ?";
  private static final String FIRST = "SELECT " + COLUMNS + " FROM tally.credit_requests WHERE status = ? LIMIT ?";
  private static final String AFTER = "SELECT " + COLUMNS + " FROM tally.credit_requests"
      + " WHERE status = ? AND (filed_at, org_id, number) > (?, ?, ?) LIMIT ?";

  /** A request as listed: with its org. */
  public record Listed(String orgId, CreditRequest request) {}

  /** A page of the listing; {@code next} is empty when nothing follows. */
  public record Page(List<Listed> requests, Optional<Position> next) {}

  /** Where a page ends: the last row's status and clustering key. */
  public record Position(Status status, Instant filedAt, String orgId, long number) {

    /** An opaque page token. */
    public String token() {
      String text = status + ":" + filedAt.toEpochMilli() + ":" + number + ":" + orgId;
      return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The position a token names; empty when it is not a token {@link #token()} made. */
    public static Optional<Position> of(String token) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", 4);
        if (parts.length != 4 || parts[3].isEmpty()) return Optional.empty();
        return Optional.of(new Position(Status.valueOf(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1])), parts[3],
            Long.parseLong(parts[2])));
      } catch (IllegalArgumentException notAToken) {
        return Optional.empty();
      }
    }
  }

  private final CassandraSession session;
  private final Clock clock;

  public CreditRequestTable(ActorSystem system, Clock clock) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    this.clock = clock;
  }

  /**
   * The request's row under its status, then its rows under the others removed: the request is never
   * missing from the listing, and at worst listed twice until the deletes are done.
   */
  @Override
  public CompletionStage<Done> write(String orgId, CreditRequest request) {
    CompletionStage<Done> written = CompletableFuture.completedFuture(Done.getInstance());
    int ttl = ttlSeconds(request);
    if (ttl >= 0) {
      PeriodUsage usage = request.usage();
      written = session.executeWrite(INSERT, request.status().name(), request.filedAt(), orgId, request.number(),
          request.requestId(), request.amount(), request.reason(), usage.charged(), usage.base(), request.decidedAt(),
          request.note(), ttl);
    }
    for (Status other : ORDER) {
      if (other == request.status() && ttl >= 0) continue;
      written = written.thenCompose(done ->
          session.executeWrite(DELETE, other.name(), request.filedAt(), orgId, request.number()));
    }
    return written;
  }

  /** 0 (no TTL) while open; for a decided request what is left of its time in the listing, -1 when none is. */
  private int ttlSeconds(CreditRequest request) {
    if (request.status().open()) return 0;
    long left = DECIDED_LISTED_FOR.minus(Duration.between(request.decidedAt(), clock.instant())).toSeconds();
    return left > 0 ? (int) Math.min(left, Integer.MAX_VALUE) : -1;
  }

  /**
   * Up to {@code limit} requests of {@code status} (null: every status, open first), oldest filed
   * first, from {@code after} (empty: the start).
   */
  public CompletionStage<Page> page(Status status, Optional<Position> after, int limit) {
    List<Status> statuses = status == null ? ORDER : List.of(status);
    int from = after.map(position -> statuses.indexOf(position.status())).orElse(0);
    if (from < 0) return CompletableFuture.completedFuture(new Page(List.of(), Optional.empty()));
    return read(statuses.subList(from, statuses.size()), after.orElse(null), limit, new ArrayList<>());
  }

  /** Reads on through {@code statuses} until one more row than {@code limit} is found or none are left. */
  private CompletionStage<Page> read(List<Status> statuses, Position after, int limit, List<Listed> found) {
    if (statuses.isEmpty()) return CompletableFuture.completedFuture(new Page(found, Optional.empty()));
    Status status = statuses.get(0);
    int wanted = limit + 1 - found.size();
    CompletionStage<List<Row>> rows = after != null && after.status() == status
        ? session.selectAll(AFTER, status.name(), after.filedAt(), after.orgId(), after.number(), wanted)
        : session.selectAll(FIRST, status.name(), wanted);
    return rows.thenCompose(read -> {
      for (Row row : read) found.add(listed(row));
      if (found.size() > limit) {
        List<Listed> page = List.copyOf(found.subList(0, limit));
        Listed last = page.get(limit - 1);
        return CompletableFuture.completedFuture(new Page(page, Optional.of(new Position(
            last.request().status(), last.request().filedAt(), last.orgId(), last.request().number()))));
      }
      return read(statuses.subList(1, statuses.size()), null, limit, found);
    });
  }

  private static Listed listed(Row row) {
    CreditRequest request = new CreditRequest(
        row.getLong("number"),
        row.getString("request_id"),
        row.getLong("amount"),
        row.getString("reason"),
        new PeriodUsage(row.getLong("charged"), row.getLong("base")),
        row.getInstant("filed_at"),
        Status.valueOf(row.getString("status")),
        row.getInstant("decided_at"),
        row.getString("note"));
    return new Listed(row.getString("org_id"), request);
  }
}
