package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgSlices;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
 * out of order, with an older sequence number than the last, or never. Whatever it hears, once a
 * reconciliation pass has run each row is what applying its org's journal once gives, and hearing
 * it all again changes nothing.
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
        case 2, 3 -> new OrgEvent.CreditsCharged("r" + i, "f", amount, List.of(), null, null, null, at);
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

    // Notices of every write, in random rounds: some lost, some stale (an older sequence number), repeated
    for (int round = 0; round < 20; round++) {
      Map<String, Long> heard = new HashMap<>();
      for (String orgId : ids) {
        if (random.nextInt(100) < lostPercent) continue;
        heard.put(orgId, 1L + random.nextInt(store.journals.get(orgId).size()));
      }
      await(rows.catchUp(heard));
    }
    reconcileAPass(rows, orgs);

    for (String orgId : ids) assertEquals(appliedOnce(orgId, store.journals.get(orgId)), store.rows.get(orgId), orgId);
    Map<String, DirectoryRow> before = Map.copyOf(store.rows);
    SliceRows afresh = rowsOf(store, slice); // a new reader: nothing kept
    Map<String, Long> all = new HashMap<>();
    ids.forEach(orgId -> all.put(orgId, (long) store.journals.get(orgId).size()));
    await(afresh.catchUp(all));
    reconcileAPass(afresh, orgs);
    assertEquals(before, store.rows, "all of it again changes nothing");
  }

  @Test
  void aNoticeAtOrBelowTheRowReadsNoJournal() throws Exception {
    Store store = new Store();
    store.journals.put("org-0", journalOf("org-0", new Random(1), 5));
    SliceRows rows = rowsOf(store, OrgSlices.sliceOf("org-0"));
    await(rows.catchUp(Map.of("org-0", 5L)));
    int reads = store.journalReads.get();
    await(rows.catchUp(Map.of("org-0", 5L)));
    await(rows.catchUp(Map.of("org-0", 3L)));
    assertEquals(reads, store.journalReads.get());
    assertEquals(appliedOnce("org-0", store.journals.get("org-0")), store.rows.get("org-0"));
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
