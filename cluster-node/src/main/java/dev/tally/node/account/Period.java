package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.terms.Usage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A billing period (a calendar month in UTC) and the usage charged in it so far: totals by model
 * and call type, and which alerts it has raised (each fires once per period).
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
    List<String> alertsRaised)
    implements CborSerializable {

  /** The month that contains {@code instant}, with nothing used yet. */
  public static Period monthOf(Instant instant, long allocation) {
    ZonedDateTime start = instant.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
    return new Period(start.toInstant(), start.plusMonths(1).toInstant(), allocation, 0, 0, Map.of(), Map.of(), Map.of(),
        List.of());
  }

  /** {@code months} period ends after this one's end. */
  public Instant endPlusMonths(int months) {
    return end.atZone(ZoneOffset.UTC).plusMonths(months).toInstant();
  }

  public Period following(long allocation) {
    return monthOf(end, allocation);
  }

  Period charging(long amount, Usage usage, Labels labels) {
    String model = usage != null && !usage.model().isEmpty() ? usage.model() : labels.model();
    String callType = usage != null && !usage.callType().isEmpty() ? usage.callType() : labels.callType();
    long tokens = usage != null ? usage.tokens() : 0;
    return new Period(start, end, allocation, charged + amount, calls + 1, plus(chargedByModel, model, amount),
        plus(chargedByCallType, callType, amount), tokens > 0 ? plus(tokensByModel, model, tokens) : tokensByModel,
        alertsRaised);
  }

  boolean raised(String alert) {
    return alertsRaised.contains(alert);
  }

  Period raising(String alert) {
    List<String> raised = new ArrayList<>(alertsRaised);
    raised.add(alert);
    return new Period(start, end, allocation, charged, calls, chargedByModel, chargedByCallType, tokensByModel,
        List.copyOf(raised));
  }

  private static Map<String, Long> plus(Map<String, Long> totals, String key, long amount) {
    Map<String, Long> added = new HashMap<>(totals);
    added.merge(key, amount, Long::sum);
    return Map.copyOf(added);
  }
}
