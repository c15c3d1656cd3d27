package dev.tally.node.usage;

import dev.tally.node.ManyAsks;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One org's usage over a range of hours, summed from its usage rows into buckets (hour, day, month
 * in a zone, or the whole range) and groups (any of model, call type, project, user, API key).
 */
public final class UsageReports {

  /** The most rows one report sums into: a query beyond it must narrow its range or grouping. */
  public static final int MOST_ROWS = 50_000;

  public enum Bucket { HOUR, DAY, MONTH, WHOLE_RANGE }

  public enum Dimension { MODEL, CALL_TYPE, PROJECT, USER, API_KEY }

  /** {@code from} and {@code to} are whole hours, {@code from} first; {@code zone} a whole number of hours off UTC throughout. */
  public record Query(String orgId, Instant from, Instant to, Bucket bucket, ZoneId zone, Set<Dimension> groupBy) {}

  /**
   * The report: its rows in order (each a {@link UsageLine} whose key's hour is the bucket's start
   * and whose fields not grouped by are ""), the totals over the range, and the org's directory row,
   * which says how far the read side has counted.
   */
  public record Report(List<UsageLine> rows, UsageCounts totals, DirectoryRow counted) {}

  /** A query whose range and grouping give more than {@link #MOST_ROWS} rows. */
  public static final class TooManyRows extends RuntimeException {
    TooManyRows() {
      super("more than " + MOST_ROWS + " rows", null, false, false);
    }
  }

  private static final Comparator<UsageKey> ORDER = Comparator.comparing(UsageKey::hour)
      .thenComparing(UsageKey::model).thenComparing(UsageKey::callType).thenComparing(UsageKey::project)
      .thenComparing(UsageKey::user).thenComparing(UsageKey::apiKeyId);

  private final UsageRows.Store rows;
  private final SliceRows.Rows directory;

  public UsageReports(UsageTable rows, OrgDirectory directory) {
    this((UsageRows.Store) rows, directory);
  }

  UsageReports(UsageRows.Store rows, SliceRows.Rows directory) {
    this.rows = rows;
    this.directory = directory;
  }

  /** Whether {@code zone} was a whole number of hours off UTC at every instant of {@code from}..{@code to}. */
  public static boolean wholeHoursOff(ZoneId zone, Instant from, Instant to) {
    ZoneRules rules = zone.getRules();
    if (rules.getOffset(from).getTotalSeconds() % 3600 != 0) return false;
    for (ZoneOffsetTransition next = rules.nextTransition(from); next != null && next.getInstant().isBefore(to);
        next = rules.nextTransition(next.getInstant())) {
      if (next.getOffsetAfter().getTotalSeconds() % 3600 != 0) return false;
    }
    return true;
  }

  /** The report of {@code query}; fails with {@link TooManyRows} when it would hold more rows than that. */
  public CompletionStage<Report> report(Query query) {
    List<LocalDate> days = new ArrayList<>();
    LocalDate last = LocalDate.ofInstant(query.to().minusNanos(1), ZoneOffset.UTC);
    for (LocalDate day = LocalDate.ofInstant(query.from(), ZoneOffset.UTC); !day.isAfter(last); day = day.plusDays(1)) {
      days.add(day);
    }
    return ManyAsks.each(days, day -> rows.day(query.orgId(), day))
        .thenCombine(directory.row(query.orgId()), (read, counted) -> {
          Map<UsageKey, UsageCounts> sums = new HashMap<>();
          UsageCounts totals = UsageCounts.ZERO;
          for (UsageRows.Day day : read) {
            for (UsageRows.Row row : day.rows().values()) {
              Instant hour = row.key().hour();
              if (hour.isBefore(query.from()) || !hour.isBefore(query.to())) continue;
              totals = totals.plus(row.counts());
              sums.merge(groupOf(query, row.key()), row.counts(), UsageCounts::plus);
              if (sums.size() > MOST_ROWS) throw new CompletionException(new TooManyRows());
            }
          }
          List<UsageLine> lines = sums.entrySet().stream().sorted(Map.Entry.comparingByKey(ORDER))
              .map(row -> new UsageLine(row.getKey(), row.getValue())).toList();
          return new Report(lines, totals, counted);
        });
  }

  /** The row of the report a usage row counts in: its bucket's start, and the fields grouped by. */
  private static UsageKey groupOf(Query query, UsageKey key) {
    Set<Dimension> by = query.groupBy();
    return new UsageKey(bucketOf(query, key.hour()),
        by.contains(Dimension.MODEL) ? key.model() : "",
        by.contains(Dimension.CALL_TYPE) ? key.callType() : "",
        by.contains(Dimension.PROJECT) ? key.project() : "",
        by.contains(Dimension.USER) ? key.user() : "",
        by.contains(Dimension.API_KEY) ? key.apiKeyId() : "");
  }

  private static Instant bucketOf(Query query, Instant hour) {
    return switch (query.bucket()) {
      case HOUR -> hour;
      case DAY -> hour.atZone(query.zone()).toLocalDate().atStartOfDay(query.zone()).toInstant();
      case MONTH -> hour.atZone(query.zone()).toLocalDate().withDayOfMonth(1).atStartOfDay(query.zone()).toInstant();
      case WHOLE_RANGE -> query.from();
    };
  }

  /** The longest range of a query by {@code bucket}. */
  public static Duration longest(Bucket bucket) {
    return bucket == Bucket.HOUR ? Duration.ofDays(31) : Duration.ofDays(366);
  }
}
