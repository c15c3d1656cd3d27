package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Result;
import dev.tally.node.account.RequestMemory.How;
import dev.tally.node.account.RequestMemory.Remembered;
import dev.tally.node.account.RequestMemory.Resolution;
import dev.tally.node.terms.Overrides;
import java.time.Instant;
import java.util.List;

/**
 * An open account as plain lists, the form snapshots are stored in. The live state uses persistent
 * maps so that each event costs no copy of the whole account; those do not serialize as such.
 */
public record AccountSnapshot(
    String orgId,
    String displayName,
    Instant createdAt,
    String plan,
    Overrides overrides,
    List<Grant> grants,
    List<Reservation> reservations,
    long held,
    long debt,
    long grantsGiven,
    long reservationsMade,
    Period period,
    List<RequestSeen> requests,
    List<ReservationResolved> resolved,
    Instant requestsSpilledUntil,
    List<GrantLine> finishedGrants,
    Referral referral,
    String nextPlan,
    boolean depleted,
    SpilledRequests requestsSpilled)
    implements CborSerializable {

  public record RequestSeen(String requestId, String fingerprint, Result result, Instant at) implements CborSerializable {}

  public record ReservationResolved(String reservationId, How how, Instant at) implements CborSerializable {}

  public static AccountSnapshot of(OpenAccount account) {
    RequestMemory memory = account.memory();
    return new AccountSnapshot(
        account.orgId(),
        account.displayName(),
        account.createdAt(),
        account.plan(),
        account.overrides(),
        List.copyOf(account.grants().values()),
        account.reservations().inExpiryOrder(),
        account.held(),
        account.debt(),
        account.grants().given(),
        account.reservations().made(),
        account.period(),
        memory.requests().entries().stream()
            .map(e -> new RequestSeen(e.getKey(), e.getValue().fingerprintHex(), e.getValue().result(), e.getValue().at()))
            .toList(),
        memory.resolved().entries().stream()
            .map(e -> new ReservationResolved(e.getKey(), e.getValue().how(), e.getValue().at()))
            .toList(),
        memory.spilled().until(),
        List.copyOf(account.grants().finished()),
        account.referral(),
        account.subscription().nextPlan(),
        account.depleted(),
        memory.spilled());
  }

  /**
   * {@code held} is kept in the stored form for older readers; the account sums its reservations
   * again. {@code requestsSpilledUntil} is {@code requestsSpilled.until()}, kept for older readers: a
   * snapshot from before the request table has neither (nothing spilled), one from before ids' times
   * were kept has only {@code requestsSpilledUntil} (any unknown id may be in the table until its window ends).
   * {@code finishedGrants} is null in snapshots from before it was kept: none then. {@code referral}
   * is null in snapshots from before referrals: no code, no referrer, no rewards. {@code nextPlan}
   * is the plan scheduled for the period's end; null when none, as in snapshots from before it existed.
   * {@code depleted} is false in snapshots from before it was kept, when no depletion was ever raised.
   */
  public OpenAccount toAccount() {
    Recent<Remembered> seen = Recent.empty();
    for (RequestSeen request : requests) {
      seen = seen.plus(request.requestId(), Remembered.of(request.fingerprint(), request.result(), request.at()));
    }
    Recent<Resolution> resolutions = Recent.empty();
    for (ReservationResolved r : resolved) resolutions = resolutions.plus(r.reservationId(), new Resolution(r.how(), r.at()));
    return new OpenAccount(
        orgId, displayName, createdAt, new Subscription(plan, overrides, nextPlan), Grants.of(grants, grantsGiven, finishedGrants),
        Holds.of(reservations, reservationsMade), debt, period, new RequestMemory(seen, resolutions,
            requestsSpilled != null ? requestsSpilled : SpilledRequests.keptBeforeIdTimes(requestsSpilledUntil)),
        referral == null ? Referral.NONE : referral, depleted);
  }

}
