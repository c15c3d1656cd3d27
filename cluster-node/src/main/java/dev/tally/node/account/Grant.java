package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/**
 * A block of credits given to an org. {@code expiresAt} is null for credits that never expire;
 * {@code sequence} counts grants in the order they were given, so "oldest" is well defined.
 */
public record Grant(
    String grantId,
    GrantKind kind,
    long amount,
    long remaining,
    int priority,
    Instant effectiveAt,
    Instant expiresAt,
    long sequence)
    implements CborSerializable {

  public Grant less(long drawn) {
    return new Grant(grantId, kind, amount, remaining - drawn, priority, effectiveAt, expiresAt, sequence);
  }
}
