package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Labels;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgSlices;
import dev.tally.node.account.Period;
import dev.tally.node.terms.Usage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;

/**
 * A slice's rows (the directory's and the usage rows) against what its reader really hears: notices of writes that come late, twice,
 * out of order, overlapping, covering less than the row already has, only saying how far a journal
 * reaches, or never. Whatever it hears, once a reconciliation pass has run each row is what applying
 * its org's journal once gives, and hearing it all again changes nothing. Notices that follow one
 * another are applied without reading the journal.
 */
class SliceRowsTest {

  static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
  static final Duration PASS_EVERY = Duration.ofMinutes(10);
  /** Long after the journals' events (a journal spans at most a few days): every org is quiet. */
  static final Clock LATER = Clock.fixed(START.plus(Duration.ofDays(30)), ZoneOffset.UTC);

  /**
   * The tables and the journals, in memory: what the rows read and write, no more. With {@code
   * failing} set, a write may fail as a crash would: usage rows saved in part, a directory row not.
   */
  static final class Store implements SliceRows.Rows, OrgJournals, UsageRows.Store, SliceRows.Statements {
    final Map<String, List<OrgEvent>> journals = new ConcurrentHashMap<>();
    final Map<String, DirectoryRow> rows = new ConcurrentHashMap<>();
    final Map<String, Map<LocalDate, Map<UsageKey, UsageRows.Row>>> usage = new ConcurrentHashMap<>();
    final Map<String, Map<Instant, StatementRow>> statements = new ConcurrentHashMap<>();
    final AtomicInteger journalReads = new AtomicInteger();
    final AtomicInteger statementWrites = new AtomicInteger();
    final AtomicInteger usageWrites = new AtomicInteger();
    final List<String> woken = Collections.synchronizedList(new ArrayList<>());
    Random failing;

    @Override
    public CompletionStage<Optional<StatementRow>> statement(String orgId, Instant periodStart) {
      return CompletableFuture.completedFuture(
          Optional.ofNullable(statements.getOrDefault(orgId, Map.of()).get(periodStart)));
    }

