package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import java.time.Instant;
import java.util.Comparator;

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

  /** Rule 3: lowest priority number first, then the soonest expiry (never-expiring last), then the oldest. */
  public static final Comparator<Grant> DRAW_ORDER =
      Comparator.comparingInt(Grant::priority)
          .thenComparing(Grant::expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))
          .thenComparingLong(Grant::sequence);

  public boolean inEffectAt(Instant now) {
    return !effectiveAt.isAfter(now) && !expiredAt(now);
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  public Grant less(long drawn) {
    return new Grant(grantId, kind, amount, remaining - drawn, priority, effectiveAt, expiresAt, sequence);
  }
}
