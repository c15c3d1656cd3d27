package dev.tally.node.auth;

import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Duration;
import java.time.Instant;
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
 * The tables {@code tally.api_keys} (ops/cql V2, V3) and {@code tally.api_key_requests} (V3), read and
 * written through the journal's Cassandra session. A key's row is found by its SHA-256 (the hot path)
 * or by its key id (the API's name for it).
 */
public final class KeyTable {

  private static final String COLUMNS = "key_id, role, org_id, label, hint, created_at, expires_at, revoked_at";
  private static final String SELECT =
      "SELECT " + COLUMNS + " FROM tally.api_keys WHERE key_sha256 = ?";
  private static final String SELECT_BY_KEY_ID =
      "SELECT key_sha256, " + COLUMNS + " FROM tally.api_keys WHERE key_id = ?";
  private static final String INSERT = "INSERT INTO tally.api_keys"
      + " (key_sha256, key_id, role, org_id, label, hint, created_at, expires_at, revoked_at)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, null) IF NOT EXISTS";
  private static final String REVOKE = "UPDATE tally.api_keys SET revoked_at = ? WHERE key_sha256 = ?";
  private static final String LIST = "SELECT token(key_sha256) AS position, " + COLUMNS + " FROM tally.api_keys"
      + " WHERE token(key_sha256) > ? LIMIT ?";
  private static final String LIST_ORG = "SELECT token(key_sha256) AS position, " + COLUMNS + " FROM tally.api_keys"
      + " WHERE org_id = ? AND token(key_sha256) > ? LIMIT ?";
  private static final String SELECT_REQUEST =
      "SELECT fingerprint, key_id, key_sha256, hint, old_key_revoked_at FROM tally.api_key_requests WHERE request_id = ?";
  private static final String CLAIM_REQUEST = "INSERT INTO tally.api_key_requests"
      + " (request_id, fingerprint, key_id, key_sha256, hint, old_key_revoked_at) VALUES (?, ?, ?, ?, ?, ?)"
      + " IF NOT EXISTS USING TTL ?";

  /** A key's row: its hash (null where the caller has it already), its id, and what it may do. */
  public record KeyRow(String sha256, String keyId, StoredKey key, String label, Instant createdAt) {}

  /** What a request id made: the fingerprint of its fields, the key (id, hash, hint) and for a rotation when the old key stops. */
  public record Request(String fingerprint, String keyId, String keySha256, String hint, Instant oldKeyRevokedAt) {}

  /** A page of keys, each with its position; {@code more} when there may be keys after the last. */
  public record Page(List<Positioned> rows, boolean more) {}

  /** A key's row with its position in a listing (the Murmur3 token of its hash). */
  public record Positioned(long position, KeyRow row) {}

  private final CassandraSession session;

  public KeyTable(ActorSystem system) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
  }

  /** The key whose SHA-256 (hex) is {@code sha256}; empty when there is none. */
  public CompletionStage<Optional<StoredKey>> find(String sha256) {
    return session.selectOne(SELECT, sha256).thenApply(row -> row.map(r -> stored(r)));
  }

  /** The key the API names {@code keyId}; empty when there is none. */
  public CompletionStage<Optional<KeyRow>> findById(String keyId) {
    return session.selectOne(SELECT_BY_KEY_ID, keyId)
        .thenApply(found -> found.map(r -> row(r.getString("key_sha256"), r)));
  }

  /** Stores a new key by its hash, unless a row for that hash exists (then it is left as it is). */
  public CompletionStage<Done> insert(String sha256, StoredKey key, String label, Instant createdAt) {
    return session.selectOne(INSERT, sha256, key.keyId(), key.role().storedName(), key.orgId(), label, key.hint(), createdAt,
        key.expiresAt()).thenApply(applied -> Done.getInstance());
  }

  /**
   * Marks the key revoked from {@code at} on; a key that is revoked by then already stays as it is,
   * one revoked later (a rotation's grace) is revoked from {@code at}. False when there is no such key.
   */
  public CompletionStage<Boolean> revoke(String sha256, Instant at) {
    return find(sha256).thenCompose(found -> {
      if (found.isEmpty()) return CompletableFuture.completedFuture(false);
      Instant revokedAt = found.get().revokedAt();
      if (revokedAt != null && !revokedAt.isAfter(at)) return CompletableFuture.completedFuture(true);
      return session.executeWrite(REVOKE, at, sha256).thenApply(done -> true);
    });
  }

  /** Up to {@code limit} keys after {@code position} in token order, of one org or (null) of all. */
  public CompletionStage<Page> list(String orgId, long position, int limit) {
    CompletionStage<List<Row>> rows = orgId == null
        ? session.selectAll(LIST, position, limit + 1)
        : session.selectAll(LIST_ORG, orgId, position, limit + 1);
    return rows.thenApply(found -> new Page(
        found.stream().limit(limit).map(r -> new Positioned(r.getLong("position"), row(null, r))).toList(),
        found.size() > limit));
  }

  /** What {@code requestId} made, if it is remembered. */
  public CompletionStage<Optional<Request>> request(String requestId) {
    return session.selectOne(SELECT_REQUEST, requestId).thenApply(found -> found.map(KeyTable::request));
  }

  /**
   * Remembers {@code request} under {@code requestId} for {@code window}, unless the id is taken
   * (a lightweight transaction): empty when this call took it, else what the id was taken for.
   */
  public CompletionStage<Optional<Request>> claim(String requestId, Request request, Duration window) {
    return session.selectOne(CLAIM_REQUEST, requestId, request.fingerprint(), request.keyId(), request.keySha256(),
            request.hint(), request.oldKeyRevokedAt(), (int) window.toSeconds())
        .thenApply(answer -> answer.filter(r -> !r.getBoolean("[applied]")).map(KeyTable::request));
  }

  private static Request request(Row row) {
    return new Request(row.getString("fingerprint"), row.getString("key_id"), row.getString("key_sha256"),
        row.getString("hint"), row.getInstant("old_key_revoked_at"));
  }

  private static KeyRow row(String sha256, Row row) {
    return new KeyRow(sha256, row.getString("key_id"), stored(row), row.getString("label"), row.getInstant("created_at"));
  }

  private static StoredKey stored(Row row) {
    return new StoredKey(
        row.getString("key_id"),
        Role.fromStoredName(row.getString("role")),
        row.getString("org_id"),
        row.getString("hint"),
        row.getInstant("expires_at"),
        row.getInstant("revoked_at"));
  }
}
