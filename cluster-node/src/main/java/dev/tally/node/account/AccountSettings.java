package dev.tally.node.account;

import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Terms;
import java.time.Duration;

/**
 * The operator settings an org's account runs with.
 *
 * @param retention how long and how many request ids (and resolved reservations) each org remembers
 * @param snapshotEveryEvents a snapshot is written after this many events, so recovery replays at most that many
 * @param snapshotsKept older snapshots are deleted; events never are
 * @param terms the plan catalog and price book
 * @param expiryNotice how long before a grant with credits left expires the org is told (GrantExpiringSoon)
 */
public record AccountSettings(
    Retention retention, int snapshotEveryEvents, int snapshotsKept, Terms terms, Duration expiryNotice) {

  /** The default notice before a grant expires: a week. */
  public static final Duration EXPIRY_NOTICE = Duration.ofDays(7);

  public AccountSettings(Retention retention, int snapshotEveryEvents, int snapshotsKept, Terms terms) {
    this(retention, snapshotEveryEvents, snapshotsKept, terms, EXPIRY_NOTICE);
  }

  /** These settings with each org remembering at most {@code maxEntries} request ids (and resolutions). */
  public AccountSettings remembering(int maxEntries) {
    if (maxEntries == retention.maxEntries()) return this;
    return new AccountSettings(
        new Retention(retention.window(), maxEntries), snapshotEveryEvents, snapshotsKept, terms, expiryNotice);
  }
}
