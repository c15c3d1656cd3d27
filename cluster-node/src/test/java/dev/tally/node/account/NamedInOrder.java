package dev.tally.node.account;

/** Names reservations rsv-1, rsv-2, … as accounts once did, so a test can name a hold its own batch opens. */
final class NamedInOrder implements ReservationIds {

  private int named;

  @Override
  public String next() {
    return "rsv-" + ++named;
  }
}
