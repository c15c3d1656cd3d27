package dev.tally.node.auth;

import java.util.Locale;

/** What a key may do; which calls each role may make is {@link CallRules}. */
public enum Role {
  /** An AI service of one org: metering calls, its balance, its ledger and alerts. */
  METERING,
  /** A dashboard of one org: read-only. */
  READER,
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
