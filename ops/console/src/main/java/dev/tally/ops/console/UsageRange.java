package dev.tally.ops.console;

import com.google.protobuf.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The days a usage page or download covers, {@code from} to {@code to} inclusive, in UTC: whole days
 * are whole hours, as GetUsage wants. At most {@link #MAX_DAYS}, GetUsage's own bound for days.
 */
record UsageRange(LocalDate from, LocalDate to) {

  /** GetUsage takes at most 366 days by day. */
  static final int MAX_DAYS = 366;

  UsageRange {
    if (to.isBefore(from)) throw new WebRequest.BadRequest("the range ends (" + to + ") before it starts (" + from + ")");
    if (days(from, to) > MAX_DAYS) throw new WebRequest.BadRequest("a range is at most " + MAX_DAYS + " days");
  }

  /**
   * The range a page asked for ({@code yyyy-mm-dd} each, "" for the default): by default from
   * {@code periodStart} to {@code today}, or to {@code periodStart} when that is later.
   */
  static UsageRange parse(String from, String to, LocalDate periodStart, LocalDate today) {
    LocalDate start = from.isBlank() ? periodStart : date("from", from);
    LocalDate end = to.isBlank() ? (today.isBefore(start) ? start : today) : date("to", to);
    return new UsageRange(start, end);
  }

  private static LocalDate date(String field, String text) {
    try {
      return LocalDate.parse(text.strip());
    } catch (DateTimeParseException e) {
      throw new WebRequest.BadRequest(field + " is not a date like 2026-12-01");
    }
  }

  private static long days(LocalDate from, LocalDate to) {
    return ChronoUnit.DAYS.between(from, to) + 1;
  }

  /** Every day of the range, in order: the usage charts' categories. */
  List<LocalDate> days() {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) days.add(day);
    return days;
  }

  /** GetUsage's {@code from}: midnight UTC starting the first day. */
  Timestamp start() {
    return Timestamp.newBuilder().setSeconds(from.atStartOfDay(ZoneOffset.UTC).toEpochSecond()).build();
  }

  /** GetUsage's {@code to} (exclusive): midnight UTC after the last day. */
  Timestamp end() {
    return Timestamp.newBuilder().setSeconds(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond()).build();
  }
}
