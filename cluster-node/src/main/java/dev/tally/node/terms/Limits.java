package dev.tally.node.terms;

import dev.tally.node.CborSerializable;

/** An org's rate limits; 0 means unlimited. Credits are micro-credits. */
public record Limits(long requestsPerMinute, long creditsPerMinute, int concurrentReservations)
    implements CborSerializable {

  public static final Limits UNLIMITED = new Limits(0, 0, 0);
}
