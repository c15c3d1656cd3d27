package dev.tally.node.account;

/** Where a grant's credits come from; sets the default draw priority (lowest is drawn first). */
public enum GrantKind {
  TRIAL(0),
  PROMOTION(10),
  REFERRAL(10),
  SUBSCRIPTION(20),
  REDEMPTION(30),
  PURCHASE(40),
  ADJUSTMENT(50);

  private final int defaultPriority;

  GrantKind(int defaultPriority) {
    this.defaultPriority = defaultPriority;
  }

  public int defaultPriority() {
    return defaultPriority;
  }
}
