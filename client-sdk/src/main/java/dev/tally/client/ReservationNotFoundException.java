package dev.tally.client;

/**
 * The org has no such reservation: the id is wrong, belongs to another org, or was resolved so
 * long ago that the node forgot it. Nothing changed.
 */
public final class ReservationNotFoundException extends TallyException {

  ReservationNotFoundException(Failure failure) {
    super(failure);
  }
}
