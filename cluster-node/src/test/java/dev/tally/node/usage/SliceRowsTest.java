package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgSlices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;

/**
 * A slice's rows against what its reader really hears: notices of writes that come late, twice,
 * out of order, overlapping, covering less than the row already has, only saying how far a journal
 * reaches, or never. Whatever it hears, once a reconciliation pass has run each row is what applying
 * its org's journal once gives, and hearing it all again changes nothing. Notices that follow one
 * another are applied without reading the journal.
 */
class SliceRowsTest {

  static final Instant START = Instant.parse("2026-12-01T00:00:00Z");
  /** An hour after the journals' events: every org is quiet. */
  static final Duration PASS_EVERY = Duration.ofMinutes(10);
  static final Clock LATER = Clock.fixed(START.plus(Duration.ofHours(1)), ZoneOffset.UTC);

  /** The table and the journals, in memory: what the rows read and write, no more. */
  static final class Store implements SliceRows.Rows, SliceRows.Journal {
    final Map<String, List<OrgEvent>> journals = new ConcurrentHashMap<>();
    final Map<String, DirectoryRow> rows = new ConcurrentHashMap<>();
    final AtomicInteger journalReads = new AtomicInteger();

    @Override
    public CompletionStage<DirectoryRow> row(String orgId) {
      return CompletableFuture.completedFuture(rows.getOrDefault(orgId, DirectoryRow.unknown(orgId)));
    }

    @Override
    public CompletionStage<Done> save(DirectoryRow row) {
      rows.put(row.orgId(), row);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<List<SliceRows.Logged>> events(String orgId, long from, long to) {
      journalReads.incrementAndGet();
      List<OrgEvent> events = journals.getOrDefault(orgId, List.of());
      List<SliceRows.Logged> read = new ArrayList<>();
      for (long seqNr = from; seqNr <= Math.min(to, events.size()); seqNr++) {
        read.add(new SliceRows.Logged(seqNr, events.get((int) seqNr - 1)));
      }
      return CompletableFuture.completedFuture(read);
    }

    @Override
    public CompletionStage<List<String>> orgs(int slice) {
      return CompletableFuture.completedFuture(journals.keySet().stream().filter(org -> OrgSlices.sliceOf(org) == slice)
          .sorted().toList());
    }
  }

