package dev.tally.node.terms;

import dev.tally.node.CborSerializable;

/** What a usage cost and how it was priced; the version is empty for a plain amount given by the caller. */
public record Cost(long amount, String priceBookVersion, int multiplierPermille) implements CborSerializable {

  public static Cost plain(long amount) {
    return new Cost(amount, "", 1000);
  }
}
