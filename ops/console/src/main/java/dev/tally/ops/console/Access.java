package dev.tally.ops.console;

/**
 * What the signed-in key is, as its sign-in probe found: which parts of a page to offer. Only a
 * convenience for the page: every call goes out with the user's own key, and the node's
 * authorization (its {@code CallRules}) decides what the key may read and do.
 */
enum Access {
  /** An operator: every org, the operator view. */
  ADMIN,
  /** An AI service's key of one org: its balance, ledger, grants; redeems, transfers, files requests. */
  METERING,
  /** A dashboard key of one org: read only, also the org's name. */
  READER,
  /** The org's own administrator: what its metering and reader keys may, and the org's API keys. */
  OWNER;

  /** RedeemCode, TransferRewards and FileCreditRequest: metering, owner and admin keys. */
  boolean mayChangeCredits() {
    return this != READER;
  }

  /** GetOrg (display name, creation time): reader, owner and admin keys. */
  boolean mayReadOrg() {
    return this != METERING;
  }

  /** The org's API keys (list, make, revoke): admin and owner keys. */
  boolean mayManageKeys() {
    return this == ADMIN || this == OWNER;
  }

  /** Plans, grants, credit decisions, codes, webhook endpoints: admin keys only. */
  boolean isOperator() {
    return this == ADMIN;
  }

  /** Whether pages of {@code orgId} are this key's to see, when it is bound to {@code ownOrg}. */
  boolean mayOpen(String ownOrg, String orgId) {
    return this == ADMIN || ownOrg.equals(orgId);
  }

  String label() {
    return switch (this) {
      case ADMIN -> "operator (admin key)";
      case METERING -> "metering key";
      case READER -> "reader key";
      case OWNER -> "owner key";
    };
  }
}