    @Override
    public CompletionStage<Done> save(StatementRow row) {
      statementWrites.incrementAndGet();
      if (failing != null && failing.nextInt(8) == 0) return crashed();
      statements.computeIfAbsent(row.orgId(), org -> new ConcurrentHashMap<>()).put(row.periodStart(), row);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<UsageRows.Day> day(String orgId, LocalDate day) {
      return CompletableFuture.completedFuture(
          new UsageRows.Day(Map.copyOf(usage.getOrDefault(orgId, Map.of()).getOrDefault(day, Map.of()))));
    }

    @Override
    public CompletionStage<Done> write(List<UsageRows.Written> days) {
      usageWrites.incrementAndGet();
      boolean lost = false;
      for (UsageRows.Written day : days) {
        Map<UsageKey, UsageRows.Row> rowsOfDay = usage.computeIfAbsent(day.orgId(), org -> new ConcurrentHashMap<>())
            .computeIfAbsent(day.day(), d -> new ConcurrentHashMap<>());
        List<UsageRows.Row> written = day.rows();
        int saved = failing != null && failing.nextInt(4) == 0 ? failing.nextInt(written.size() + 1) : written.size();
        for (UsageRows.Row row : written.subList(0, saved)) rowsOfDay.put(row.key(), row);
        lost |= saved < written.size();
      }
      return lost ? crashed() : CompletableFuture.completedFuture(Done.getInstance());
    }

    /** Every stored usage row's sums, by key. */
    Map<UsageKey, UsageCounts> usageOf(String orgId) {
      Map<UsageKey, UsageCounts> sums = new HashMap<>();
      usage.getOrDefault(orgId, Map.of()).values().forEach(day -> day.forEach((key, row) -> sums.put(key, row.counts())));
      return sums;
    }

    @Override
    public CompletionStage<DirectoryRow> row(String orgId) {
      return CompletableFuture.completedFuture(rows.getOrDefault(orgId, DirectoryRow.unknown(orgId)));
    }

    @Override
    public CompletionStage<Done> save(List<DirectoryRow> written) {
      if (failing != null && failing.nextInt(8) == 0) return crashed();
      written.forEach(row -> rows.put(row.orgId(), row));
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    private static CompletionStage<Done> crashed() {
      return CompletableFuture.failedFuture(new IllegalStateException("the write was lost"));
    }

    @Override
    public CompletionStage<List<OrgJournals.Logged>> events(String orgId, long from, long to) {
      journalReads.incrementAndGet();
      List<OrgEvent> events = journals.getOrDefault(orgId, List.of());
      List<OrgJournals.Logged> read = new ArrayList<>();
      for (long seqNr = from; seqNr <= Math.min(to, events.size()); seqNr++) {
        read.add(new OrgJournals.Logged(seqNr, events.get((int) seqNr - 1)));
      }
      return CompletableFuture.completedFuture(read);
    }

    @Override
    public CompletionStage<List<String>> orgs(int slice, Instant since, Instant now) {
      return CompletableFuture.completedFuture(journals.keySet().stream().filter(org -> OrgSlices.sliceOf(org) == slice)
          .sorted().toList());
    }
  }

  /**
   * An org's journal: created, then grants, charges, commits, releases and expiries of holds (a few
   * models, projects and keys, over hours and days), expiries and voids of grants and plan changes.
   */
  static List<OrgEvent> journalOf(String orgId, Random random, int length) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new OrgEvent.OrgCreated("create-" + orgId, orgId, "Org " + orgId, "payg", START));
    Instant at = START;
    Instant periodEnd = START.plus(Duration.ofHours(12 + random.nextInt(24)));
    if (length > 1) events.add(new OrgEvent.PeriodOpened(START, periodEnd, 0, START));
    for (int i = events.size(); i < length; i++) {
      if (random.nextInt(12) == 0 && i + 1 < length) { // the period's end: closed, and the next one opened
        events.add(new OrgEvent.PeriodClosed(Period.monthOf(at, 0), at));
        Instant start = at;
        periodEnd = start.plus(Duration.ofHours(12 + random.nextInt(24)));
        events.add(new OrgEvent.PeriodOpened(start, periodEnd, 0, start));
        i++;
        continue;
      }
      at = at.plus(Duration.ofMinutes(random.nextInt(300)));
      long amount = 1 + random.nextInt(1_000_000);
      Labels labels = new Labels("model-" + random.nextInt(3), "project-" + random.nextInt(2), "", "");
      String key = "key_" + random.nextInt(2);
      Usage tokens = new Usage.Tokens("model-" + random.nextInt(2), random.nextInt(1000), random.nextInt(1000),
          random.nextInt(10), random.nextInt(10));
      events.add(switch (random.nextInt(10)) {
        case 0, 1 -> new OrgEvent.CreditsGranted("r" + i, "f", "g" + i, GrantKind.PROMOTION, amount, 10, at, null, at);
        case 2 -> new OrgEvent.CreditsCharged("r" + i, "f", amount, List.of(), null, null, null, null, at);
        case 3 -> new OrgEvent.CreditsCharged("r" + i, "f", amount, List.of(), labels, key, new Usage.Call("image"),
            null, at);
        case 4 -> new OrgEvent.ReservationCommitted("r" + i, "f", "rsv-" + i, amount, amount, List.of(),
            random.nextInt(3) == 0 ? amount / 2 : 0, labels, key, tokens, null, at);
        case 5 -> new OrgEvent.ReservationReleased("r" + i, "f", "rsv-" + i, amount, labels, key, at);
        case 6 -> new OrgEvent.ReservationExpired("rsv-" + i, amount, labels, key, at);
        case 7 -> random.nextBoolean() ? new OrgEvent.GrantExpired("g" + i, amount, at)
            : new OrgEvent.DebtSettled(amount / 3, List.of(), at);
        case 8 -> new OrgEvent.GrantVoided("r" + i, "f", "g" + i, amount, "test", at);
        default -> new OrgEvent.PlanChanged("r" + i, "f", random.nextBoolean() ? "flex" : "test", at);
      });
    }
    return events;
  }

