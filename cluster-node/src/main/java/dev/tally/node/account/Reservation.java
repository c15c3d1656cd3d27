package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/** Credits held for a call in flight, until it is committed, released or expires; by the API key that reserved. */
public record Reservation(String reservationId, long held, Instant expiresAt, Labels labels, String apiKeyId)
    implements CborSerializable {

  public Reservation {
    labels = Labels.orNone(labels);
    apiKeyId = Labels.keyOrNone(apiKeyId);
  }

  public Reservation extended(long additional, Instant newExpiresAt) {
    return new Reservation(reservationId, Math.addExact(held, additional), newExpiresAt, labels, apiKeyId);
  }
}
