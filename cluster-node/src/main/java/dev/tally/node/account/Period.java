package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.OrgEvent.AlertKind;
import dev.tally.node.account.OrgEvent.AllocationRaised;
import dev.tally.node.account.OrgEvent.AlertRaised;
import dev.tally.node.account.OrgEvent.PeriodClosed;
import dev.tally.node.account.OrgEvent.PeriodOpened;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.Usage;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A billing period (a calendar month in UTC) and the usage charged in it so far: totals by model
 * and call type, and which alerts it has raised (each fires once per period). It decides what
 * opening, closing and crossing a threshold write (rules 8 and 9). {@code credited} is what the
 * period could spend without an allocation: the available balance it began with (at least 0) plus
 * every credit granted in it; 0 in periods stored before it was kept. {@code allocation} is what
 * the period was allocated: its opening allocation plus what upgrades added in it.
 * {@code monthlyAllocation} is the monthly allocation the period runs at, what an upgrade is
 * measured against: the plan's at the opening, raised by each upgrade; 0 in periods stored before
 * it was kept (see {@link #runsAt}).
 */
public record Period(
    Instant start,
    Instant end,
    long allocation,
    long charged,
    long calls,
    Map<String, Long> chargedByModel,
    Map<String, Long> chargedByCallType,
    Map<String, Long> tokensByModel,
    List<String> alertsRaised,
    long credited,
    long monthlyAllocation)
    implements CborSerializable {

  /** The most models (and, apart, call types) a period totals one by one. */
  public static final int MAX_KEYS = 100;
  /** Where the usage of models or call types beyond {@link #MAX_KEYS} is totalled. */
  public static final String OTHER = "(other)";

  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM").withZone(ZoneOffset.UTC);

  /** The month that contains {@code instant}, with nothing used yet. */
  public static Period monthOf(Instant instant, long allocation) {
    ZonedDateTime start = instant.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
    return new Period(start.toInstant(), start.plusMonths(1).toInstant(), allocation, 0, 0, Map.of(), Map.of(), Map.of(),
        List.of(), 0, allocation);
  }

  /** {@code months} period ends after this one's end. */
  public Instant endPlusMonths(int months) {
    return end.atZone(ZoneOffset.UTC).plusMonths(months).toInstant();
  }

  public Period following(long allocation) {
    return monthOf(end, allocation);
  }

  /** The period a {@link PeriodOpened} began with {@code available} credits, with nothing used yet. */
  static Period opened(PeriodOpened event, long available) {
    return new Period(event.start(), event.end(), event.allocation(), 0, 0, Map.of(), Map.of(), Map.of(), List.of(),
        Math.max(0, available), event.allocation());
  }

  /** With credits granted in this period. */
  Period crediting(long amount) {
    return new Period(start, end, allocation, charged, calls, chargedByModel, chargedByCallType, tokensByModel,
        alertsRaised, saturated(credited, amount), monthlyAllocation);
  }

  /**
   * What usage alerts count against: the allocation, or for a period without one (an org living on
   * trial or bought credits) what it could spend, {@code credited}.
   */
  public long alertBase() {
    return allocation > 0 ? allocation : credited;
  }

  /**
   * Whether the period's usage reached {@code percent} % of its alert base: what a usage alert
   * signals, and what lets an org ask for more credits (a credit request). Never with no base.
   */
  public boolean usageReached(int percent) {
    long base = alertBase();
    return base > 0 && reached(charged, base, percent);
  }

  /**
   * Rule 8: this period begins with the plan's allocation as a SUBSCRIPTION grant, and rollover is
   * that grant's expiry: 0 months, gone at this period's end; n months, n period-ends later.
   */
  List<OrgEvent> opening(Plan plan, Instant at) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new PeriodOpened(start, end, allocation, at));
    if (allocation > 0) {
      events.add(Grants.issued("allocation-" + MONTH.format(start), GrantKind.SUBSCRIPTION, allocation, start,
          endPlusMonths(plan.rolloverMonths())));
    }
    return events;
  }

  /**
   * Rule 8: at its end this period closes with its totals, {@code atTheEnd} happens (a plan change
   * that waited for it), and the next period opens under {@code next}, the terms in force then.
   */
  List<OrgEvent> rollover(List<OrgEvent> atTheEnd, Plan next) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new PeriodClosed(this, end));
    events.addAll(atTheEnd);
    events.addAll(following(next.monthlyAllocation()).opening(next, end));
    return events;
  }

  /**
   * The monthly allocation this period runs at. A period stored before it was kept had its opening
   * allocation and no upgrade; since then it is never below what the period was allocated.
   */
  public long runsAt() {
    return Math.max(monthlyAllocation, allocation);
  }

  /**
   * An upgrade at {@code now} to terms whose monthly allocation is above what this period runs at:
   * the difference, prorated by the time left in the period, is granted at once as a SUBSCRIPTION
   * grant that expires like the new terms' allocations (their rollover). What the period was
   * allocated already stays as it was. Nothing for terms whose allocation is not above it, so a
   * second change to the same allocation, or back up after a lowering, grants nothing more.
   */
  List<OrgEvent> upgradedTo(Plan upgraded, Instant now) {
    if (upgraded.monthlyAllocation() <= runsAt()) return List.of();
    long topUp = prorated(upgraded.monthlyAllocation() - runsAt(), now);
    List<OrgEvent> events = new ArrayList<>();
    events.add(new AllocationRaised(start, upgraded.monthlyAllocation(), topUp, now));
    if (topUp > 0) {
      String grantId = "allocation-" + MONTH.format(start) + "-to-" + upgraded.monthlyAllocation();
      events.add(Grants.issued(grantId, GrantKind.SUBSCRIPTION, topUp, now, endPlusMonths(upgraded.rolloverMonths())));
    }
    return events;
  }

  /**
   * {@code monthly} for the part of this period left at {@code at}: monthly × (end − at) / (end −
   * start), in nanoseconds, rounded down to a whole µcr; exact, as the product passes a long.
   */
  long prorated(long monthly, Instant at) {
    BigInteger left = BigInteger.valueOf(Duration.between(at, end).toNanos());
    BigInteger length = BigInteger.valueOf(Duration.between(start, end).toNanos());
    return BigInteger.valueOf(monthly).multiply(left).divide(length).longValueExact();
  }

  /** With an upgrade's allocation: what it granted is allocated to the period, which runs at the new rate. */
  Period raised(AllocationRaised event) {
    return new Period(start, end, Math.addExact(allocation, event.granted()), charged, calls, chargedByModel,
        chargedByCallType, tokensByModel, alertsRaised, credited, event.monthlyAllocation());
  }

  /**
   * Rule 9: the thresholds of the alert base and the low-balance floor each fire once per period,
   * the moment a charge crosses them; {@code written} are the events of the operation just decided.
   */
  List<OrgEvent> alertsDue(List<OrgEvent> written, Plan inForce, long available, Instant now) {
    if (written.stream().noneMatch(Period::charges)) return List.of();
    List<OrgEvent> alerts = new ArrayList<>();
    for (int percent : inForce.alertThresholdsPercent().stream().sorted().toList()) {
      AlertRaised alert = new AlertRaised(AlertKind.USAGE_THRESHOLD, percent, start, charged, available, now);
      if (!raised(alert) && usageReached(percent)) alerts.add(alert);
    }
    AlertRaised low = new AlertRaised(AlertKind.LOW_BALANCE, 0, start, charged, available, now);
    if (inForce.lowBalanceFloor() > 0 && available < inForce.lowBalanceFloor() && !raised(low)) alerts.add(low);
    return alerts;
  }

  /**
   * {@code charged} ≥ {@code percent} % of {@code base}, exactly: both products may pass a long, so
   * each is compared whole, as 128 bits (its high half signed, then its low half unsigned).
   */
  static boolean reached(long charged, long base, int percent) {
    long high = Math.multiplyHigh(charged, 100);
    long highOfPart = Math.multiplyHigh(base, percent);
    if (high != highOfPart) return high > highOfPart;
    return Long.compareUnsigned(charged * 100, base * percent) >= 0;
  }

  private static boolean charges(OrgEvent event) {
    return event instanceof OrgEvent.ReservationCommitted || event instanceof OrgEvent.CreditsCharged;
  }

  Period charging(long amount, Usage usage, Labels labels) {
    Labels reported = labels.reportedWith(usage);
    String model = reported.model();
    String callType = reported.callType();
    long tokens = usage != null ? usage.tokens() : 0;
    return new Period(start, end, allocation, saturated(charged, amount), calls + 1, plus(chargedByModel, model, amount),
        plus(chargedByCallType, callType, amount), tokens > 0 ? plus(tokensByModel, model, tokens) : tokensByModel,
        alertsRaised, credited, monthlyAllocation);
  }

  Period raising(AlertRaised alert) {
    List<String> raised = new ArrayList<>(alertsRaised);
    raised.add(key(alert));
    return new Period(start, end, allocation, charged, calls, chargedByModel, chargedByCallType, tokensByModel,
        List.copyOf(raised), credited, monthlyAllocation);
  }

  private boolean raised(AlertRaised alert) {
    return alertsRaised.contains(key(alert));
  }

  /** How a raised alert is kept in {@code alertsRaised}: snapshots store these strings. */
  private static String key(AlertRaised alert) {
    return switch (alert.kind()) {
      case USAGE_THRESHOLD -> "usage-" + alert.thresholdPercent();
      case LOW_BALANCE -> "low-balance";
      default -> throw new IllegalArgumentException("not an alert a period raises once: " + alert.kind());
    };
  }

  /**
   * Adds to one model's or call type's total. A period totals at most {@link #MAX_KEYS} of them apart
   * and the rest under {@link #OTHER}, so neither its size nor the cost of a charge grows with the free
   * text clients send as labels.
   */
  private static Map<String, Long> plus(Map<String, Long> totals, String key, long amount) {
    String kept = totals.containsKey(key) || totals.size() < MAX_KEYS ? key : OTHER;
    Map<String, Long> added = new HashMap<>(totals);
    added.merge(kept, amount, Period::saturated);
    return Map.copyOf(added);
  }

  /**
   * A period total plus a charge, stopping at Long.MAX_VALUE: a period's totals report usage (the
   * ledger keeps every charge exactly), and an org that is granted and spends credits again and
   * again could in principle pass what a long holds in one period.
   */
  static long saturated(long total, long amount) {
    return total > Long.MAX_VALUE - amount ? Long.MAX_VALUE : total + amount;
  }
}
