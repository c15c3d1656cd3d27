package dev.tally.node.account;

import dev.tally.node.account.OrgEvent.ReservationExpired;
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
 * what is due is asked after every operation. {@code held} is the sum of their holds, kept so a
 * balance costs no scan; {@code made} counts every reservation ever opened. Reservations were once
 * named by that count; it is still kept, and written to snapshots, so that a node of that older
 * version reading a newer snapshot never names a hold after one that exists.
 */
public record Holds(PMap<String, Reservation> byId, TreePSet<Reservation> byExpiry, long held, long made) {

  /**
   * The most reservations an org has open at once, whatever its plan says (a plan's 0 means this):
   * bounds the account's memory and keeps its snapshot far below Cassandra's 16 MiB frame.
   */
  public static final int MAX_OPEN = 10_000;

  private static final Comparator<Reservation> EXPIRY_ORDER =
      Comparator.comparing(Reservation::expiresAt).thenComparing(Reservation::reservationId);

  public static final Holds NONE = new Holds(HashTreePMap.empty(), TreePSet.empty(EXPIRY_ORDER), 0, 0);

  /** The open reservations of a snapshot, {@code made} of them ever opened. */
  static Holds of(Collection<Reservation> reservations, long made) {
    Holds holds = new Holds(NONE.byId, NONE.byExpiry, 0, made);
    for (Reservation reservation : reservations) holds = holds.replacing(reservation);
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

  /** With a newly opened reservation. */
  Holds opening(Reservation reservation) {
    Holds added = replacing(reservation);
    return new Holds(added.byId, added.byExpiry, added.held, made + 1);
  }

  /** With the reservation's hold raised by {@code additional} until {@code expiresAt}. */
  Holds extending(String reservationId, long additional, Instant expiresAt) {
    return replacing(byId.get(reservationId).extended(additional, expiresAt));
  }

  public Holds minus(String reservationId) {
    Reservation removed = byId.get(reservationId);
    if (removed == null) return this;
    return new Holds(byId.minus(reservationId), byExpiry.minus(removed), held - removed.held(), made);
  }

  /**
   * Rule 4: a hold not committed or released by its {@code expiresAt} is released whole, stamped
   * with the moment it expired. These are the ones due by {@code until}, soonest first.
   */
  List<ReservationExpired> expiriesBy(Instant until) {
    if (byExpiry.isEmpty() || byExpiry.first().expiresAt().isAfter(until)) return List.of();
    List<ReservationExpired> expired = new ArrayList<>();
    for (Reservation reservation : byExpiry) {
      if (reservation.expiresAt().isAfter(until)) break;
      expired.add(new ReservationExpired(reservation.reservationId(), reservation.held(), reservation.labels(),
          reservation.apiKeyId(), reservation.expiresAt()));
    }
    return expired;
  }

  public Optional<Instant> firstExpiry() {
    return byExpiry.isEmpty() ? Optional.empty() : Optional.of(byExpiry.first().expiresAt());
  }

  /** Adds a reservation, or replaces the one with its id. */
  private Holds replacing(Reservation reservation) {
    Reservation replaced = byId.get(reservation.reservationId());
    TreePSet<Reservation> ordered = replaced == null ? byExpiry : byExpiry.minus(replaced);
    long heldBefore = replaced == null ? 0 : replaced.held();
    return new Holds(byId.plus(reservation.reservationId(), reservation), ordered.plus(reservation),
        Math.addExact(held - heldBefore, reservation.held()), made);
  }
}
