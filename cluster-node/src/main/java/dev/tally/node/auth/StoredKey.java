package dev.tally.node.auth;

import java.time.Instant;

/**
 * One row of {@code tally.api_keys}, without its hash: what a key may do and until when.
 *
 * @param keyId what the API names the key by; null for keys made before V3
 */
public record StoredKey(String keyId, Role role, String orgId, String hint, Instant expiresAt, Instant revokedAt) {

  /** Whether the key may be used at {@code now}: not revoked and not expired. */
  boolean usableAt(Instant now) {
    return (revokedAt == null || now.isBefore(revokedAt)) && (expiresAt == null || now.isBefore(expiresAt));
  }
}
