package dev.tally.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a dispatcher knows of its orgs' endpoints: the listing, and the changes heard around it. */
class KnownEndpointsTest {

  static final Instant AT = Instant.parse("2026-12-06T07:00:00Z");

  static Endpoint endpoint(String endpointId) {
    return new Endpoint(endpointId, "create-" + endpointId, "https://hooks.example/" + endpointId,
        Set.of(EventType.CREDITS_GRANTED), "", true, AT, AT, List.of(), "");
  }

  @Test
  void aChangeHeardBeforeTheListingCameBackIsAppliedOverIt() {
    KnownEndpoints known = new KnownEndpoints();
    // The listing was read before these changes: it still has a's old endpoint and not b's new one.
    known.changed("a", List.of());
    known.changed("b", List.of(endpoint("b1")));
    assertFalse(known.loaded());

    known.load(Map.of("a", List.of(endpoint("a1")), "c", List.of(endpoint("c1"))));

    assertTrue(known.loaded());
    assertNull(known.find("a", "a1"));
    assertEquals(endpoint("b1"), known.find("b", "b1"));
    assertEquals(List.of("b", "c"), known.orgs());
  }

  @Test
  void aChangeHeardAfterTheListingReplacesTheOrgsEndpoints() {
    KnownEndpoints known = new KnownEndpoints();
    known.load(Map.of("a", List.of(endpoint("a1"))));

    known.changed("a", List.of(endpoint("a2")));

    assertNull(known.find("a", "a1"));
    assertEquals(endpoint("a2"), known.find("a", "a2"));
  }

  @Test
  void anOrgGetsItsOwnEndpointsThenTheOperators() {
    KnownEndpoints known = new KnownEndpoints();
    known.load(Map.of("a", List.of(endpoint("a1")), WebhookEndpoints.ALL_ORGS, List.of(endpoint("op1"))));

    assertTrue(known.operatorHasOne());
    assertEquals(Map.of(
            "a", List.of(new Outbox.Owned("a", endpoint("a1")), new Outbox.Owned(WebhookEndpoints.ALL_ORGS, endpoint("op1"))),
            "z", List.of(new Outbox.Owned(WebhookEndpoints.ALL_ORGS, endpoint("op1")))),
        known.of(Set.of("a", "z")));
  }
}
