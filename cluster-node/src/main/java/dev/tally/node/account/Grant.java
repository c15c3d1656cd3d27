package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/**
 * A block of credits given to an org. {@code expiresAt} is null for credits that never expire;
 * {@code sequence} counts grants in the order they were given, so "oldest" is well defined;
 * {@code requestId} is the request that gave it (null in grants stored before it was kept), so that
 * its answer can show what a debt settled at once left of it. {@code expiryNoticed}: its org was told
 * it expires soon (false in grants stored before it was kept).
 */
public record Grant(
    String grantId,
    GrantKind kind,
    long amount,
    long remaining,
    int priority,
    Instant effectiveAt,
    Instant expiresAt,
    long sequence,
    String requestId,
    boolean expiryNoticed)
    implements CborSerializable {

  public Grant(
      String grantId, GrantKind kind, long amount, long remaining, int priority, Instant effectiveAt, Instant expiresAt,
      long sequence, String requestId) {
    this(grantId, kind, amount, remaining, priority, effectiveAt, expiresAt, sequence, requestId, false);
  }

  public Grant less(long drawn) {
    return new Grant(grantId, kind, amount, remaining - drawn, priority, effectiveAt, expiresAt, sequence, requestId,
        expiryNoticed);
  }

  Grant noticed() {
    return new Grant(grantId, kind, amount, remaining, priority, effectiveAt, expiresAt, sequence, requestId, true);
  }
}
