package dev.tally.node.account;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.TreePSet;

/**
 * An account's open reservations, by id and in expiry order, so the holds that fell due and the
 * next one to fall due are found without looking at the others: a busy org has hundreds open, and
 * what is due is asked after every operation.
 */
public record Holds(PMap<String, Reservation> byId, TreePSet<Reservation> byExpiry) {

  private static final Comparator<Reservation> EXPIRY_ORDER =
      Comparator.comparing(Reservation::expiresAt).thenComparing(Reservation::reservationId);

  public static final Holds NONE = new Holds(HashTreePMap.empty(), TreePSet.empty(EXPIRY_ORDER));

  static Holds of(Collection<Reservation> reservations) {
    Holds holds = NONE;
    for (Reservation reservation : reservations) holds = holds.plus(reservation);
    return holds;
  }

  public Reservation get(String reservationId) {
    return byId.get(reservationId);
  }

  public int size() {
    return byId.size();
  }

  /** The open reservations, soonest to expire first. */
  public List<Reservation> inExpiryOrder() {
    return List.copyOf(byExpiry);
  }

  /** Adds a reservation, or replaces the one with its id (an extension). */
  public Holds plus(Reservation reservation) {
    Reservation replaced = byId.get(reservation.reservationId());
    TreePSet<Reservation> ordered = replaced == null ? byExpiry : byExpiry.minus(replaced);
    return new Holds(byId.plus(reservation.reservationId(), reservation), ordered.plus(reservation));
  }

  public Holds minus(String reservationId) {
    Reservation removed = byId.get(reservationId);
    if (removed == null) return this;
    return new Holds(byId.minus(reservationId), byExpiry.minus(removed));
  }

  /** The holds expired by {@code until}, soonest first. */
  public List<Reservation> expiredAt(Instant until) {
    List<Reservation> expired = new ArrayList<>();
    for (Reservation reservation : byExpiry) {
      if (!reservation.expiredAt(until)) break;
      expired.add(reservation);
    }
    return expired;
  }

  public Optional<Instant> firstExpiry() {
    return byExpiry.isEmpty() ? Optional.empty() : Optional.of(byExpiry.first().expiresAt());
  }
}
