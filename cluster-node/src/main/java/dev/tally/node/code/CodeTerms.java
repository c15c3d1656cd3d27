package dev.tally.node.code;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/**
 * What every code of one batch gives: {@code credits} µcr per redemption, to at most
 * {@code maxRedemptions} different orgs, until {@code expiresAt} (null = never).
 */
public record CodeTerms(String batchId, String label, long credits, Instant expiresAt, int maxRedemptions)
    implements CborSerializable {

  /** The most redemptions one code may allow: bounds each code's list of redemptions. */
  public static final int MAX_REDEMPTIONS = 1000;

  boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
