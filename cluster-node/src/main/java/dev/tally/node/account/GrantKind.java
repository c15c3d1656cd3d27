package dev.tally.node.account;

/**
 * Where a grant's credits come from. Only TRIAL changes how a grant is drawn (trial credits go
 * first, rule 3); the other kinds are drawn by expiry and age alike.
 */
public enum GrantKind {
  TRIAL,
  PROMOTION,
  REFERRAL,
  SUBSCRIPTION,
  REDEMPTION,
  PURCHASE,
  ADJUSTMENT
}