  /** An org's journal: created, then grants, usage, expiries, voids and plan changes of random sizes. */
  static List<OrgEvent> journalOf(String orgId, Random random, int length) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new OrgEvent.OrgCreated("create-" + orgId, orgId, "Org " + orgId, "payg", START));
    for (int i = 1; i < length; i++) {
      Instant at = START.plusSeconds(i);
      long amount = 1 + random.nextInt(1_000_000);
      events.add(switch (random.nextInt(7)) {
        case 0, 1 -> new OrgEvent.CreditsGranted("r" + i, "f", "g" + i, GrantKind.PROMOTION, amount, 10, at, null, at);
        case 2, 3 -> new OrgEvent.CreditsCharged("r" + i, "f", amount, List.of(), null, null, null, null, at);
        case 4 -> new OrgEvent.GrantExpired("g" + i, amount, at);
        case 5 -> new OrgEvent.GrantVoided("r" + i, "f", "g" + i, amount, "test", at);
        default -> new OrgEvent.PlanChanged("r" + i, "f", random.nextBoolean() ? "flex" : "test", at);
      });
    }
    return events;
  }

  static DirectoryRow appliedOnce(String orgId, List<OrgEvent> events) {
    DirectoryRow row = DirectoryRow.unknown(orgId);
    for (int i = 0; i < events.size(); i++) row = row.after(i + 1, events.get(i));
    return row;
  }

  static SliceRows rowsOf(Store store, int slice) {
    return new SliceRows(slice, store, store, LATER, PASS_EVERY, lag -> {});
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
      @ForAll @IntRange(min = 0, max = 100) int lostPercent, @ForAll long seed) throws Exception {
    Random random = new Random(seed);
    Store store = new Store();
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
      Map<String, DirectoryDelta> heard = new HashMap<>();
      for (String orgId : ids) {
        if (random.nextInt(100) < lostPercent) continue;
        List<OrgEvent> journal = store.journals.get(orgId);
        DirectoryDelta notice = switch (random.nextInt(4)) {
          case 0 -> DirectoryDelta.journalThrough(1L + random.nextInt(journal.size()));
          case 1 -> someOf(journal, random).merge(someOf(journal, random));
          default -> someOf(journal, random);
        };
        heard.put(orgId, notice);
      }
      await(rows.catchUp(heard));
    }
    reconcileAPass(rows, orgs);

    for (String orgId : ids) assertEquals(appliedOnce(orgId, store.journals.get(orgId)), store.rows.get(orgId), orgId);
    Map<String, DirectoryRow> before = Map.copyOf(store.rows);
    SliceRows afresh = rowsOf(store, slice); // a new reader: nothing kept
    Map<String, DirectoryDelta> all = new HashMap<>();
    ids.forEach(orgId -> all.put(orgId, DirectoryDelta.of(1, store.journals.get(orgId))));
    await(afresh.catchUp(all));
    reconcileAPass(afresh, orgs);
    assertEquals(before, store.rows, "all of it again changes nothing");
  }

  /** What a node tells of events {@code from}..{@code to} of a journal. */
  static DirectoryDelta told(List<OrgEvent> journal, int from, int to) {
    return DirectoryDelta.of(from, journal.subList(from - 1, to));
  }

  /** A notice of a random range of the journal. */
  static DirectoryDelta someOf(List<OrgEvent> journal, Random random) {
    int from = 1 + random.nextInt(journal.size());
    return told(journal, from, from + random.nextInt(journal.size() - from + 1));
  }

  @Test
  void noticesThatFollowOneAnotherReadNoJournal() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = journalOf("org-0", new Random(3), 10);
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 4))));
    await(rows.catchUp(Map.of("org-0", told(journal, 5, 5))));
    await(rows.catchUp(Map.of("org-0", told(journal, 6, 10))));
    assertEquals(0, store.journalReads.get());
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Test
  void aNoticeAfterALostOneReadsTheJournalFromTheRow() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = journalOf("org-0", new Random(4), 10);
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 3))));
    await(rows.catchUp(Map.of("org-0", told(journal, 6, 10)))); // 4..5 lost
    assertEquals(1, store.journalReads.get());
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Test
  void aNoticeAtOrBelowTheRowReadsNoJournal() throws Exception {
    Store store = new Store();
    List<OrgEvent> journal = journalOf("org-0", new Random(1), 5);
    store.journals.put("org-0", journal);
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", DirectoryDelta.journalThrough(5))));
    int reads = store.journalReads.get();
    await(rows.catchUp(Map.of("org-0", told(journal, 1, 5))));
    await(rows.catchUp(Map.of("org-0", told(journal, 2, 3))));
    await(rows.catchUp(Map.of("org-0", DirectoryDelta.journalThrough(4))));
    assertEquals(reads, store.journalReads.get());
    assertEquals(appliedOnce("org-0", journal), store.rows.get("org-0"));
  }

  @Property(tries = 200)
  void deltasMergedInAnyOrderAreTheDeltaOfTheWholeOrOnlyHowFarTheJournalReaches(
      @ForAll @IntRange(min = 1, max = 40) int length, @ForAll long seed) {
    Random random = new Random(seed);
    List<OrgEvent> journal = journalOf("org-0", random, length);
    List<DirectoryDelta> pieces = new ArrayList<>();
    for (int from = 1; from <= length; ) {
      int to = Math.min(length, from + random.nextInt(5));
      pieces.add(told(journal, from, to));
      from = to + 1;
    }
    DirectoryDelta whole = DirectoryDelta.of(1, journal);
    assertEquals(whole, pieces.stream().reduce(DirectoryDelta::merge).orElseThrow(), "in order");
    List<DirectoryDelta> lastFirst = new ArrayList<>(pieces);
    Collections.reverse(lastFirst);
    assertEquals(whole, lastFirst.stream().reduce(DirectoryDelta::merge).orElseThrow(), "last first");
    Collections.shuffle(pieces, random);
    DirectoryDelta shuffled = pieces.stream().reduce(DirectoryDelta::merge).orElseThrow();
    assertTrue(shuffled.equals(whole) || shuffled.equals(DirectoryDelta.journalThrough(length)), shuffled.toString());
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
}
