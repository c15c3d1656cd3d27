package dev.tally.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.usage.OrgJournals;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** README: at most 1,000 deliveries pending per endpoint and slice; beyond, new ones are dropped and logged, to be replayed. */
class OutboxCapTest {

  static final Instant AT = Instant.parse("2026-12-03T06:00:00Z");
  static final String ORG = "capped";

  static Outbox.Owned endpoint(String endpointId) {
    return new Outbox.Owned(ORG, new Endpoint(endpointId, "create-" + endpointId, "https://hooks.example/" + endpointId,
        Set.of(EventType.CREDITS_GRANTED), "", true, AT.minusSeconds(60), AT.minusSeconds(60), List.of(), ""));
  }

  /** {@code count} grants, journal sequence numbers from {@code firstSeqNr} on. */
  static List<OrgJournals.Logged> grants(long firstSeqNr, int count) {
    return LongStream.range(firstSeqNr, firstSeqNr + count)
        .mapToObj(seqNr -> new OrgJournals.Logged(seqNr, new OrgEvent.CreditsGranted(
            "r" + seqNr, "f" + seqNr, "g" + seqNr, GrantKind.PURCHASE, 1_000, 500, AT, null, AT)))
        .toList();
  }

  @Test
  void anEndpointWithTheMostPendingTakesNoMoreTheNewestAreDroppedIntoItsDeliveryLog() {
    Map<String, Integer> counts = new HashMap<>(Map.of("we_full", Outbox.MAX_PENDING_PER_ENDPOINT - 2));
    Outbox.Written written = Outbox.deliveries(3, ORG, grants(10, 5), List.of(endpoint("we_full")), counts, AT);

    assertEquals(List.of("evt_10_0_capped", "evt_11_0_capped"), written.pending().stream().map(Pending::eventId).toList(),
        "the oldest two fill the endpoint up");
    assertEquals(List.of("evt_12_0_capped", "evt_13_0_capped", "evt_14_0_capped"),
        written.dropped().stream().map(Attempt::eventId).toList(), "the newest are dropped");
    for (Attempt dropped : written.dropped()) {
      assertEquals(Attempt.Outcome.DROPPED, dropped.outcome());
      assertEquals("we_full", dropped.endpointId());
      assertEquals(0, dropped.attempt(), "dropped before any attempt");
      assertTrue(dropped.error().contains("1000 deliveries were pending") && dropped.error().contains("replay"), dropped.error());
    }
    assertEquals(Outbox.MAX_PENDING_PER_ENDPOINT, counts.get("we_full"), "counted on for the rest of the round");
  }

  @Test
  void theCapIsPerEndpointAnotherEndpointOfTheOrgStillTakesEveryEvent() {
    Map<String, Integer> counts = new HashMap<>(Map.of("we_full", Outbox.MAX_PENDING_PER_ENDPOINT));
    Outbox.Written written = Outbox.deliveries(3, ORG, grants(1, 3), List.of(endpoint("we_full"), endpoint("we_free")), counts, AT);

    assertEquals(3, written.dropped().size());
    assertTrue(written.dropped().stream().allMatch(a -> a.endpointId().equals("we_full")));
    assertEquals(List.of("we_free", "we_free", "we_free"), written.pending().stream().map(Pending::endpointId).toList());
    assertEquals(3, counts.get("we_free"));
  }
}
