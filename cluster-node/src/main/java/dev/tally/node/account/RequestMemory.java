package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What an org remembers of recent requests (rule 6: a retry returns the first outcome) and of
 * recently resolved reservations (rule 5: a second resolution is told how the first went). Both
 * forget entries older than the retention window or beyond its size, oldest first.
 *
 * <p>A request forgotten for want of room while still inside the window is not lost: the entity
 * writes it to {@link RequestOutcomeTable} before the batch that forgets it is persisted, and
 * {@code spilled} says which request ids this memory does not know may still be found there.
 */
public record RequestMemory(Recent<Remembered> requests, Recent<Resolution> resolved, SpilledRequests spilled) {

  public static final RequestMemory EMPTY = new RequestMemory(Recent.empty(), Recent.empty(), SpilledRequests.NONE);

  /** How long and how many request ids each org remembers: whichever limit is reached first. */
  public record Retention(Duration window, int maxEntries) {}

  /** A remembered request this memory no longer holds. */
  public record Forgotten(String requestId, Remembered outcome) {}

  /**
   * A request's outcome, for its retries. Of the request's fingerprint (a hex digest, see {@link
   * Operation.Requested#fingerprint}) it keeps the first 64 bits as a number: about 60 bytes less
   * per remembered request than the string, and two contents still collide only with odds of 2^-64.
   */
  public record Remembered(long fingerprint, Result result, Instant at) implements CborSerializable {

    public static Remembered of(String fingerprint, Result result, Instant at) {
      return new Remembered(bits(fingerprint), result, at);
    }

    /** Whether a request with this fingerprint has the content of the remembered one. */
    public boolean sameContent(String fingerprint) {
      return this.fingerprint == bits(fingerprint);
    }

    /** Rule 6: a retry with the same content gets the first outcome; the same id with other content is refused. */
    Decision answer(Operation.Requested retry) {
      return sameContent(retry.fingerprint())
          ? new Decision.Answer(result)
          : Decision.Refuse.idempotencyMismatch(retry.requestId());
    }

    /** The kept bits as hex: {@link #of} reads them back to the same. */
    public String fingerprintHex() {
      return HexFormat.of().toHexDigits(fingerprint);
    }

    private static long bits(String fingerprint) {
      return HexFormat.fromHexDigitsToLong(fingerprint, 0, 16);
    }
  }

  public enum How {
    COMMITTED,
    RELEASED,
    EXPIRED
  }

  public record Resolution(How how, Instant at) implements CborSerializable {}

  public Remembered request(String requestId) {
    return requests.get(requestId);
  }

  public Resolution resolution(String reservationId) {
    return resolved.get(reservationId);
  }

  /**
   * Whether {@code requestId}, which this memory does not hold, may be in the table at {@code now}.
   * An org that never has more than max-entries requests in a window never reads the table, nor
   * one whose ids name times later than those of the requests it spilled (see {@link SpilledRequests}).
   */
  public boolean mayHaveSpilled(String requestId, Instant now, Duration window) {
    return spilled.mayHold(requestId, now, window);
  }

  public RequestMemory remember(String requestId, Remembered outcome, Retention retention) {
    Recent<Remembered> entries = requests.plus(requestId, outcome);
    SpilledRequests spilledNow = spilled;
    Instant cutoff = outcome.at().minus(retention.window());
    while (!entries.isEmpty()
        && (entries.size() > retention.maxEntries() || entries.oldest().at().isBefore(cutoff))) {
      Instant at = entries.oldest().at();
      if (!at.isBefore(cutoff)) spilledNow = spilledNow.plus(entries.oldestKey(), at);
      entries = entries.withoutOldest();
    }
    return new RequestMemory(entries, resolved, spilledNow);
  }

  /** With {@code requestId}'s remembered outcome replaced; it keeps its place in the order. */
  RequestMemory replacing(String requestId, Remembered outcome) {
    return new RequestMemory(requests.plus(requestId, outcome), resolved, spilled);
  }

  public RequestMemory resolve(String reservationId, Resolution resolution, Retention retention) {
    return new RequestMemory(
        requests, trim(resolved.plus(reservationId, resolution), resolution.at(), retention, Resolution::at), spilled);
  }

  /**
   * The requests {@code earlier} held that this memory, which came from it, no longer does and
   * that are still inside {@code window} at {@code now}: what must be in the table before this
   * memory is persisted. Requests forgotten for their age need no row.
   */
  public List<Forgotten> spilledSince(RequestMemory earlier, Instant now, Duration window) {
    Instant cutoff = now.minus(window);
    List<Forgotten> spilled = new ArrayList<>();
    for (Map.Entry<String, Remembered> gone : requests.droppedFrom(earlier.requests)) {
      if (!gone.getValue().at().isBefore(cutoff)) spilled.add(new Forgotten(gone.getKey(), gone.getValue()));
    }
    return spilled;
  }

  private static <V> Recent<V> trim(Recent<V> entries, Instant now, Retention retention, Function<V, Instant> at) {
    Instant cutoff = now.minus(retention.window());
    while (!entries.isEmpty()
        && (entries.size() > retention.maxEntries() || at.apply(entries.oldest()).isBefore(cutoff))) {
      entries = entries.withoutOldest();
    }
    return entries;
  }
}