  /**
   * The org's statements when every event of the journal counts once, each checked to reconcile:
   * opening + granted − used − expired − voided = closing, and a period opens with what the one
   * before it closed with.
   */
  static Map<Instant, StatementRow> statementsAppliedOnce(String orgId, List<OrgEvent> events) {
    Map<Instant, StatementRow> statements = new HashMap<>();
    DirectoryRow row = DirectoryRow.unknown(orgId);
    for (int i = 0; i < events.size(); i++) {
      DirectoryRow before = row;
      row = row.after(i + 1, events.get(i));
      if (events.get(i) instanceof OrgEvent.PeriodOpened && before.statement() != null) {
        assertEquals(before.statement().closingBalance(), before.balance(), "opens with the last closing");
      }
      if (row.statement() != null) statements.put(row.statement().periodStart(), row.statement());
    }
    if (row.statement() != null) assertEquals(row.balance(), row.statement().closingBalance(), "the last ends at the balance");
    return statements;
  }

  /** The org's statements as the API shows them: those of the statements table, and its directory row's. */
  static Map<Instant, StatementRow> shown(Store store, String orgId) {
    Map<Instant, StatementRow> shown = new HashMap<>(store.statements.getOrDefault(orgId, Map.of()));
    StatementRow current = store.rows.get(orgId).statement();
    if (current != null) shown.put(current.periodStart(), current);
    return shown;
  }

  /** The journal without its periods' bounds: every notice of it can be applied as told. */
  static List<OrgEvent> withoutPeriods(List<OrgEvent> journal) {
    return journal.stream()
        .filter(event -> !(event instanceof OrgEvent.PeriodOpened || event instanceof OrgEvent.PeriodClosed))
        .toList();
  }

  /** Each usage row's sums when every event of the journal counts once. */
  static Map<UsageKey, UsageCounts> usageAppliedOnce(List<OrgEvent> events) {
    Map<UsageKey, UsageCounts> sums = new HashMap<>();
    for (OrgEvent event : events) {
      UsageCounts.of(event).ifPresent(line -> sums.merge(line.key(), line.counts(), UsageCounts::plus));
    }
    return sums;
  }

  static DirectoryRow appliedOnce(String orgId, List<OrgEvent> events) {
    DirectoryRow row = DirectoryRow.unknown(orgId);
    for (int i = 0; i < events.size(); i++) row = row.after(i + 1, events.get(i));
    return row;
  }

  static SliceRows rowsOf(Store store, int slice) {
    return new SliceRows(slice, new SliceRows.Tables(store, store, store), store, LATER, PASS_EVERY, lag -> {},
        store.woken::add);
  }

