package dev.tally.node.api;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Where Accounts makes and revokes API keys; the keys themselves are the {@code auth} package's. */
public interface ApiKeyRegistry {

  /** The roles a key may have, as the API names them. */
  List<String> ROLES = List.of("metering", "reader", "admin");

  /** A new key: {@code key} is shown to the caller once and kept nowhere. */
  record Issued(String key, String hint, String keyId) {}

  /** Makes and stores a key; {@code orgId} null for admin keys, {@code label} and {@code expiresAt} optional. */
  CompletionStage<Issued> create(String role, String orgId, String label, Instant expiresAt);

  /** Revokes the key with this id; false when there is none. */
  CompletionStage<Boolean> revoke(String keyId);
}
