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
 * @param referrerOrgId the org that referred {@code orgId}, which earns a reward once the grant is
 *     issued; null for none (and in claims recorded before referrals)
 */
public record Claim(String orgId, String subject, GrantKind kind, long amount, Duration validity, String referrerOrgId)
    implements CborSerializable {

  /** A claim that rewards no referrer. */
  public Claim(String orgId, String subject, GrantKind kind, long amount, Duration validity) {
    this(orgId, subject, kind, amount, validity, null);
  }

  /**
   * Whether another use of the same reference asks for the same thing (a resend) rather than
   * something else (a reuse). The validity is the node's configuration, not the caller's request;
   * the referrer is the org's, never the caller's, and a use recorded before referrals had none.
   */
  public boolean sameAs(Claim other) {
    return orgId.equals(other.orgId) && subject.equals(other.subject) && kind == other.kind && amount == other.amount;
  }

  /** When the credits of a claim first used at {@code usedAt} expire; null = never. */
  Instant expiresAt(Instant usedAt) {
    return validity == null ? null : usedAt.plus(validity);
  }
}
