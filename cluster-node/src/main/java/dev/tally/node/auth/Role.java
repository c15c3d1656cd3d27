package dev.tally.node.auth;

import java.util.Locale;

/** What a key may do; which calls each role may make is {@link CallRules}. */
public enum Role {
  /** An AI service of one org: metering calls, its balance, its ledger and alerts. */
  METERING,
  /** A dashboard of one org: read-only. */
  READER,
  /**
   * The org's own administrator (a person, or the platform's console acting for the org): everything its
   * metering and reader keys may do, and its org's API keys (list, make metering, reader and owner keys,
   * rotate and revoke them). Never another org's, never an admin key.
   */
  OWNER,
  /** The operator: every call, any org. */
  ADMIN;

  /** The name stored in the key table and used in the API: lowercase. */
  public String storedName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role fromStoredName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
