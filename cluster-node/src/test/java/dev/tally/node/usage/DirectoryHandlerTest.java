package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.pekko.Done;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;

/**
 * The directory's handler against what events-by-tag really delivers: every org's events in their
 * order, but a restarted projection repeats what followed its saved offset, and a tag row written
 * late or never is skipped. Whatever the delivery, each row ends as applying the org's journal
 * once gives, and delivering it all again changes nothing.
 */
class DirectoryHandlerTest {

  static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

  /** The tables and the journal, in memory: what the handler reads and writes, no more. */
  static final class Store implements DirectoryHandler.Rows, DirectoryHandler.Journal {
    final Map<String, List<OrgEvent>> journal = new HashMap<>();
    final Map<String, DirectoryRow> rows = new ConcurrentHashMap<>();
    int journalReads;

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
    public CompletionStage<List<DirectoryRow>> rowsAfter(int slice, String afterOrgId, int limit) {
      return CompletableFuture.completedFuture(rows.values().stream()
          .filter(row -> row.orgId().compareTo(afterOrgId) > 0).sorted(java.util.Comparator.comparing(DirectoryRow::orgId))
          .limit(limit).toList());
    }

    @Override
    public synchronized CompletionStage<List<DirectoryHandler.Logged>> events(String orgId, long from, long to) {
      journalReads++;
      List<OrgEvent> events = journal.get(orgId);
      List<DirectoryHandler.Logged> read = new ArrayList<>();
      for (long seqNr = from; seqNr <= Math.min(to, events.size()); seqNr++) {
        read.add(new DirectoryHandler.Logged(seqNr, events.get((int) seqNr - 1)));
      }
      return CompletableFuture.completedFuture(read);
    }
  }

  /** An org's journal: created, then grants, usage, expiries and voids of random sizes. */
  static List<OrgEvent> journalOf(String orgId, Random random, int length) {
    List<OrgEvent> events = new ArrayList<>();
    events.add(new OrgEvent.OrgCreated("create-" + orgId, orgId, "Org " + orgId, "payg", START));
    for (int i = 1; i < length; i++) {
      Instant at = START.plusSeconds(i);
      long amount = 1 + random.nextInt(1_000_000);
      events.add(switch (random.nextInt(6)) {
        case 0, 1 -> new OrgEvent.CreditsGranted("r" + i, "f", "g" + i, GrantKind.PROMOTION, amount, 10, at, null, at);
        case 2, 3 -> new OrgEvent.CreditsCharged("r" + i, "f", amount, List.of(), null, null, null, at);
        case 4 -> new OrgEvent.GrantExpired("g" + i, amount, at);
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

  static final java.time.Clock LATER = java.time.Clock.fixed(START.plus(java.time.Duration.ofHours(1)), java.time.ZoneOffset.UTC);

  static DirectoryHandler handler(Store store) {
    return new DirectoryHandler(0, store, store, LATER, lag -> {});
  }

  static EventEnvelope<OrgEvent> envelope(String orgId, long seqNr, OrgEvent event, long offset) {
    return EventEnvelope.create(Sequence.apply(offset), OrgAccount.persistenceId(orgId).id(), seqNr, event, 0L);
  }

  @Property(tries = 300)
  void repeatedAndSkippedEventsLeaveEveryRowAsTheJournalOnceGives(
      @ForAll @IntRange(min = 1, max = 4) int orgs, @ForAll @IntRange(min = 1, max = 40) int longest,
      @ForAll @IntRange(min = 0, max = 3) int restarts, @ForAll @IntRange(min = 0, max = 30) int skipPercent,
      @ForAll long seed) throws Exception {
    Random random = new Random(seed);
    Store store = new Store();
    // The tag's order: the orgs' events interleaved, each org's in its own order.
    List<EventEnvelope<OrgEvent>> tagged = new ArrayList<>();
    Map<String, Integer> next = new HashMap<>();
    for (int o = 0; o < orgs; o++) {
      String orgId = "org-" + o;
      store.journal.put(orgId, journalOf(orgId, random, 1 + random.nextInt(longest)));
      next.put(orgId, 0);
    }
    while (!next.isEmpty()) {
      List<String> left = new ArrayList<>(next.keySet());
      String orgId = left.get(random.nextInt(left.size()));
      int i = next.get(orgId);
      List<OrgEvent> events = store.journal.get(orgId);
      boolean last = i == events.size() - 1;
      // A skipped tag row; an org's last event is left in, as a later event or the reconciler would bring it
      if (last || random.nextInt(100) >= skipPercent) tagged.add(envelope(orgId, i + 1, events.get(i), tagged.size()));
      if (last) next.remove(orgId);
      else next.put(orgId, i + 1);
    }
    // What the projection sees: after each restart, again from an older offset. The repeats go
    // anywhere, even before the first delivery of what they repeat: no order is assumed.
    List<EventEnvelope<OrgEvent>> delivered = new ArrayList<>(tagged);
    for (int r = 0; r < restarts && !tagged.isEmpty(); r++) {
      int upTo = random.nextInt(tagged.size() + 1);
      delivered.addAll(random.nextInt(delivered.size() + 1), tagged.subList(random.nextInt(upTo + 1), upTo));
    }
    processInGroups(handler(store), delivered, random);

    for (String orgId : store.journal.keySet()) {
      assertEquals(appliedOnce(orgId, store.journal.get(orgId)), store.rows.get(orgId), orgId);
    }
    Map<String, DirectoryRow> before = Map.copyOf(store.rows);
    processInGroups(handler(store), delivered, random); // a new handler: nothing kept
    assertEquals(before, store.rows, "all of it again changes nothing");
  }

  @org.junit.jupiter.api.Test
  void anOrgsLastEventsThatNeverCameByTagAreAppliedOnATickOnceItIsQuiet() throws Exception {
    Store store = new Store();
    List<OrgEvent> events = journalOf("quiet", new Random(7), 6);
    store.journal.put("quiet", events);
    DirectoryHandler handler = handler(store);
    List<EventEnvelope<OrgEvent>> firstThree = new ArrayList<>();
    for (int i = 0; i < 3; i++) firstThree.add(envelope("quiet", i + 1, events.get(i), i));
    handler.process(firstThree).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(3, store.rows.get("quiet").appliedSeqNr(), "events 4-6: tag rows lost, and no later event shows the gap");

    EventEnvelope<OrgEvent> tick = EventEnvelope.create(Sequence.apply(2), WithReconcileTicks.TICK, 0L, null, 0L);
    handler.process(List.of(tick)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(appliedOnce("quiet", events), store.rows.get("quiet"));

    int reads = store.journalReads;
    handler.process(List.of(tick)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(reads, store.journalReads, "the next pass waits its interval");
  }

  private static void processInGroups(DirectoryHandler handler, List<EventEnvelope<OrgEvent>> envelopes, Random random)
      throws Exception {
    int from = 0;
    while (from < envelopes.size()) {
      int to = Math.min(envelopes.size(), from + 1 + random.nextInt(10));
      handler.process(envelopes.subList(from, to)).toCompletableFuture().get(5, TimeUnit.SECONDS);
      from = to;
    }
  }
}
