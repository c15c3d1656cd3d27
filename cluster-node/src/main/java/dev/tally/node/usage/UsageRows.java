package dev.tally.node.usage;

import dev.tally.node.ManyAsks;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The usage rows of one slice's orgs, brought forward by its {@link SliceRows}: per org and UTC day
 * a partition of rows, one per hour and {@link UsageKey}, each with its {@link UsageCounts} and the
 * org sequence number it counts up to.
 *
 * <p>Exact however often a range of events is applied: what a range adds to a row is added only
 * when the row counts up to less than the range's first event, skipped when it counts up to its
 * last already, and a row that counts up to a point inside the range (an earlier attempt with other
 * bounds, cut short) makes the caller apply the range's events one by one ({@link #add} answers
 * false). Each row carries its own sequence number, so rows are written in any grouping.
 *
 * <p>Bounded: an org's day holds at most {@link #MOST_ROWS_A_DAY} rows; the calls of a new
 * combination of labels beyond that count in the hour's {@link UsageKey#other()} row. At most
 * {@link #ROWS_KEPT} rows are kept in memory between rounds; others are read from their table.
 */
final class UsageRows {

  static final int MOST_ROWS_A_DAY = 5_000;
  static final int ROWS_KEPT = 50_000;

  /** One stored row. */
  record Row(UsageKey key, UsageCounts counts, long appliedSeqNr) {}

  /** An org's day as stored: its rows by key. */
  record Day(Map<UsageKey, Row> rows) {
    static final Day EMPTY = new Day(Map.of());
  }

  /** What events {@code from}..{@code to} of an org add to one row. */
  record Counted(long from, long to, UsageLine line) {}

  /** Rows of one org's day to be written, and the day as it was before them. */
  record Written(String orgId, LocalDate day, Day was, List<Row> rows) {}

  /** Where the rows are kept. */
  interface Store {
    CompletionStage<Day> day(String orgId, LocalDate day);

    /** Writes the rows of {@code days} (each whole, with its sequence number), of one org or of many. */
    CompletionStage<Done> write(List<Written> days);
  }

  /**
   * What applying lines to an org's rows writes; empty when a row holds part of a range (the caller
   * then applies the range's events one by one).
   */
  record Planned(List<Written> days) {}

  private record DayOf(String orgId, LocalDate day) {}

  private final Store store;
  private final Map<DayOf, Day> kept = new LinkedHashMap<>(256, 0.75f, true);
  private int rowsKept;

  UsageRows(Store store) {
    this.store = store;
  }

  /** Every line of {@code counted} applied to the org's rows and written; false when a row holds part of a range. */
  CompletionStage<Boolean> add(String orgId, List<Counted> lines) {
    return plan(orgId, lines).thenCompose(planned -> planned
        .map(days -> save(List.of(days)).thenApply(done -> true))
        .orElseGet(() -> CompletableFuture.completedFuture(false)));
  }

  /**
   * The rows of the org that {@code counted} changes, as they will be once written ({@link #save});
   * empty when a row holds part of a range.
   */
  CompletionStage<Optional<Planned>> plan(String orgId, List<Counted> lines) {
    Map<LocalDate, List<Counted>> byDay = new TreeMap<>();
    for (Counted one : lines) byDay.computeIfAbsent(one.line().key().day(), day -> new ArrayList<>()).add(one);
    List<LocalDate> days = new ArrayList<>(byDay.keySet());
    return ManyAsks.each(days, day -> dayOf(orgId, day)).thenApply(read -> {
      List<Written> changed = new ArrayList<>();
      for (int d = 0; d < days.size(); d++) {
        LocalDate day = days.get(d);
        Day was = read.get(d);
        Map<UsageKey, Row> rows = new HashMap<>();
        int rowsOfDay = was.rows().size();
        for (Counted one : byDay.get(day)) {
          UsageKey key = one.line().key();
          if (!was.rows().containsKey(key) && !rows.containsKey(key) && rowsOfDay >= MOST_ROWS_A_DAY) key = key.other();
          Row stored = was.rows().get(key);
          long counted = stored == null ? 0 : stored.appliedSeqNr();
          if (counted >= one.to()) continue;
          if (counted >= one.from()) return Optional.<Planned>empty();
          Row current = rows.containsKey(key) ? rows.get(key) : stored;
          if (current == null) rowsOfDay++;
          UsageCounts sums = current == null ? one.line().counts() : current.counts().plus(one.line().counts());
          rows.put(key, new Row(key, sums, Math.max(current == null ? 0 : current.appliedSeqNr(), one.to())));
        }
        if (!rows.isEmpty()) changed.add(new Written(orgId, day, was, List.copyOf(rows.values())));
      }
      return Optional.of(new Planned(changed));
    });
  }

  /** The rows {@code planned} (of one org each, of any orgs), written together. */
  CompletionStage<Done> save(List<Planned> planned) {
    List<Written> days = planned.stream().flatMap(each -> each.days().stream()).toList();
    if (days.isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
    return store.write(days).whenComplete((done, failure) -> {
      synchronized (kept) {
        for (Written written : days) {
          DayOf at = new DayOf(written.orgId(), written.day());
          forget(at);
          if (failure == null) {
            Map<UsageKey, Row> after = new HashMap<>(written.was().rows());
            written.rows().forEach(row -> after.put(row.key(), row));
            keep(at, new Day(after));
          }
        }
      }
    });
  }

  private CompletionStage<Day> dayOf(String orgId, LocalDate day) {
    DayOf at = new DayOf(orgId, day);
    synchronized (kept) {
      Day known = kept.get(at);
      if (known != null) return CompletableFuture.completedFuture(known);
    }
    return store.day(orgId, day).thenApply(read -> {
      synchronized (kept) {
        forget(at);
        keep(at, read);
      }
      return read;
    });
  }

  private void keep(DayOf at, Day day) {
    kept.put(at, day);
    rowsKept += day.rows().size();
    var eldest = kept.entrySet().iterator();
    while (rowsKept > ROWS_KEPT && eldest.hasNext()) {
      Map.Entry<DayOf, Day> gone = eldest.next();
      if (gone.getKey().equals(at)) continue;
      rowsKept -= gone.getValue().rows().size();
      eldest.remove();
    }
  }

  private void forget(DayOf at) {
    Day gone = kept.remove(at);
    if (gone != null) rowsKept -= gone.rows().size();
  }
}
