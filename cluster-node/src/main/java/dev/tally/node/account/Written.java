package dev.tally.node.account;

import java.util.List;

/**
 * Told after each write of an org's events, by the org's account: the org, the events just
 * written, in order, and the sequence number of the last of them. What the read side hears, so that
 * it seldom reads a journal. Called on the account's thread: it must only take note.
 */
@FunctionalInterface
public interface Written {

  /** For accounts whose writes nobody reads on (tests of the account alone). */
  Written NOBODY = (orgId, events, lastSeqNr) -> {};

  void written(String orgId, List<OrgEvent> events, long lastSeqNr);
}
