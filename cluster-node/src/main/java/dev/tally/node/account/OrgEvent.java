package dev.tally.node.account;

import java.time.Instant;
import java.util.List;

/** What happened to an org's account: the journal, and so the audit ledger. Never deleted. */
public sealed interface OrgEvent extends CborSerializable {

  /** When it happened (for expiries: the moment the reservation or grant expired). */
  Instant at();

  /** An event caused by a client request; the request's id and content digest make retries idempotent. */
  sealed interface Requested extends OrgEvent {
    String requestId();

    String fingerprint();
  }

  record OrgCreated(String orgId, String displayName, Instant at) implements OrgEvent {}

  record CreditsGranted(
      String requestId,
      String fingerprint,
      String grantId,
      GrantKind kind,
      long amount,
      int priority,
      Instant effectiveAt,
      Instant expiresAt,
      Instant at)
      implements Requested {}

  record GrantVoided(String requestId, String fingerprint, String grantId, long voided, String reason, Instant at)
      implements Requested {}

  record GrantExpired(String grantId, long expired, Instant at) implements OrgEvent {}

  record CreditsReserved(
      String requestId,
      String fingerprint,
      String reservationId,
      long amount,
      Instant expiresAt,
      Labels labels,
      Instant at)
      implements Requested {}

  record ReservationExtended(
      String requestId, String fingerprint, String reservationId, long additional, Instant expiresAt, Instant at)
      implements Requested {}

  /** {@code charged} = covered by {@code draws} + {@code debtIncurred}; the hold's rest is released. */
  record ReservationCommitted(
      String requestId,
      String fingerprint,
      String reservationId,
      long held,
      long charged,
      List<Draw> draws,
      long debtIncurred,
      Labels labels,
      Instant at)
      implements Requested {}

  record ReservationReleased(String requestId, String fingerprint, String reservationId, long released, Instant at)
      implements Requested {}

  record ReservationExpired(String reservationId, long released, Instant at) implements OrgEvent {}

  /** A one-step charge: reserve and commit at once. */
  record CreditsCharged(
      String requestId, String fingerprint, long charged, List<Draw> draws, Labels labels, Instant at)
      implements Requested {}

  /** Free credits paid off debt. */
  record DebtSettled(long settled, List<Draw> draws, Instant at) implements OrgEvent {}
}
