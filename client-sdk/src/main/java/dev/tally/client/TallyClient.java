package dev.tally.client;

import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReleaseResponse;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The Tally client: meters AI calls against a Tally cluster. One instance per application,
 * shared by all threads; {@link #close() close} it on shutdown.
 *
 * <pre>{@code
 * try (TallyClient tally = TallyClient.builder().nodes("10.0.0.1:50051", "10.0.0.2:50051").build()) {
 *   // Hold credits, run the call, bill what it used; an exception releases the hold instead.
 *   try (Reservation reservation = tally.reserve("acme", Estimate.tokens("gpt-4o", 1_200, 800))) {
 *     Completion completion = llm.complete(prompt);
 *     reservation.commit(Usage.tokens("gpt-4o", completion.inputTokens(), completion.outputTokens()));
 *   }
 *   // The same in one line.
 *   Completion completion = tally.meter("acme", Estimate.tokens("gpt-4o", 1_200, 800),
 *       () -> llm.complete(prompt), c -> Usage.tokens("gpt-4o", c.inputTokens(), c.outputTokens()));
 * }
 * }</pre>
 *
 * <p><b>Retries without double charges.</b> Each operation gets a fresh {@code request_id} (unless
 * the request carries one), and every retry of it sends the same id, so a node applies it at most
 * once. Retries come from the channel's gRPC service config: UNAVAILABLE only (node down or
 * draining, BACKPRESSURE, TIMEOUT), with exponential backoff, or after the node's {@code RetryInfo}
 * when it sent one; and a call the client's own connection cut before its request left (a node
 * closing an old connection under a burst), sent again up to twice within its deadline.
 * Nothing else is retried: {@link CreditsExhaustedException},
 * {@link RateLimitedException} and the other {@link TallyException}s reach the caller.
 *
 * <p><b>Failover.</b> Calls are spread {@code round_robin} over every node address that passes the
 * standard gRPC health check; a node that is stopping reports NOT_SERVING and gets no new calls.
 *
 * <p><b>Forms.</b> Every call has a blocking form, which throws a {@link TallyException}, and an
 * {@code ...Async} form, whose {@link CompletableFuture} fails with one (wrapped in a
 * {@link CompletionException} by {@code join()}). Async results complete on gRPC's threads: do not
 * block in their callbacks (never with {@link TallyClientBuilder#callbacksOnTransportThreads}). A deadline (the
 * builder's {@link TallyClientBuilder#defaultDeadline}) bounds every call including its retries. The
 * {@code Request}-taking forms give full control over the wire request (labels, TTL, your own
 * request id); the others fill it in from a few arguments.
 */
public final class TallyClient implements AutoCloseable {

  /** The port Tally nodes listen on by default. */
  public static final int DEFAULT_PORT = 50051;

  private final ManagedChannel channel;
  private final Calls calls;
  private final AccountsClient accounts;
  private final LongSupplier ticker;

  TallyClient(ManagedChannel channel, Duration deadline, LongSupplier ticker) {
    this.channel = channel;
    this.calls = new Calls(channel, deadline);
    this.accounts = new AccountsClient(calls);
    this.ticker = ticker;
  }

  /** Starts building a client. */
  public static TallyClientBuilder builder() {
    return new TallyClientBuilder();
  }

  /** The control plane on this client's channel: orgs, grants, plans, the ledger, alerts. */
  public AccountsClient accounts() {
    return accounts;
  }

  // ---- Reservations ---------------------------------------------------------------------------

  /**
   * Holds credits for a call about to run. Commit what the call used, or close the reservation
   * (try-with-resources) to release the hold when the call failed.
   *
   * @throws CreditsExhaustedException when the org cannot cover the estimate
   * @throws RateLimitedException when a rate limit of the org is reached
   */
  public Reservation reserve(String orgId, Estimate estimate) {
    return reserve(reserveRequest(orgId, estimate));
  }

  /** {@link #reserve(String, Estimate)} with every field of the request under your control. */
  public Reservation reserve(ReserveRequest request) {
    ReserveRequest identified = Calls.identified(request);
    ReserveResponse response = calls.blocking(MeteringGrpc.getReserveMethod(), identified);
    return new Reservation(this, identified, response);
  }

  /** Async form of {@link #reserve(String, Estimate)}. */
  public CompletableFuture<Reservation> reserveAsync(String orgId, Estimate estimate) {
    return reserveAsync(reserveRequest(orgId, estimate));
  }

  /** Async form of {@link #reserve(ReserveRequest)}. */
  public CompletableFuture<Reservation> reserveAsync(ReserveRequest request) {
    ReserveRequest identified = Calls.identified(request);
    return calls.async(MeteringGrpc.getReserveMethod(), identified)
        .thenApply(response -> new Reservation(this, identified, response));
  }

  /**
   * Settles a reservation by id, e.g. one made by another process. Prefer {@link Reservation#commit}.
   * Pass your own {@code request_id} if you may retry this after a restart.
   */
  public CommitResponse commit(CommitRequest request) {
    return calls.blocking(MeteringGrpc.getCommitMethod(), Calls.identified(request));
  }

  /** Async form of {@link #commit(CommitRequest)}. */
  public CompletableFuture<CommitResponse> commitAsync(CommitRequest request) {
    return calls.async(MeteringGrpc.getCommitMethod(), Calls.identified(request));
  }

  /** Releases a reservation by id without charging. Prefer {@link Reservation#release}. */
  public ReleaseResponse release(ReleaseRequest request) {
    return calls.blocking(MeteringGrpc.getReleaseMethod(), Calls.identified(request));
  }

  /** Async form of {@link #release(ReleaseRequest)}. */
  public CompletableFuture<ReleaseResponse> releaseAsync(ReleaseRequest request) {
    return calls.async(MeteringGrpc.getReleaseMethod(), Calls.identified(request));
  }

  /** Pushes a reservation's expiry out and optionally holds more. Prefer {@link Reservation#extend}. */
  public ExtendReservationResponse extend(ExtendReservationRequest request) {
    return calls.blocking(MeteringGrpc.getExtendReservationMethod(), Calls.identified(request));
  }

  /** Async form of {@link #extend(ExtendReservationRequest)}. */
  public CompletableFuture<ExtendReservationResponse> extendAsync(ExtendReservationRequest request) {
    return calls.async(MeteringGrpc.getExtendReservationMethod(), Calls.identified(request));
  }

  // ---- One step -------------------------------------------------------------------------------

  /**
   * Reserves and commits at once, for calls whose price is known up front (e.g.
   * {@code Usage.callType("embedding")}).
   *
   * @throws CreditsExhaustedException when the org cannot cover the price
   */
  public ChargeResponse charge(String orgId, Usage price) {
    return charge(chargeRequest(orgId, price));
  }

  /** {@link #charge(String, Usage)} with every field of the request under your control. */
  public ChargeResponse charge(ChargeRequest request) {
    return calls.blocking(MeteringGrpc.getChargeMethod(), Calls.identified(request));
  }

  /** Async form of {@link #charge(String, Usage)}. */
  public CompletableFuture<ChargeResponse> chargeAsync(String orgId, Usage price) {
    return chargeAsync(chargeRequest(orgId, price));
  }

  /** Async form of {@link #charge(ChargeRequest)}. */
  public CompletableFuture<ChargeResponse> chargeAsync(ChargeRequest request) {
    return calls.async(MeteringGrpc.getChargeMethod(), Calls.identified(request));
  }

  /** An org's balance, grants, plan, limits and period usage. Changes nothing. */
  public GetBalanceResponse balance(String orgId) {
    return calls.blocking(MeteringGrpc.getGetBalanceMethod(), GetBalanceRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Async form of {@link #balance(String)}. */
  public CompletableFuture<GetBalanceResponse> balanceAsync(String orgId) {
    return calls.async(MeteringGrpc.getGetBalanceMethod(), GetBalanceRequest.newBuilder().setOrgId(orgId).build());
  }

  // ---- Metering a call in one line ------------------------------------------------------------

  /**
   * Reserves {@code estimate}, runs {@code call}, and commits the usage {@code usageOf} reads from
   * its result; if the call throws, releases the hold (failed calls are not billed) and rethrows.
   *
   * @return what the call returned
   * @throws E what the call threw
   * @throws TallyException when reserving or committing failed
   */
  public <T, E extends Exception> T meter(
      String orgId, Estimate estimate, MeteredCall<T, E> call, Function<? super T, Usage> usageOf) throws E {
    try (Reservation reservation = reserve(orgId, estimate)) {
      T result = call.call();
      reservation.commit(usageOf.apply(result));
      return result;
    }
  }

  /**
   * Async form of {@link #meter}: reserves, then starts {@code call}; when its stage completes,
   * commits the usage of its result, or releases the hold if it failed. The returned future
   * completes with the call's result once the commit is done, or fails with the call's failure
   * (or the SDK's, if reserving or committing failed).
   */
  public <T> CompletableFuture<T> meterAsync(
      String orgId, Estimate estimate, Supplier<? extends CompletionStage<T>> call, Function<? super T, Usage> usageOf) {
    return reserveAsync(orgId, estimate).thenCompose(reservation -> {
      CompletableFuture<T> ran;
      try {
        ran = call.get().toCompletableFuture();
      } catch (RuntimeException | Error thrown) {
        ran = CompletableFuture.failedFuture(thrown);
      }
      return ran
          .thenCompose(result -> reservation.commitAsync(usageOf.apply(result)).thenApply(committed -> result))
          .handle((result, failure) -> failure == null
              ? CompletableFuture.completedFuture(result)
              : TallyClient.<T>closeThenFail(reservation, failure))
          .thenCompose(Function.identity());
    });
  }

  private static <T> CompletableFuture<T> closeThenFail(Reservation reservation, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return reservation.closeAsync().handle((closed, closeFailure) -> {
      if (closeFailure != null) {
        cause.addSuppressed(closeFailure instanceof CompletionException ? closeFailure.getCause() : closeFailure);
      }
      throw new CompletionException(cause);
    });
  }

  /** The time reservations measure their lifetime by: {@link System#nanoTime()} unless a test moves it. */
  long nanoTime() {
    return ticker.getAsLong();
  }

  // ---- Channel --------------------------------------------------------------------------------

  /**
   * The channel this client calls through, for gRPC services the SDK does not wrap (health,
   * reflection), with the same balancing, health checking, retries, deadline and credentials. The
   * client owns it: do not shut it down. Requests you send yourself need their own {@code request_id}.
   */
  public Channel channel() {
    return channel;
  }

  /** Stops the client: calls in flight get a few seconds to finish, then are cancelled. */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) channel.shutdownNow();
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      calls.close();
    }
  }

  private static ReserveRequest reserveRequest(String orgId, Estimate estimate) {
    return ProtoMapping.size(ReserveRequest.newBuilder().setOrgId(orgId), estimate).build();
  }

  private static ChargeRequest chargeRequest(String orgId, Usage price) {
    return ProtoMapping.price(ChargeRequest.newBuilder().setOrgId(orgId), price).build();
  }
}
