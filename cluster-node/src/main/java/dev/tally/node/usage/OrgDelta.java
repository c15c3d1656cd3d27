package dev.tally.node.usage;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.OrgEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an org's events {@code from}..{@code to} (its sequence numbers, inclusive) change in its
 * directory row (the one place that says how an event counts there) and in its usage rows
 * ({@link UsageCounts#of}). Told by the node that wrote them, so the reader of the org's slice
 * brings the rows forward without reading the org's journal; summed while they wait to be told, as
 * long as they follow one another. A delta holds at most {@link #MOST_USAGE_LINES} usage rows' lines;
 * events that touch more, and those that close or open a period (a statement's bounds, once a
 * month), are told as a range only, and read from the journal.
 *
 * <p>A delta that is not {@code complete} knows only that the events up to {@code to} exist (two
 * notices that do not follow one another, say from two nodes the org moved between): the reader
 * reads them from the journal.
 *
 * @param displayName the name the org was created with, null when no event of the range created it
 * @param plan the plan the range ends on, null when no event of it set one
 * @param firstEventAt when the range's first event happened: how stale the row was until the delta
 * @param lastEventAt when the range's last event happened
 * @param usage what the range adds to each usage row it touches, one line a row
 * @param grantedByKind what {@code granted} holds of each grant kind
 * @param debtIncurred debt the range's commits added
 * @param debtSettled debt the range's settlements paid off
 */
public record OrgDelta(
    long from,
    long to,
    String displayName,
    String plan,
    Instant createdAt,
    long granted,
    long used,
    long expired,
    long voided,
    Instant firstEventAt,
    Instant lastEventAt,
    List<UsageLine> usage,
    Map<String, Long> grantedByKind,
    long debtIncurred,
    long debtSettled,
    boolean complete) implements CborSerializable {

  /** The most usage rows one delta adds to: a notice stays small whatever labels callers send. */
  static final int MOST_USAGE_LINES = 1_000;

  /** The change of {@code events}, the org's events from sequence number {@code from} on, in order. */
  public static OrgDelta of(long from, List<OrgEvent> events) {
    if (events.isEmpty()) throw new IllegalArgumentException("a delta of no events");
    String name = null;
    String onPlan = null;
    Instant created = null;
    long in = 0;
    long out = 0;
    long gone = 0;
    long cancelled = 0;
    Map<UsageKey, UsageCounts> usage = new LinkedHashMap<>();
    Map<String, Long> byKind = new LinkedHashMap<>();
    long incurred = 0;
    long settled = 0;
    boolean periodBound = false;
    for (OrgEvent event : events) {
      UsageCounts.of(event).ifPresent(line -> usage.merge(line.key(), line.counts(), UsageCounts::plus));
      if (event instanceof OrgEvent.OrgCreated e) {
        name = e.displayName();
        onPlan = e.plan();
        created = e.at();
      } else if (event instanceof OrgEvent.PlanChanged e) {
        onPlan = e.plan();
      } else if (event instanceof OrgEvent.CreditsGranted e) {
        in = Math.addExact(in, e.amount());
        byKind.merge(e.kind().name(), e.amount(), Math::addExact);
      } else if (event instanceof OrgEvent.ReservationCommitted e) {
        out = Math.addExact(out, e.charged());
        incurred = Math.addExact(incurred, e.debtIncurred());
      } else if (event instanceof OrgEvent.DebtSettled e) {
        settled = Math.addExact(settled, e.settled());
      } else if (event instanceof OrgEvent.PeriodOpened || event instanceof OrgEvent.PeriodClosed) {
        periodBound = true;
      } else if (event instanceof OrgEvent.CreditsCharged e) {
        out = Math.addExact(out, e.charged());
      } else if (event instanceof OrgEvent.GrantExpired e) {
        gone = Math.addExact(gone, e.expired());
      } else if (event instanceof OrgEvent.GrantVoided e) {
        cancelled = Math.addExact(cancelled, e.voided());
      }
    }
    long to = Math.addExact(from, events.size() - 1);
    if (usage.size() > MOST_USAGE_LINES || periodBound) return journalThrough(to);
    return new OrgDelta(from, to, name, onPlan, created, in, out, gone, cancelled,
        events.get(0).at(), events.get(events.size() - 1).at(), lines(usage), Map.copyOf(byKind), incurred, settled,
        true);
  }

  /** Only that the org's journal reaches {@code to}: its events are read from there. */
  public static OrgDelta journalThrough(long to) {
    return new OrgDelta(to, to, null, null, null, 0, 0, 0, 0, null, null, List.of(), Map.of(), 0, 0, false);
  }

  /**
   * This and {@code other}, heard in either order: summed when one follows the other, the one that
   * covers the other when it does, else only how far the journal reaches.
   */
  public OrgDelta merge(OrgDelta other) {
    OrgDelta first = from <= other.from ? this : other;
    OrgDelta second = first == this ? other : this;
    if (first.complete && second.complete && second.from == first.to + 1) return first.then(second);
    if (first.complete && second.to <= first.to) return first;
    return journalThrough(Math.max(to, other.to));
  }

  /** {@code next}, which follows this, added to it. */
  private OrgDelta then(OrgDelta next) {
    Map<UsageKey, UsageCounts> both = new LinkedHashMap<>();
    for (UsageLine line : usage) both.put(line.key(), line.counts());
    for (UsageLine line : next.usage) both.merge(line.key(), line.counts(), UsageCounts::plus);
    if (both.size() > MOST_USAGE_LINES) return journalThrough(next.to);
    Map<String, Long> byKind = new LinkedHashMap<>(grantedByKind);
    next.grantedByKind.forEach((kind, amount) -> byKind.merge(kind, amount, Math::addExact));
    return new OrgDelta(from, next.to,
        next.displayName != null ? next.displayName : displayName,
        next.plan != null ? next.plan : plan,
        next.createdAt != null ? next.createdAt : createdAt,
        Math.addExact(granted, next.granted), Math.addExact(used, next.used),
        Math.addExact(expired, next.expired), Math.addExact(voided, next.voided),
        firstEventAt, next.lastEventAt, lines(both), Map.copyOf(byKind), Math.addExact(debtIncurred, next.debtIncurred),
        Math.addExact(debtSettled, next.debtSettled), true);
  }

  private static List<UsageLine> lines(Map<UsageKey, UsageCounts> usage) {
    return usage.entrySet().stream().map(row -> new UsageLine(row.getKey(), row.getValue())).toList();
  }
}
