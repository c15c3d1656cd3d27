package dev.tally.client;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * The reservation was already committed, released or expired (a reservation resolves at most once);
 * nothing changed. {@link #resolution()} tells how it ended.
 */
public final class ReservationResolvedException extends TallyException {

  /** How a reservation ended. */
  public enum Resolution {
    /** A commit charged it. */
    COMMITTED,
    /** A release returned its hold. */
    RELEASED,
    /** Its TTL passed: the hold returned to the balance and nothing was charged. */
    EXPIRED,
    /** The node did not say, or said something this SDK does not know. */
    UNKNOWN
  }

  ReservationResolvedException(Failure failure) {
    super(failure);
  }

  /** How the reservation ended, from the node's {@code resolution} metadata. */
  public Resolution resolution() {
    String value = metadata().getOrDefault("resolution", "");
    for (Resolution resolution : Resolution.values()) {
      if (resolution.name().equals(value.toUpperCase(Locale.ROOT))) return resolution;
    }
    return Resolution.UNKNOWN;
  }

  /** When it ended, if the node said. */
  public Optional<Instant> resolvedAt() {
    String value = metadata().get("resolved_at");
    if (value == null) return Optional.empty();
    try {
      return Optional.of(Instant.parse(value));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
