package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * What an org remembers of recent requests (rule 6: a retry returns the first outcome) and of
 * recently resolved reservations (rule 5: a second resolution is told how the first went). Both
 * forget entries older than the retention window or beyond its size, oldest first.
 */
public record RequestMemory(Recent<Remembered> requests, Recent<Resolution> resolved) {

  public static final RequestMemory EMPTY = new RequestMemory(Recent.empty(), Recent.empty());

  /** How long and how many request ids each org remembers: whichever limit is reached first. */
  public record Retention(Duration window, int maxEntries) {}

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

  public RequestMemory remember(String requestId, Remembered outcome, Retention retention) {
    return new RequestMemory(trim(requests.plus(requestId, outcome), outcome.at(), retention, Remembered::at), resolved);
  }

  public RequestMemory resolve(String reservationId, Resolution resolution, Retention retention) {
    return new RequestMemory(requests, trim(resolved.plus(reservationId, resolution), resolution.at(), retention, Resolution::at));
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
