package dev.tally.node.auth;

import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/** The table {@code tally.api_keys} (ops/cql/V2__api_keys.cql), read through the journal's Cassandra session. */
public final class KeyTable {

  private static final String SELECT =
      "SELECT role, org_id, hint, expires_at, revoked_at FROM tally.api_keys WHERE key_sha256 = ?";
  private static final String INSERT = "INSERT INTO tally.api_keys"
      + " (key_sha256, role, org_id, label, hint, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, null)";
  private static final String REVOKE = "UPDATE tally.api_keys SET revoked_at = ? WHERE key_sha256 = ?";

  private final CassandraSession session;

  public KeyTable(ActorSystem system) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
  }

  /** The key whose SHA-256 (hex) is {@code sha256}; empty when there is none. */
  public CompletionStage<Optional<StoredKey>> find(String sha256) {
    return session.selectOne(SELECT, sha256).thenApply(row -> row.map(KeyTable::stored));
  }

  /** Stores a new key by its hash. */
  public CompletionStage<Done> insert(String sha256, StoredKey key, String label, Instant createdAt) {
    return session.executeWrite(INSERT, sha256, key.role().storedName(), key.orgId(), label, key.hint(), createdAt,
        key.expiresAt());
  }

  /** Marks the key revoked from {@code at} on (a key revoked before stays revoked from then); false when there is none. */
  public CompletionStage<Boolean> revoke(String sha256, Instant at) {
    return find(sha256).thenCompose(found -> {
      if (found.isEmpty()) return CompletableFuture.completedFuture(false);
      if (found.get().revokedAt() != null) return CompletableFuture.completedFuture(true);
      return session.executeWrite(REVOKE, at, sha256).thenApply(done -> true);
    });
  }

  private static StoredKey stored(Row row) {
    return new StoredKey(
        Role.fromStoredName(row.getString("role")),
        row.getString("org_id"),
        row.getString("hint"),
        row.getInstant("expires_at"),
        row.getInstant("revoked_at"));
  }
}