  static void await(CompletionStage<Done> done) throws Exception {
    done.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Ticks until the pass has checked every org of the slice. */
  static void reconcileAPass(SliceRows rows, int orgs) throws Exception {
    for (int tick = 0; tick <= orgs / SliceRows.ORGS_PER_TICK + 1; tick++) await(rows.reconcileSome());
  }

  @Property(tries = 200)
  void whateverIsHeardEveryRowEndsAsItsJournalAppliedOnce(
      @ForAll @IntRange(min = 1, max = 12) int orgs, @ForAll @IntRange(min = 1, max = 30) int longest,
      @ForAll @IntRange(min = 0, max = 100) int lostPercent, @ForAll boolean crashing, @ForAll long seed)
      throws Exception {
    Random random = new Random(seed);
    Store store = new Store();
    store.failing = crashing ? new Random(seed + 1) : null;
    int slice = 0;
    List<String> ids = new ArrayList<>();
    for (int o = 0; ids.size() < orgs; o++) {
      String orgId = "org-" + o;
      if (OrgSlices.sliceOf(orgId) == slice) ids.add(orgId);
    }
    for (String orgId : ids) store.journals.put(orgId, journalOf(orgId, random, 1 + random.nextInt(longest)));
    SliceRows rows = rowsOf(store, slice);

    // Notices in random rounds: some lost, any range of the journal (stale, repeated, overlapping), or merged
    for (int round = 0; round < 20; round++) {
      Map<String, OrgDelta> heard = new HashMap<>();
      for (String orgId : ids) {
        if (random.nextInt(100) < lostPercent) continue;
        List<OrgEvent> journal = store.journals.get(orgId);
        OrgDelta notice = switch (random.nextInt(4)) {
          case 0 -> OrgDelta.journalThrough(1L + random.nextInt(journal.size()));
          case 1 -> someOf(journal, random).merge(someOf(journal, random));
          default -> someOf(journal, random);
        };
        heard.put(orgId, notice);
      }
      try {
        await(rows.catchUp(heard));
      } catch (ExecutionException crashed) {
        // a round that failed: its reader is gone, a new one goes on from the tables
        rows = rowsOf(store, slice);
      }
    }
    store.failing = null;
    reconcileAPass(rows, orgs);

    for (String orgId : ids) {
      assertEquals(appliedOnce(orgId, store.journals.get(orgId)), store.rows.get(orgId), orgId);
      assertEquals(usageAppliedOnce(store.journals.get(orgId)), store.usageOf(orgId), orgId + "'s usage");
      assertEquals(statementsAppliedOnce(orgId, store.journals.get(orgId)), shown(store, orgId), orgId + "'s statements");
      StatementRow current = store.rows.get(orgId).statement();
      store.statements.getOrDefault(orgId, Map.of()).values().forEach(statement -> assertTrue(
          statement.closed() || current == null || statement.periodStart().isBefore(current.periodStart()),
          "the table holds only periods that are over"));
    }
    Map<String, DirectoryRow> before = Map.copyOf(store.rows);
    SliceRows afresh = rowsOf(store, slice); // a new reader: nothing kept
    Map<String, OrgDelta> all = new HashMap<>();
    ids.forEach(orgId -> all.put(orgId, OrgDelta.of(1, store.journals.get(orgId))));
    Map<String, Map<UsageKey, UsageCounts>> usageBefore = new HashMap<>();
    ids.forEach(orgId -> usageBefore.put(orgId, store.usageOf(orgId)));
    Map<String, Map<Instant, StatementRow>> statementsBefore = new HashMap<>();
    ids.forEach(orgId -> statementsBefore.put(orgId, Map.copyOf(store.statements.getOrDefault(orgId, Map.of()))));
    await(afresh.catchUp(all));
    reconcileAPass(afresh, orgs);
    assertEquals(before, store.rows, "all of it again changes nothing");
    ids.forEach(orgId -> assertEquals(usageBefore.get(orgId), store.usageOf(orgId), "nor any usage row"));
    ids.forEach(orgId -> assertEquals(statementsBefore.get(orgId), store.statements.getOrDefault(orgId, Map.of()),
        "nor any statement"));
  }

  /** What a node tells of events {@code from}..{@code to} of a journal. */
  static OrgDelta told(List<OrgEvent> journal, int from, int to) {
    return OrgDelta.of(from, journal.subList(from - 1, to));
  }

  /** A notice of a random range of the journal. */
  static OrgDelta someOf(List<OrgEvent> journal, Random random) {
    int from = 1 + random.nextInt(journal.size());
    return told(journal, from, from + random.nextInt(journal.size() - from + 1));
  }

  @Test
  void noticesThatFollowOneAnotherReadNoJournal() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = withoutPeriods(journalOf("org-0", new Random(3), 12));
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 4))));
    await(rows.catchUp(Map.of("org-0", told(journal, 5, 5))));
    await(rows.catchUp(Map.of("org-0", told(journal, 6, journal.size()))));
    assertEquals(0, store.journalReads.get());
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Test
  void theRoundsOfAPeriodWriteNoStatementAndItsCloseWritesItOnce() throws Exception {
    Store store = new Store();
    Instant end = START.plus(Duration.ofDays(30));
    Labels labels = new Labels("model-0", "project-0", "", "");
    List<OrgEvent> journal = new ArrayList<>(List.of(
        new OrgEvent.OrgCreated("create", "org-0", "Org 0", "payg", START),
        new OrgEvent.PeriodOpened(START, end, 0, START),
        new OrgEvent.CreditsGranted("r3", "f", "g3", GrantKind.PROMOTION, 5_000_000, 10, START, null, START),
        new OrgEvent.ReservationCommitted("r4", "f", "rsv-4", 2_000, 1_000, List.of(), 0, labels, "key_0",
            new Usage.Call("image"), null, START.plusSeconds(60)),
        new OrgEvent.CreditsCharged("r5", "f", 3_000, List.of(), labels, "key_0", null, null, START.plusSeconds(120))));
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    store.journals.put("org-0", journal.subList(0, 3));
    await(rows.catchUp(Map.of("org-0", OrgDelta.journalThrough(3))));
    store.journals.put("org-0", journal);
    await(rows.catchUp(Map.of("org-0", told(journal, 4, 4))));
    await(rows.catchUp(Map.of("org-0", told(journal, 5, 5))));
    assertEquals(1, store.journalReads.get(), "the rounds are applied as told");
    assertEquals(0, store.statementWrites.get(), "the open period's statement is part of the directory row");
    assertEquals(4_000, store.rows.get("org-0").statement().used());
    assertEquals(5, store.rows.get("org-0").statement().appliedSeqNr());

    journal.add(new OrgEvent.PeriodClosed(Period.monthOf(START, 0), end));
    journal.add(new OrgEvent.PeriodOpened(end, end.plus(Duration.ofDays(31)), 0, end));
    await(rows.catchUp(Map.of("org-0", OrgDelta.journalThrough(7))));
    assertEquals(1, store.statementWrites.get(), "the closed one, once");
    StatementRow closed = store.statements.get("org-0").get(START);
    assertEquals(end, closed.closedAt());
    assertEquals(4_000, closed.used());
    DirectoryRow next = store.rows.get("org-0");
    assertEquals(end, next.statement().periodStart(), "the row goes on with the next period");
    assertEquals(statementsAppliedOnce("org-0", journal), shown(store, "org-0"));
    assertEquals(new DirectoryRow.PeriodUsed(START, 4_000), next.previousPeriod(), "and keeps what the last one used");
    assertEquals(4_000, next.usedIn(START));
    assertEquals(0, next.usedIn(end));
    assertEquals(0, next.usedIn(START.minus(Duration.ofDays(31))), "an older period: the row does not know it");
    assertEquals(4_000, store.rows.get("org-0").after(6, journal.get(5)).previousPeriod().used(), "applied once");
  }

  @Test
  void aPeriodClosedAtTheEndOfAReadIsWrittenAndWhatFollowsItToo() throws Exception {
    Store store = new Store();
    Instant end = START.plus(Duration.ofDays(30));
    List<OrgEvent> journal = new ArrayList<>(List.of(
        new OrgEvent.OrgCreated("create", "org-0", "Org 0", "payg", START),
        new OrgEvent.PeriodOpened(START, end, 0, START),
        new OrgEvent.CreditsCharged("r3", "f", 3_000, List.of(), null, null, null, null, START),
        new OrgEvent.PeriodClosed(Period.monthOf(START, 0), end)));
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", OrgDelta.journalThrough(4))));
    assertEquals(end, store.statements.get("org-0").get(START).closedAt(), "written when closed");
    // what the rollover does at the period's end counts in it, then the next period opens
    journal.add(new OrgEvent.GrantExpired("g", 1_000, end));
    journal.add(new OrgEvent.PeriodOpened(end, end.plus(Duration.ofDays(31)), 0, end));
    await(rows.catchUp(Map.of("org-0", told(journal, 5, 5))));
    await(rows.catchUp(Map.of("org-0", OrgDelta.journalThrough(6))));
    assertEquals(1_000, store.statements.get("org-0").get(START).expired());
    assertEquals(statementsAppliedOnce("org-0", journal), shown(store, "org-0"));
  }

  @Test
  void aRoundWritesTheUsageRowsOfAllItsOrgsTogetherBeforeTheirDirectoryRows() throws Exception {
    Store store = new Store();
    int slice = 0;
    List<String> ids = new ArrayList<>();
    for (int o = 0; ids.size() < 12; o++) if (OrgSlices.sliceOf("org-" + o) == slice) ids.add("org-" + o);
    Map<String, OrgDelta> first = new HashMap<>();
    Map<String, OrgDelta> second = new HashMap<>();
    for (String orgId : ids) {
      List<OrgEvent> journal = withoutPeriods(journalOf(orgId, new Random(orgId.hashCode()), 20));
      store.journals.put(orgId, journal);
      first.put(orgId, told(journal, 1, 10));
      second.put(orgId, told(journal, 11, journal.size()));
    }
    SliceRows rows = rowsOf(store, slice);
    await(rows.catchUp(first));
    await(rows.catchUp(second));
    assertEquals(2, store.usageWrites.get(), "one write of usage rows a round, whatever the orgs");
    assertEquals(0, store.journalReads.get());
    for (String orgId : ids) {
      assertEquals(usageAppliedOnce(store.journals.get(orgId)), store.usageOf(orgId), orgId);
      assertEquals(appliedOnce(orgId, store.journals.get(orgId)), store.rows.get(orgId), orgId);
    }
  }

  @Test
  void aNoticeAfterALostOneReadsTheJournalFromTheRow() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = withoutPeriods(journalOf("org-0", new Random(4), 12));
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 3))));
    await(rows.catchUp(Map.of("org-0", told(journal, 6, journal.size())))); // 4..5 lost
    assertEquals(1, store.journalReads.get());
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Test
  void aNoticeAtOrBelowTheRowReadsNoJournal() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = journalOf("org-0", new Random(1), 5);
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", OrgDelta.journalThrough(5))));
    int reads = store.journalReads.get();
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 5))));
    await(rows.catchUp(Map.of("org-0", told(journal, 2, 3))));
    await(rows.catchUp(Map.of("org-0", OrgDelta.journalThrough(4))));
    assertEquals(reads, store.journalReads.get());
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Property(tries = 200)
  void deltasMergedInAnyOrderAreTheDeltaOfTheWholeOrOnlyHowFarTheJournalReaches(
      @ForAll @IntRange(min = 1, max = 40) int length, @ForAll long seed) {
    Random random = new Random(seed);
    List<OrgEvent> journal = journalOf("org-0", random, length);
    List<OrgDelta> pieces = new ArrayList<>();
    for (int from = 1; from <= length; ) {
      int to = Math.min(length, from + random.nextInt(5));
      pieces.add(told(journal, from, to));
      from = to + 1;
    }
    OrgDelta whole = OrgDelta.of(1, journal);
    assertEquals(whole, pieces.stream().reduce(OrgDelta::merge).orElseThrow(), "in order");
    List<OrgDelta> lastFirst = new ArrayList<>(pieces);
    Collections.reverse(lastFirst);
    assertEquals(whole, lastFirst.stream().reduce(OrgDelta::merge).orElseThrow(), "last first");
    Collections.shuffle(pieces, random);
    OrgDelta shuffled = pieces.stream().reduce(OrgDelta::merge).orElseThrow();
    assertTrue(shuffled.equals(whole) || shuffled.equals(OrgDelta.journalThrough(length)), shuffled.toString());
  }

  @Test
  void anOrgNoNoticeEverNamedIsFoundByTheNextPassAndThePassAfterWaitsItsInterval() throws Exception {
    Store store = new Store();
    store.journals.put("org-0", journalOf("org-0", new Random(2), 4));
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.reconcileSome());
    assertEquals(appliedOnce("org-0", store.journals.get("org-0")), store.rows.get("org-0"));
    int reads = store.journalReads.get();
    await(rows.reconcileSome());
    assertEquals(reads, store.journalReads.get(), "the next pass starts " + PASS_EVERY + " after this one");
  }

  @Test
  void aDayHoldsAtMostItsBoundOfRowsAndCountsTheRestUnderTheHoursOtherRow() throws Exception {
    Store store = new Store();
    UsageRows usage = new UsageRows(store);
    List<UsageRows.Counted> lines = new ArrayList<>();
    UsageCounts one = new UsageCounts(1, 0, 0, 0, 0, 1, 0, 0);
    for (int i = 0; i < UsageRows.MOST_ROWS_A_DAY + 10; i++) {
      Labels labels = new Labels("model", "project-" + i, "", "");
      lines.add(new UsageRows.Counted(i + 1, i + 1, new UsageLine(UsageKey.of(START, labels, ""), one)));
    }
    assertTrue(usage.add("org-0", lines).toCompletableFuture().get());
    Map<UsageKey, UsageCounts> rows = store.usageOf("org-0");
    assertEquals(UsageRows.MOST_ROWS_A_DAY + 1, rows.size());
    UsageKey other = UsageKey.of(START, Labels.NONE, "").other();
    assertEquals(new UsageCounts(10, 0, 0, 0, 0, 10, 0, 0), rows.get(other));
    assertEquals(UsageRows.MOST_ROWS_A_DAY + 10,
        rows.values().stream().mapToLong(UsageCounts::calls).sum(), "every call counted once");
  }

  @Test
  void aRangeARowHoldsInPartIsAppliedFromTheJournalEventByEvent() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = new ArrayList<>(journalOf("org-0", new Random(5), 1));
    Labels labels = new Labels("m", "p", "", "");
    for (int i = 2; i <= 6; i++) {
      journal.add(new OrgEvent.CreditsCharged("r" + i, "f", 10, List.of(), labels, "", null, null, START));
    }
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 1))));
    // An earlier reader counted events 2..4 in the usage row and was gone before its directory row was written
    new UsageRows(store).add("org-0", List.of(new UsageRows.Counted(2, 4,
        UsageCounts.of(journal.get(1)).map(line -> new UsageLine(line.key(), new UsageCounts(30, 0, 0, 0, 0, 3, 0, 0)))
            .orElseThrow()))).toCompletableFuture().get();
    int reads = store.journalReads.get();
    await(rows.catchUp(Map.of("org-0", told(journal, 2, 6))));
    assertEquals(reads + 1, store.journalReads.get(), "the row counts up to 4, inside 2..6: read event by event");
    assertEquals(usageAppliedOnce(journal), store.usageOf("org-0"));
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Test
  void theReconciliationWakesAnOrgWhosePeriodIsOverAndNoOther() throws Exception {
    Store store = new Store();
    String ended = "org-0";
    String running = "org-1";
    for (int o = 1; OrgSlices.sliceOf(running) != OrgSlices.sliceOf(ended); o++) running = "org-" + o;
    store.journals.put(ended, List.of(new OrgEvent.OrgCreated("c", ended, "Ended", "payg", START),
        new OrgEvent.PeriodOpened(START, START.plus(Duration.ofDays(1)), 0, START)));
    store.journals.put(running, List.of(new OrgEvent.OrgCreated("c", running, "Running", "payg", START),
        new OrgEvent.PeriodOpened(START, START.plus(Duration.ofDays(365)), 0, START)));
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf(ended));
    await(rows.reconcileSome()); // the rows are built
    assertEquals(List.of(), store.woken, "nothing is over before the rows know the periods");
    SliceRows later = rowsOf(store, OrgSlices.sliceOf(ended)); // the next pass
    await(later.reconcileSome());
    assertEquals(List.of(ended), store.woken);
    assertTrue(store.rows.get(ended).statement().closedAt() == null, "open until the org closes it");
    assertEquals(null, store.statements.get(ended), "and not in the statements table");
  }
}
