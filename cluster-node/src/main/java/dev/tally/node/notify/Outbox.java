package dev.tally.node.notify;

import dev.tally.node.ManyAsks;
import dev.tally.node.usage.OrgJournals;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbox of one slice's orgs: an org's journal events after its webhook offset turned into
 * pending deliveries (one per webhook event and enabled endpoint that subscribes to its type), all
 * written before the offset moves past them. A crash between the two writes the same rows again
 * (same event ids), so nothing is lost and at worst an event is sent twice under one id. The work of
 * the slice's {@link Dispatcher}, the single writer of its offsets.
 *
 * <p>An endpoint is sent the events from its creation on; a disabled one is sent nothing, and what
 * happened while it was disabled is sent only by a replay: the offset moves on for every org that
 * has an endpoint, enabled or not. An org with none is not read at all; its offset stays, and its
 * first endpoint's events are found after it (those before the endpoint's creation are skipped).
 */
final class Outbox {

  /** The most journal events one catch-up of an org reads; the next round goes on. */
  static final int PAGE = 1_000;
  /** The most deliveries pending for one endpoint in one slice; beyond, new ones are dropped (logged, replayable). */
  static final int MAX_PENDING_PER_ENDPOINT = 1_000;
  /** The most offsets kept between rounds; any other is read from its table. */
  static final int OFFSETS_KEPT = 10_000;

  /** An endpoint and whose it is: the org's, or the operator's ({@link WebhookEndpoints#ALL_ORGS}). */
  record Owned(String endpointOrg, Endpoint endpoint) {}

  /** What a catch-up wrote: pending deliveries, dropped ones, and whether the journal had more than a page. */
  record Written(String orgId, List<Pending> pending, List<Attempt> dropped, boolean more) {
    static Written nothing(String orgId) {
      return new Written(orgId, List.of(), List.of(), false);
    }
  }

  private final int slice;
  private final DeliveryTable table;
  private final OrgJournals journals;
  private final Clock clock;
  private final Map<String, Long> offsets = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > OFFSETS_KEPT;
    }
  });

  Outbox(int slice, DeliveryTable table, OrgJournals journals, Clock clock) {
    this.slice = slice;
    this.table = table;
    this.journals = journals;
    this.clock = clock;
  }

  /**
   * Each org's events after its offset turned into deliveries, a page at a time.
   *
   * @param endpoints each org's endpoints (its own and the operator's); orgs with none are skipped unread
   * @param pendingNow each endpoint's deliveries pending now, counted on as the round adds
   */
  CompletionStage<List<Written>> catchUp(Map<String, List<Owned>> endpoints, Map<String, Integer> pendingNow) {
    Map<String, Integer> counts = new ConcurrentHashMap<>(pendingNow);
    List<String> orgs = endpoints.entrySet().stream().filter(org -> !org.getValue().isEmpty()).map(Map.Entry::getKey).toList();
    return ManyAsks.each(orgs, orgId -> catchUp(orgId, endpoints.get(orgId), counts));
  }

  private CompletionStage<Written> catchUp(String orgId, List<Owned> endpoints, Map<String, Integer> counts) {
    return offsetOf(orgId).thenCompose(offset -> journals.events(orgId, offset + 1, offset + PAGE).thenCompose(events -> {
      if (events.isEmpty()) return CompletableFuture.completedFuture(Written.nothing(orgId));
      Written made = deliveries(slice, orgId, events, endpoints, counts, clock.instant());
      long last = events.get(events.size() - 1).seqNr();
      return ManyAsks.each(made.pending(), table::save)
          .thenCompose(saved -> ManyAsks.each(made.dropped(), table::log))
          .thenCompose(logged -> table.setOffset(orgId, last))
          .thenApply(done -> {
            offsets.put(orgId, last);
            return new Written(orgId, made.pending(), made.dropped(), events.size() >= PAGE);
          });
    }));
  }

  /**
   * The deliveries {@code events} make: one per webhook event and enabled endpoint that subscribes to
   * its type and existed then. An endpoint with {@link #MAX_PENDING_PER_ENDPOINT} pending ({@code counts},
   * counted on) takes no more: the newest are dropped, each a DROPPED line of its delivery log, and
   * those pending stay.
   */
  static Written deliveries(int slice, String orgId, List<OrgJournals.Logged> events, List<Owned> endpoints,
      Map<String, Integer> counts, Instant now) {
    List<Pending> pending = new ArrayList<>();
    List<Attempt> dropped = new ArrayList<>();
    for (OrgJournals.Logged logged : events) {
      for (WebhookEvent event : WebhookEvents.of(orgId, logged.seqNr(), logged.event())) {
        for (Owned owned : endpoints) {
          Endpoint endpoint = owned.endpoint();
          if (!endpoint.enabled() || !endpoint.subscribesTo(event.type()) || event.at().isBefore(endpoint.createdAt())) continue;
          if (counts.merge(endpoint.endpointId(), 1, Integer::sum) > MAX_PENDING_PER_ENDPOINT) {
            counts.merge(endpoint.endpointId(), -1, Integer::sum);
            dropped.add(new Attempt(endpoint.endpointId(), now, event.eventId(), 0, orgId, event.type(), 0, 0,
                MAX_PENDING_PER_ENDPOINT + " deliveries were pending for this endpoint: not queued (replay it)",
                Attempt.Outcome.DROPPED));
          } else {
            pending.add(Pending.of(slice, owned.endpointOrg(), endpoint, event, now));
          }
        }
      }
    }
    return new Written(orgId, pending, dropped, false);
  }

  private CompletionStage<Long> offsetOf(String orgId) {
    Long kept = offsets.get(orgId);
    if (kept != null) return CompletableFuture.completedFuture(kept);
    return table.offset(orgId).thenApply(stored -> stored.orElse(0L));
  }
}
