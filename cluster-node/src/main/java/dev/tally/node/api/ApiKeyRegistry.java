package dev.tally.node.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Where Accounts makes, lists, rotates and revokes API keys; the keys themselves are the {@code auth}
 * package's. Refusals (API_KEY_NOT_FOUND, API_KEY_REVOKED, IDEMPOTENCY_MISMATCH) come as failed stages
 * holding the status {@link TallyErrors} built.
 */
public interface ApiKeyRegistry {

  /** The roles a key may have, as the API names them. */
  List<String> ROLES = List.of("metering", "reader", "owner", "admin");

  /** How the API names a key: {@code key_} and 24 hex digits, random, unrelated to the key. */
  Pattern KEY_ID = Pattern.compile("key_[0-9a-f]{24}");

  /** How long a rotated key keeps working when the request names no grace period, and the longest allowed. */
  Duration DEFAULT_GRACE = Duration.ofHours(24);
  Duration MAX_GRACE = Duration.ofDays(7);

  /**
   * A key made by {@link #create} or {@link #rotate}: {@code key} is shown to the caller once and
   * kept nowhere; a retry of the request that made it gets it {@code replayed}, with an empty key.
   */
  record Issued(String key, String hint, String keyId, boolean replayed) {}

  /** A rotation: the new key, and when the old one stops working. */
  record Rotated(Issued newKey, Instant oldKeyRevokedAt) {}

  /** What a listing shows of a key: never the key nor its hash. {@code orgId} null for admin keys. */
  record Listed(String keyId, String hint, String role, String orgId, String label, Instant createdAt,
      Instant expiresAt, Instant revokedAt) {}

  /** One page of a listing; {@code after} of the next page, null when there is none. */
  record Page(List<Listed> keys, Long after) {}

  /** Makes and stores a key once per {@code requestId}; {@code orgId} null for admin keys, {@code label} and {@code expiresAt} optional. */
  CompletionStage<Issued> create(String requestId, String role, String orgId, String label, Instant expiresAt);

  /**
   * Revokes the key with this id from now on; false when there is none, or when {@code ownOrg} (the org
   * an owner key calling is bound to; null for an admin key) is not the key's org.
   */
  CompletionStage<Boolean> revoke(String keyId, String ownOrg);

  /**
   * Replaces a key, once per {@code requestId}: a new one like it, the old one revoked after {@code gracePeriod}.
   * API_KEY_NOT_FOUND as for {@link #revoke} when {@code ownOrg} is not the key's org.
   */
  CompletionStage<Rotated> rotate(String requestId, String keyId, Duration gracePeriod, String ownOrg);

  /**
   * Up to {@code pageSize} keys of {@code orgId} (null: of all orgs and admin keys), from where the
   * page token {@code after} says (null: from the start).
   */
  CompletionStage<Page> list(String orgId, int pageSize, Long after);
}
