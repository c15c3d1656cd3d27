package dev.tally.node.auth;

import dev.tally.node.api.ApiKeyRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** Accounts' CreateApiKey and RevokeApiKey: new keys go to {@link KeyTable} as their hash only. */
public final class KeyIssuer implements ApiKeyRegistry {

  private final KeyTable table;
  private final Authentication authentication;
  private final Clock clock;

  public KeyIssuer(KeyTable table, Authentication authentication, Clock clock) {
    this.table = table;
    this.authentication = authentication;
    this.clock = clock;
  }

  @Override
  public CompletionStage<Issued> create(String role, String orgId, String label, Instant expiresAt) {
    ApiKey key = ApiKey.generate();
    StoredKey stored = new StoredKey(Role.fromStoredName(role), orgId, key.hint(), expiresAt, null);
    return table.insert(key.sha256(), stored, label, clock.instant())
        .thenApply(done -> new Issued(key.secret(), key.hint(), key.sha256()));
  }

  @Override
  public CompletionStage<Boolean> revoke(String keyId) {
    // This node stops at once; the others when their cached copy is older than tally.auth.key-cache-ttl.
    return table.revoke(keyId, clock.instant()).whenComplete((revoked, failure) -> authentication.forget(keyId));
  }
}
