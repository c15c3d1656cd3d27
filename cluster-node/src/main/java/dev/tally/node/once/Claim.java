package dev.tally.node.once;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.GrantKind;
import java.time.Duration;
import java.time.Instant;

/**
 * What the first use of a reference gives: {@code amount} µcr of {@code kind} to {@code orgId}, for
 * {@code subject} (what was bought or redeemed, e.g. a package name).
 *
 * @param validity how long the credits stay spendable after the reference's first use; null = never expire
 */
public record Claim(String orgId, String subject, GrantKind kind, long amount, Duration validity)
    implements CborSerializable {

  /**
   * Whether another use of the same reference asks for the same thing (a resend) rather than
   * something else (a reuse). The validity is the node's configuration, not the caller's request.
   */
  public boolean sameAs(Claim other) {
    return orgId.equals(other.orgId) && subject.equals(other.subject) && kind == other.kind && amount == other.amount;
  }

  /** When the credits of a claim first used at {@code usedAt} expire; null = never. */
  Instant expiresAt(Instant usedAt) {
    return validity == null ? null : usedAt.plus(validity);
  }
}
