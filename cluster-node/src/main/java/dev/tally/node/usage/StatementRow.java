package dev.tally.node.usage;

import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Period;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * An org's statement of one period, as its events up to {@code appliedSeqNr} make it: the balance at
 * the period's opening, what the period granted (by grant kind), used (in all, by model and by call
 * type), expired and voided, the org's debt after its last event, and when it closed (null while
 * open). Its closing balance is the opening one plus what came in less what went out.
 *
 * <p>The statement of the org's current period is part of its {@link DirectoryRow}, written with it
 * each round; the statements table gets a period's statement once it is over (its closing event and
 * those that follow it until the next period opens), so a round of calls writes no statement.
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

  /** This statement closed at {@code at} by the org's event {@code seqNr}, after which the org owes {@code debt}. */
  StatementRow closed(Instant at, long debt, long seqNr) {
    return new StatementRow(orgId, periodStart, periodEnd, openingBalance, grantedByKind, used, usedByModel,
        usedByCallType, expired, voided, debt, at, seqNr);
  }

  /** This statement after {@code delta} (no period's bounds in it), after which the org owes {@code debt}. */
  StatementRow plus(OrgDelta delta, long debt) {
    Map<String, Long> byKind = new HashMap<>(grantedByKind);
    delta.grantedByKind().forEach((kind, amount) -> byKind.merge(kind, amount, Math::addExact));
    Map<String, Long> byModel = usedByModel;
    Map<String, Long> byCallType = usedByCallType;
    for (UsageLine line : delta.usage()) {
      if (line.counts().charged() == 0) continue;
      byModel = plus(byModel, line.key().model(), line.counts().charged());
      byCallType = plus(byCallType, line.key().callType(), line.counts().charged());
    }
    return new StatementRow(orgId, periodStart, periodEnd, openingBalance, Map.copyOf(byKind),
        Math.addExact(used, delta.used()), byModel, byCallType, Math.addExact(expired, delta.expired()),
        Math.addExact(voided, delta.voided()), debt, closedAt, delta.to());
  }

  private static Map<String, Long> plus(Map<String, Long> totals, String key, long amount) {
    String kept = totals.containsKey(key) || totals.size() < Period.MAX_KEYS ? key : Period.OTHER;
    Map<String, Long> added = new HashMap<>(totals);
    added.merge(kept, amount, (a, b) -> a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b);
    return Map.copyOf(added);
  }
}
