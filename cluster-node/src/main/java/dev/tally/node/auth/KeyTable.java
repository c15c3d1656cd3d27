package dev.tally.node.auth;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/** The table {@code tally.api_keys} (ops/cql/V2__api_keys.cql), read through the journal's Cassandra session. */
public final class KeyTable {

  private static final String SELECT =
      "SELECT role, org_id, hint, expires_at, revoked_at FROM tally.api_keys WHERE key_sha256 = ?";

  private final CassandraSession session;

  public KeyTable(ActorSystem system) {
    this.session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
  }

  /** The key whose SHA-256 (hex) is {@code sha256}; empty when there is none. */
  public CompletionStage<Optional<StoredKey>> find(String sha256) {
    return session.selectOne(SELECT, sha256).thenApply(row -> row.map(KeyTable::stored));
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
