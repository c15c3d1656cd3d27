package dev.tally.node.account;

/**
 * Told after each write of an org's events, by the org's account: the org, and the sequence number
 * of its last event now in the journal. What the read side hears to know which journals to read.
 * Called on the account's thread: it must only take note.
 */
@FunctionalInterface
public interface Written {

  /** For accounts whose writes nobody reads on (tests of the account alone). */
  Written NOBODY = (orgId, lastSeqNr) -> {};

  void written(String orgId, long lastSeqNr);
}
