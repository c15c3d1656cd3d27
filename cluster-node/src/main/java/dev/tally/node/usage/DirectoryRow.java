package dev.tally.node.usage;

import dev.tally.node.account.OrgEvent;
import java.time.Instant;
import java.util.List;

/**
 * One org as the directory lists it: what its events say up to {@code appliedSeqNr}. The money sums
 * are µcr over all its events; {@link #balance()} is what its grants hold less its debt, the
 * available credits before holds (GetBalance gives those, exact now).
 *
 * @param debt what the org owes: debt its commits incurred less what settlements paid off
 * @param statement the statement of the org's current period, counting every event the row counts
 *     (null before its first period); once closed, also in the statements table
 * @param previousPeriod the org's period before the current one and what it used (null before its
 *     second period)
 * @param appliedSeqNr the last event applied; 0 before the first
 */
public record DirectoryRow(
    String orgId,
    String displayName,
    String plan,
    Instant createdAt,
    long granted,
    long used,
    long expired,
    long voided,
    Instant lastEventAt,
    long debt,
    StatementRow statement,
    PeriodUsed previousPeriod,
    long appliedSeqNr) {

  /** What an org used in the period that starts at {@code start}. */
  public record PeriodUsed(Instant start, long used) {}

  /** An org the directory has seen no event of. */
  public static DirectoryRow unknown(String orgId) {
    return new DirectoryRow(orgId, "", "", null, 0, 0, 0, 0, null, 0, null, null, 0);
  }

  /** The start of the org's current period; null before its first. */
  public Instant periodStart() {
    return statement == null ? null : statement.periodStart();
  }

  /** When the org's current period ends; null before its first. */
  public Instant periodEnd() {
    return statement == null ? null : statement.periodEnd();
  }

  /** What the org used (commits and charges) in its current period. */
  public long periodUsed() {
    return statement == null ? 0 : statement.used();
  }

  /**
   * What the org used in the period that starts at {@code start}: its current period's or its
   * previous one's usage; 0 for any other (a period of its before those, or one it has not reached).
   */
  public long usedIn(Instant start) {
    if (start.equals(periodStart())) return periodUsed();
    if (previousPeriod != null && start.equals(previousPeriod.start())) return previousPeriod.used();
    return 0;
  }

  /** granted − used − expired − voided: negative when the org owes. */
  public long balance() {
    return Math.subtractExact(Math.subtractExact(Math.subtractExact(granted, used), expired), voided);
  }

  /**
   * The row after the org's event {@code seqNr}; this row unchanged when the event is applied
   * already. Events must come in order: the caller fills any gap from the journal first.
   */
  public DirectoryRow after(long seqNr, OrgEvent event) {
    if (seqNr <= appliedSeqNr) return this;
    if (event instanceof OrgEvent.PeriodOpened e) {
      PeriodUsed ended = statement == null ? null : new PeriodUsed(statement.periodStart(), statement.used());
      return new DirectoryRow(orgId, displayName, plan, createdAt, granted, used, expired, voided, e.at(), debt,
          StatementRow.opened(this, e, seqNr), ended, seqNr);
    }
    if (event instanceof OrgEvent.PeriodClosed e) {
      return new DirectoryRow(orgId, displayName, plan, createdAt, granted, used, expired, voided, e.at(), debt,
          statement == null ? null : statement.closed(e.at(), debt, seqNr), previousPeriod, seqNr);
    }
    return plus(OrgDelta.of(seqNr, List.of(event)));
  }

  /** Whether the org's period has ended by {@code now} and is not known to have closed. */
  public boolean periodOverBy(Instant now) {
    return periodEnd() != null && !periodEnd().isAfter(now);
  }

  /** Whether {@code delta} is what this row needs next: complete, and starting just after it. */
  public boolean continuedBy(OrgDelta delta) {
    return delta.complete() && delta.from() == appliedSeqNr + 1;
  }

  /** The row after {@code delta}, which must continue it ({@link #continuedBy}). */
  public DirectoryRow plus(OrgDelta delta) {
    if (!continuedBy(delta)) {
      throw new IllegalStateException("org " + orgId + ": events " + delta.from() + ".." + delta.to() + " after "
          + appliedSeqNr + (delta.complete() ? "" : " (only known to exist)"));
    }
    long owed = Math.subtractExact(Math.addExact(debt, delta.debtIncurred()), delta.debtSettled());
    return new DirectoryRow(orgId,
        delta.displayName() != null ? delta.displayName() : displayName,
        delta.plan() != null ? delta.plan() : plan,
        delta.createdAt() != null ? delta.createdAt() : createdAt,
        Math.addExact(granted, delta.granted()), Math.addExact(used, delta.used()),
        Math.addExact(expired, delta.expired()), Math.addExact(voided, delta.voided()),
        delta.lastEventAt(), owed, statement == null ? null : statement.plus(delta, owed), previousPeriod, delta.to());
  }
}
