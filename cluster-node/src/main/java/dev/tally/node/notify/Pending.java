package dev.tally.node.notify;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/**
 * A delivery not yet made: one event to one endpoint (a row of {@code tally.webhook_pending}).
 *
 * @param endpointOrg the endpoint's org, or {@link WebhookEndpoints#ALL_ORGS} for the operator's
 * @param body the JSON body, made once, so every attempt sends the same bytes
 * @param attempts made so far
 * @param failingSince the first failed attempt's time; null before one failed
 */
public record Pending(
    int slice,
    String endpointOrg,
    String endpointId,
    String eventId,
    String orgId,
    EventType type,
    Instant occurredAt,
    String body,
    int attempts,
    Instant nextAttemptAt,
    Instant failingSince) implements CborSerializable {

  /** A first attempt, due now. */
  static Pending of(int slice, String endpointOrg, Endpoint endpoint, WebhookEvent event, Instant now) {
    return new Pending(slice, endpointOrg, endpoint.endpointId(), event.eventId(), event.orgId(), event.type(), event.at(),
        event.json(), 0, now, null);
  }

  /** After a failed attempt made at {@code at}: due again at {@code next}. */
  Pending failed(Instant at, Instant next) {
    return new Pending(slice, endpointOrg, endpointId, eventId, orgId, type, occurredAt, body, attempts + 1, next,
        failingSince == null ? at : failingSince);
  }
}
