package dev.tally.client;

import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReleaseResponse;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Credits held for one AI call, from {@link TallyClient#reserve}. Resolve it exactly once:
 * {@link #commit} what the call used, or {@link #release} the hold. Used with try-with-resources,
 * {@link #close()} resolves it for you when the block ends without a commit:
 *
 * <ul>
 *   <li>nothing reported: the hold is released — the call failed, and failed calls are not billed;
 *   <li>a streaming call reported {@link #usedSoFar} and then stopped midway: that usage is
 *       committed, because it was delivered;
 *   <li>a commit whose outcome stayed unknown (every retry UNAVAILABLE): the same commit, with the
 *       same request id, is sent once more, because the call succeeded and is billed at most once.
 * </ul>
 *
 * <p><b>Streaming calls.</b> Report the usage delivered so far with {@link #usedSoFar} as the
 * stream runs. While a stream reports, the SDK keeps the hold alive: once half of the hold's
 * lifetime has passed, the next report extends it by another lifetime (in the background). A
 * stream that hangs stops reporting and its hold expires. {@link #extend} does it by hand, and can
 * hold more.
 *
 * <p>Thread-safe. Each operation keeps its request id across retries, and a repeated
 * {@link #commit} of the same usage after an unknown outcome reuses the first commit's id.
 */
public final class Reservation implements AutoCloseable {

  private static final System.Logger log = System.getLogger(Reservation.class.getName());

  private final TallyClient client;
  private final String orgId;
  private final String reservationId;
  private final String requestId;
  private final com.google.protobuf.Duration ttl;
  private final Duration lifetime;
  private final String releaseRequestId = ProtoMapping.newRequestId();

  // Guarded by this.
  private long held;
  private Instant expiresAt;
  private boolean resolved;
  private PendingCommit commitInDoubt;
  private Usage usedSoFar;
  private long renewAtNanos;
  private boolean renewing;

  /** A commit sent but not known to have landed. */
  private record PendingCommit(Usage usage, CommitRequest request) {}

  Reservation(TallyClient client, ReserveRequest request, ReserveResponse response) {
    this.client = client;
    this.orgId = request.getOrgId();
    this.reservationId = response.getReservationId();
    this.requestId = request.getRequestId();
    this.ttl = request.hasTtl() ? request.getTtl() : null;
    this.held = response.getHeld();
    this.expiresAt = Instant.ofEpochSecond(response.getExpiresAt().getSeconds(), response.getExpiresAt().getNanos());
    // Without a requested TTL the node chose one: estimate it from its expiry (clocks roughly agree).
    Duration life = ttl != null ? ProtoMapping.duration(ttl) : Duration.between(Instant.now(), expiresAt);
    this.lifetime = life.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : life;
    this.renewAtNanos = client.nanoTime() + lifetime.toNanos() / 2;
  }

  /** The org whose credits are held. */
  public String orgId() {
    return orgId;
  }

  /** The node's id of this reservation. */
  public String reservationId() {
    return reservationId;
  }

  /** The request id the reserve was sent with. */
  public String requestId() {
    return requestId;
  }

  /** Micro-credits held now. */
  public synchronized long held() {
    return held;
  }

  /** When the node releases the hold by itself unless it is committed, released or extended. */
  public synchronized Instant expiresAt() {
    return expiresAt;
  }

  /** Whether a commit or release of this reservation succeeded (or found it already resolved). */
  public synchronized boolean isResolved() {
    return resolved;
  }

  // ---- Commit ---------------------------------------------------------------------------------

  /**
   * Charges what the call used and ends the reservation. Below the hold the rest is released;
   * above it the excess is drawn from the balance (or becomes debt).
   *
   * @throws IllegalStateException if this reservation is already resolved
   * @throws TallyUnavailableException if the outcome stays unknown; {@link #close()} then re-sends it
   */
  public CommitResponse commit(Usage actual) {
    CommitRequest request = commitRequest(actual);
    try {
      CommitResponse response = client.commit(request);
      resolved();
      return response;
    } catch (TallyException failure) {
      commitFailed(actual, request, failure);
      throw failure;
    }
  }

  /** Async form of {@link #commit}. */
  public CompletableFuture<CommitResponse> commitAsync(Usage actual) {
    CommitRequest request = commitRequest(actual);
    return client.commitAsync(request).whenComplete((response, failure) -> {
      if (failure == null) resolved();
      else commitFailed(actual, request, TallyException.from(failure, request.getRequestId()));
    });
  }

  private synchronized CommitRequest commitRequest(Usage actual) {
    if (resolved) throw new IllegalStateException("reservation " + reservationId + " is already resolved");
    if (commitInDoubt != null && commitInDoubt.usage().equals(actual)) return commitInDoubt.request();
    return ProtoMapping.actual(CommitRequest.newBuilder()
            .setOrgId(orgId)
            .setRequestId(ProtoMapping.newRequestId())
            .setReservationId(reservationId), actual)
        .build();
  }

  private synchronized void commitFailed(Usage actual, CommitRequest request, TallyException failure) {
    if (failure instanceof TallyUnavailableException) {
      commitInDoubt = new PendingCommit(actual, request);
    } else if (failure instanceof ReservationResolvedException || failure instanceof ReservationNotFoundException) {
      resolved = true;
      commitInDoubt = null;
    }
  }

  // ---- Release --------------------------------------------------------------------------------

  /**
   * Ends the reservation without charging: the whole hold returns to the balance.
   *
   * @throws IllegalStateException if this reservation is already resolved
   * @throws ReservationResolvedException if the node had resolved it already (e.g. it expired)
   */
  public ReleaseResponse release() {
    ReleaseRequest request = releaseRequest();
    try {
      ReleaseResponse response = client.release(request);
      resolved();
      return response;
    } catch (ReservationResolvedException | ReservationNotFoundException gone) {
      resolved();
      throw gone;
    }
  }

  /** Async form of {@link #release}. */
  public CompletableFuture<ReleaseResponse> releaseAsync() {
    return client.releaseAsync(releaseRequest()).whenComplete((response, failure) -> {
      if (failure == null || isGone(failure)) resolved();
    });
  }

  private synchronized ReleaseRequest releaseRequest() {
    if (resolved) throw new IllegalStateException("reservation " + reservationId + " is already resolved");
    return ReleaseRequest.newBuilder()
        .setOrgId(orgId)
        .setRequestId(releaseRequestId)
        .setReservationId(reservationId)
        .build();
  }

  private static boolean isGone(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof ReservationResolvedException || cause instanceof ReservationNotFoundException;
  }

  private synchronized void resolved() {
    resolved = true;
    commitInDoubt = null;
  }

  // ---- Streaming ------------------------------------------------------------------------------

  /**
   * Reports the usage a streaming call has delivered so far (cumulative, not a delta). If the
   * stream stops midway, {@link #close()} commits the last report. Also keeps the hold alive: once
   * half its lifetime has passed, this extends it in the background.
   *
   * @throws IllegalStateException if this reservation is already resolved
   */
  public void usedSoFar(Usage soFar) {
    synchronized (this) {
      if (resolved) throw new IllegalStateException("reservation " + reservationId + " is already resolved");
      usedSoFar = soFar;
      if (renewing || client.nanoTime() - renewAtNanos < 0) return;
      renewing = true;
    }
    extendAsync(ttl == null ? null : ProtoMapping.duration(ttl), 0).whenComplete((extended, failure) -> {
      boolean worthSaying;
      synchronized (this) {
        renewing = false;
        // After a failure, try again with a later report, not with every one.
        if (failure != null) renewAtNanos = client.nanoTime() + lifetime.toNanos() / 8;
        worthSaying = failure != null && !resolved;
      }
      if (worthSaying) log.log(System.Logger.Level.WARNING, "could not extend reservation " + reservationId, failure);
    });
  }

  /** The usage last reported with {@link #usedSoFar}, or null. */
  public synchronized Usage lastUsedSoFar() {
    return usedSoFar;
  }

  /**
   * Pushes the expiry to {@code ttl} from now (null: the node's default TTL).
   *
   * @return the hold and its new expiry
   */
  public ExtendReservationResponse extend(Duration ttl) {
    return extend(ttl, 0);
  }

  /** Pushes the expiry to {@code ttl} from now (null: the node's default) and holds {@code additionalMicroCredits} more. */
  public ExtendReservationResponse extend(Duration ttl, long additionalMicroCredits) {
    long sentAt = client.nanoTime();
    ExtendReservationResponse response = client.extend(extendRequest(ttl, additionalMicroCredits));
    extended(response, sentAt);
    return response;
  }

  /** Async form of {@link #extend(Duration, long)}. */
  public CompletableFuture<ExtendReservationResponse> extendAsync(Duration ttl, long additionalMicroCredits) {
    long sentAt = client.nanoTime();
    return client.extendAsync(extendRequest(ttl, additionalMicroCredits)).thenApply(response -> {
      extended(response, sentAt);
      return response;
    });
  }

  private ExtendReservationRequest extendRequest(Duration ttl, long additionalMicroCredits) {
    ExtendReservationRequest.Builder request = ExtendReservationRequest.newBuilder()
        .setOrgId(orgId)
        .setRequestId(ProtoMapping.newRequestId())
        .setReservationId(reservationId)
        .setAdditionalAmount(additionalMicroCredits);
    if (ttl != null) request.setTtl(ProtoMapping.duration(ttl));
    return request.build();
  }

  /**
   * The node set the new expiry when the extension reached it, after {@code sentAtNanos}: the next renewal is
   * half a lifetime after the send, never after the answer arrived, which may be much later.
   */
  private synchronized void extended(ExtendReservationResponse response, long sentAtNanos) {
    held = response.getHeld();
    expiresAt = Instant.ofEpochSecond(response.getExpiresAt().getSeconds(), response.getExpiresAt().getNanos());
    renewAtNanos = sentAtNanos + lifetime.toNanos() / 2;
  }

  // ---- Close ----------------------------------------------------------------------------------

  /** What {@link #close()} must still do. */
  private sealed interface Settlement {
    record Nothing() implements Settlement {}
    record Resend(CommitRequest request) implements Settlement {}
    record CommitStreamed(Usage usage) implements Settlement {}
    record Release() implements Settlement {}
  }

  private synchronized Settlement settlement() {
    if (resolved) return new Settlement.Nothing();
    if (commitInDoubt != null) return new Settlement.Resend(commitInDoubt.request());
    if (usedSoFar != null) return new Settlement.CommitStreamed(usedSoFar);
    return new Settlement.Release();
  }

  /**
   * Resolves the reservation if nothing did (see the class comment): releases the hold, commits
   * the usage streamed so far, or re-sends a commit whose outcome is unknown. Does nothing if it
   * is resolved already; a hold the node had already resolved (e.g. expired) is not an error.
   *
   * @throws TallyException if the node could not be told; an unresolved hold still expires at {@link #expiresAt()}
   */
  @Override
  public void close() {
    Settlement settlement = settlement();
    if (settlement instanceof Settlement.Resend resend) {
      try {
        client.commit(resend.request());
        resolved();
      } catch (ReservationResolvedException | ReservationNotFoundException gone) {
        resolved();
        throw gone;
      }
    } else if (settlement instanceof Settlement.CommitStreamed streamed) {
      commit(streamed.usage());
    } else if (settlement instanceof Settlement.Release) {
      try {
        release();
      } catch (ReservationResolvedException | ReservationNotFoundException alreadyGone) {
        // The hold is gone either way, which is what closing wants.
      }
    }
  }

  /** Async form of {@link #close()}. */
  public CompletableFuture<Void> closeAsync() {
    Settlement settlement = settlement();
    if (settlement instanceof Settlement.Resend resend) {
      return client.commitAsync(resend.request()).whenComplete((response, failure) -> {
        if (failure == null || isGone(failure)) resolved();
      }).thenApply(response -> null);
    } else if (settlement instanceof Settlement.CommitStreamed streamed) {
      return commitAsync(streamed.usage()).thenApply(response -> null);
    } else if (settlement instanceof Settlement.Release) {
      return releaseAsync().handle((response, failure) -> {
        if (failure != null && !isGone(failure)) throw failure instanceof CompletionException c ? c : new CompletionException(failure);
        return null;
      });
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public synchronized String toString() {
    return "Reservation[org " + orgId + ", " + reservationId + ", held " + held + " µcr until " + expiresAt
        + (resolved ? ", resolved" : "") + "]";
  }
}
