package dev.tally.node.notify;

import java.time.Instant;

/**
 * One line of an endpoint's delivery log ({@code tally.webhook_attempts}): an attempt, or a delivery
 * dropped without one.
 *
 * @param attempt its number, 1 for the first; 0 for a delivery dropped before any
 * @param statusCode the receiver's HTTP status; 0 when none came (refused address, timeout, no connection)
 * @param error why it failed, "" when it did not
 */
public record Attempt(
    String endpointId,
    Instant attemptedAt,
    String eventId,
    int attempt,
    String orgId,
    EventType type,
    int statusCode,
    long latencyMillis,
    String error,
    Outcome outcome) {

  public enum Outcome {
    /** A 2xx answer: done. */
    DELIVERED,
    /** Failed; another attempt follows on the schedule. */
    RETRYING,
    /** Failed the schedule's last attempt: given up (a replay sends it again). */
    FAILED,
    /** Not sent: the endpoint was disabled or deleted, or had too many deliveries pending. */
    DROPPED
  }

  public boolean succeeded() {
    return statusCode >= 200 && statusCode < 300;
  }
}
