package dev.tally.node.account;

import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Terms;

/**
 * The operator settings an org's account runs with.
 *
 * @param retention how long and how many request ids (and resolved reservations) each org remembers
 * @param snapshotEveryEvents a snapshot is written after this many events, so recovery replays at most that many
 * @param snapshotsKept older snapshots are deleted; events never are
 * @param terms the plan catalog and price book
 */
public record AccountSettings(Retention retention, int snapshotEveryEvents, int snapshotsKept, Terms terms) {}
