package dev.tally.node.usage;

import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Period;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An org's statement of one period, as its events up to {@code appliedSeqNr} make it: the balance at
 * the period's opening, what the period granted (by grant kind), used (in all, by model and by call
 * type), expired and voided, the org's debt after its last event, and when it closed (null while
 * open). Its closing balance is the opening one plus what came in less what went out.
 *
 * <p>By model and by call type at most {@link Period#MAX_KEYS} apart, the rest under {@link
 * Period#OTHER}; those sums stop at {@link Long#MAX_VALUE} as the period's totals do.
 */
public record StatementRow(
    String orgId,
    Instant periodStart,
    Instant periodEnd,
    long openingBalance,
    Map<String, Long> grantedByKind,
    long used,
    Map<String, Long> usedByModel,
    Map<String, Long> usedByCallType,
    long expired,
    long voided,
    long debt,
    Instant closedAt,
    long appliedSeqNr) {

  /** The statement a {@link OrgEvent.PeriodOpened} (event {@code seqNr}) starts, from the org's row before it. */
  static StatementRow opened(DirectoryRow before, OrgEvent.PeriodOpened event, long seqNr) {
    return new StatementRow(before.orgId(), event.start(), event.end(), before.balance(), Map.of(), 0, Map.of(),
        Map.of(), 0, 0, before.debt(), null, seqNr);
  }

  public long granted() {
    return grantedByKind.values().stream().reduce(0L, Math::addExact);
  }

  /** opening + granted − used − expired − voided: the org's balance at the close (while open: now). */
  public long closingBalance() {
    return Math.subtractExact(
        Math.subtractExact(Math.subtractExact(Math.addExact(openingBalance, granted()), used), expired), voided);
  }

  public boolean closed() {
    return closedAt != null;
  }

  /** This statement after the org's event {@code seqNr}, which left the org's row as {@code after}; unchanged for an event it counts already. */
  StatementRow after(long seqNr, OrgEvent event, DirectoryRow after) {
    if (seqNr <= appliedSeqNr) return this;
    if (event instanceof OrgEvent.PeriodClosed e) {
      return new StatementRow(orgId, periodStart, periodEnd, openingBalance, grantedByKind, used, usedByModel,
          usedByCallType, expired, voided, after.debt(), e.at(), seqNr);
    }
    return plus(OrgDelta.of(seqNr, List.of(event)), after);
  }

  /**
   * This statement after {@code delta} (no period's bounds in it), which left the org's row as {@code after};
   * this very statement when the delta changes none of its sums (it need not be written again).
   */
  StatementRow plus(OrgDelta delta, DirectoryRow after) {
    Map<String, Long> byKind = new HashMap<>(grantedByKind);
    delta.grantedByKind().forEach((kind, amount) -> byKind.merge(kind, amount, Math::addExact));
    Map<String, Long> byModel = usedByModel;
    Map<String, Long> byCallType = usedByCallType;
    for (UsageLine line : delta.usage()) {
      if (line.counts().charged() == 0) continue;
      byModel = plus(byModel, line.key().model(), line.counts().charged());
      byCallType = plus(byCallType, line.key().callType(), line.counts().charged());
    }
    StatementRow next = new StatementRow(orgId, periodStart, periodEnd, openingBalance, Map.copyOf(byKind),
        Math.addExact(used, delta.used()), byModel, byCallType, Math.addExact(expired, delta.expired()),
        Math.addExact(voided, delta.voided()), after.debt(), closedAt, delta.to());
    return next.counting(appliedSeqNr).equals(this) ? this : next;
  }

  /**
   * This statement as of the org's directory row: an open statement of the row's period counts every
   * event the row counts, since the events after its own number changed none of its sums (a statement
   * is written only when a sum changes, not for each reserve or release; the row never counts past it).
   */
  public StatementRow asOf(DirectoryRow row) {
    boolean counted = closedAt == null && periodStart.equals(row.periodStart()) && row.appliedSeqNr() > appliedSeqNr;
    return counted ? counting(row.appliedSeqNr()) : this;
  }

  private StatementRow counting(long seqNr) {
    return new StatementRow(orgId, periodStart, periodEnd, openingBalance, grantedByKind, used, usedByModel,
        usedByCallType, expired, voided, debt, closedAt, seqNr);
  }

  private static Map<String, Long> plus(Map<String, Long> totals, String key, long amount) {
    String kept = totals.containsKey(key) || totals.size() < Period.MAX_KEYS ? key : Period.OTHER;
    Map<String, Long> added = new HashMap<>(totals);
    added.merge(kept, amount, (a, b) -> a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b);
    return Map.copyOf(added);
  }
}
