package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What an org's rows in {@link RequestOutcomeTable} can be, so that a request id the account does
 * not remember is looked up there only when it may be one of them.
 *
 * <p>A request id that is a UUIDv7 (RFC 9562, as the SDK makes them) names the time it was made.
 * That time is part of the id, so an id naming a time later than every spilled id named cannot be
 * among them, and a fresh request of a busy org needs no read of the table, whatever its callers'
 * clocks say: a caller whose clock is wrong only makes its org read the table again, as it did
 * for every id before. An id naming a time more than {@link #ID_TIME_LEAD} after the request was
 * decided is not taken at its word, so that no id can keep its org reading beyond one window.
 * Ids of the two forms cannot be each other, so each form is ruled out on its own.
 *
 * @param until when the newest spilled request was decided; null while none was
 * @param untimedUntil the same for spilled requests whose id names no time
 * @param farAheadUntil the same for spilled requests whose id names a time too far ahead of it
 * @param idTimeUntil the latest time named by the id of any other spilled request
 */
public record SpilledRequests(Instant until, Instant untimedUntil, Instant farAheadUntil, Instant idTimeUntil)
    implements CborSerializable {

  public static final SpilledRequests NONE = new SpilledRequests(null, null, null, Instant.EPOCH);

  /** How far an id's time may be ahead of the node's clock and still count. */
  static final Duration ID_TIME_LEAD = Duration.ofMinutes(1);

  /**
   * What a snapshot stored before ids' times were kept says: requests were spilled until {@code
   * until} (or never, if null), any id among them.
   */
  static SpilledRequests keptBeforeIdTimes(Instant until) {
    return until == null ? NONE : new SpilledRequests(until, until, until, Instant.EPOCH);
  }

  /** With the request {@code requestId}, decided at {@code decidedAt}, spilled too. */
  SpilledRequests plus(String requestId, Instant decidedAt) {
    Instant newest = latest(until, decidedAt);
    Optional<Instant> named = idTime(requestId);
    if (named.isEmpty()) return new SpilledRequests(newest, latest(untimedUntil, decidedAt), farAheadUntil, idTimeUntil);
    if (named.get().isAfter(decidedAt.plus(ID_TIME_LEAD))) {
      return new SpilledRequests(newest, untimedUntil, latest(farAheadUntil, decidedAt), idTimeUntil);
    }
    return new SpilledRequests(newest, untimedUntil, farAheadUntil, latest(idTimeUntil, named.get()));
  }

  /** Whether any spilled request is still inside its window at {@code now}. */
  boolean anyWithin(Instant now, Duration window) {
    return within(until, now, window);
  }

  /** Whether the table may hold {@code requestId} at {@code now}, the account not remembering it. */
  boolean mayHold(String requestId, Instant now, Duration window) {
    if (!anyWithin(now, window)) return false;
    Optional<Instant> named = idTime(requestId);
    if (named.isEmpty()) return within(untimedUntil, now, window);
    return !named.get().isAfter(idTimeUntil) || within(farAheadUntil, now, window);
  }

  /**
   * The time a UUIDv7 request id names (its first 48 bits, milliseconds since the epoch), in either
   * case of hex digits; empty for any other id.
   */
  static Optional<Instant> idTime(String requestId) {
    if (requestId.length() != 36 || requestId.charAt(14) != '7') return Optional.empty();
    for (int i = 0; i < 36; i++) {
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? requestId.charAt(i) != '-' : !HexFormat.isHexDigit(requestId.charAt(i))) return Optional.empty();
    }
    if ((HexFormat.fromHexDigit(requestId.charAt(19)) & 0b1100) != 0b1000) return Optional.empty(); // RFC 9562's variant
    long millis = HexFormat.fromHexDigitsToLong(requestId, 0, 8) << 16 | HexFormat.fromHexDigits(requestId, 9, 13);
    return Optional.of(Instant.ofEpochMilli(millis));
  }

  private static boolean within(Instant decided, Instant now, Duration window) {
    return decided != null && !decided.plus(window).isBefore(now);
  }

  private static Instant latest(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }
}
