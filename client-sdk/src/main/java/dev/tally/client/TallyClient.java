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
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * when it sent one. Nothing else is retried: {@link CreditsExhaustedException},
 * {@link RateLimitedException} and the other {@link TallyException}s reach the caller.
 *
 * <p><b>Failover.</b> Calls are spread {@code round_robin} over every node address that passes the
 * standard gRPC health check; a node that is stopping reports NOT_SERVING and gets no new calls.
 *
 * <p><b>Forms.</b> Every call has a blocking form, which throws a {@link TallyException}, and an
 * {@code ...Async} form, whose {@link CompletableFuture} fails with one (wrapped in a
 * {@link CompletionException} by {@code join()}). Async results complete on gRPC's threads: do not
 * block in their callbacks (never with {@link Builder#callbacksOnTransportThreads}). A deadline (the
 * builder's {@link Builder#defaultDeadline}) bounds every call including its retries. The
 * {@code Request}-taking forms give full control over the wire request (labels, TTL, your own
 * request id); the others fill it in from a few arguments.
 */
public final class TallyClient implements AutoCloseable {

  /** The port Tally nodes listen on by default. */
  public static final int DEFAULT_PORT = 50051;

  private final ManagedChannel channel;

  private TallyClient(ManagedChannel channel) {
    this.channel = channel;
  }

  /** Starts building a client. */
  public static Builder builder() {
    return new Builder();
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
    ReserveRequest identified = identified(request);
    ReserveResponse response = call(MeteringGrpc.getReserveMethod(), identified, identified.getRequestId());
    return new Reservation(this, identified, response);
  }

  /** Async form of {@link #reserve(String, Estimate)}. */
  public CompletableFuture<Reservation> reserveAsync(String orgId, Estimate estimate) {
    return reserveAsync(reserveRequest(orgId, estimate));
  }

  /** Async form of {@link #reserve(ReserveRequest)}. */
  public CompletableFuture<Reservation> reserveAsync(ReserveRequest request) {
    ReserveRequest identified = identified(request);
    return callAsync(MeteringGrpc.getReserveMethod(), identified, identified.getRequestId())
        .thenApply(response -> new Reservation(this, identified, response));
  }

  /**
   * Settles a reservation by id, e.g. one made by another process. Prefer {@link Reservation#commit}.
   * Pass your own {@code request_id} if you may retry this after a restart.
   */
  public CommitResponse commit(CommitRequest request) {
    CommitRequest identified = identified(request);
    return call(MeteringGrpc.getCommitMethod(), identified, identified.getRequestId());
  }

  /** Async form of {@link #commit(CommitRequest)}. */
  public CompletableFuture<CommitResponse> commitAsync(CommitRequest request) {
    CommitRequest identified = identified(request);
    return callAsync(MeteringGrpc.getCommitMethod(), identified, identified.getRequestId());
  }

  /** Releases a reservation by id without charging. Prefer {@link Reservation#release}. */
  public ReleaseResponse release(ReleaseRequest request) {
    ReleaseRequest identified = identified(request);
    return call(MeteringGrpc.getReleaseMethod(), identified, identified.getRequestId());
  }

  /** Async form of {@link #release(ReleaseRequest)}. */
  public CompletableFuture<ReleaseResponse> releaseAsync(ReleaseRequest request) {
    ReleaseRequest identified = identified(request);
    return callAsync(MeteringGrpc.getReleaseMethod(), identified, identified.getRequestId());
  }

  /** Pushes a reservation's expiry out and optionally holds more. Prefer {@link Reservation#extend}. */
  public ExtendReservationResponse extend(ExtendReservationRequest request) {
    ExtendReservationRequest identified = identified(request);
    return call(MeteringGrpc.getExtendReservationMethod(), identified, identified.getRequestId());
  }

  /** Async form of {@link #extend(ExtendReservationRequest)}. */
  public CompletableFuture<ExtendReservationResponse> extendAsync(ExtendReservationRequest request) {
    ExtendReservationRequest identified = identified(request);
    return callAsync(MeteringGrpc.getExtendReservationMethod(), identified, identified.getRequestId());
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
    ChargeRequest identified = identified(request);
    return call(MeteringGrpc.getChargeMethod(), identified, identified.getRequestId());
  }

  /** Async form of {@link #charge(String, Usage)}. */
  public CompletableFuture<ChargeResponse> chargeAsync(String orgId, Usage price) {
    return chargeAsync(chargeRequest(orgId, price));
  }

  /** Async form of {@link #charge(ChargeRequest)}. */
  public CompletableFuture<ChargeResponse> chargeAsync(ChargeRequest request) {
    ChargeRequest identified = identified(request);
    return callAsync(MeteringGrpc.getChargeMethod(), identified, identified.getRequestId());
  }

  /** An org's balance, grants, plan, limits and period usage. Changes nothing. */
  public GetBalanceResponse balance(String orgId) {
    return call(MeteringGrpc.getGetBalanceMethod(), GetBalanceRequest.newBuilder().setOrgId(orgId).build(), null);
  }

  /** Async form of {@link #balance(String)}. */
  public CompletableFuture<GetBalanceResponse> balanceAsync(String orgId) {
    return callAsync(MeteringGrpc.getGetBalanceMethod(), GetBalanceRequest.newBuilder().setOrgId(orgId).build(), null);
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

  // ---- Channel --------------------------------------------------------------------------------

  /**
   * The channel this client calls through, for other Tally services (e.g. {@code AccountsGrpc})
   * with the same balancing, health checking, retries, deadline and credentials. The client owns
   * it: do not shut it down. Requests you send yourself need their own {@code request_id}.
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
    }
  }

  // ---- Calls ----------------------------------------------------------------------------------

  private <Req, Res> Res call(MethodDescriptor<Req, Res> method, Req request, String requestId) {
    try {
      return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT, request);
    } catch (StatusRuntimeException failure) {
      throw TallyException.from(failure, requestId);
    }
  }

  private <Req, Res> CompletableFuture<Res> callAsync(MethodDescriptor<Req, Res> method, Req request, String requestId) {
    ClientCall<Req, Res> call = channel.newCall(method, CallOptions.DEFAULT);
    CompletableFuture<Res> result = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
      private Res response;

      @Override
      public void onNext(Res value) {
        response = value;
      }

      @Override
      public void onError(Throwable failure) {
        result.completeExceptionally(TallyException.from(failure, requestId));
      }

      @Override
      public void onCompleted() {
        result.complete(response);
      }
    });
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) call.cancel("cancelled by the caller", null);
    });
    return result;
  }

  private static ReserveRequest reserveRequest(String orgId, Estimate estimate) {
    return ProtoMapping.size(ReserveRequest.newBuilder().setOrgId(orgId), estimate).build();
  }

  private static ChargeRequest chargeRequest(String orgId, Usage price) {
    return ProtoMapping.price(ChargeRequest.newBuilder().setOrgId(orgId), price).build();
  }

  private static ReserveRequest identified(ReserveRequest request) {
    return request.getRequestId().isEmpty() ? request.toBuilder().setRequestId(ProtoMapping.newRequestId()).build() : request;
  }

  private static CommitRequest identified(CommitRequest request) {
    return request.getRequestId().isEmpty() ? request.toBuilder().setRequestId(ProtoMapping.newRequestId()).build() : request;
  }

  private static ReleaseRequest identified(ReleaseRequest request) {
    return request.getRequestId().isEmpty() ? request.toBuilder().setRequestId(ProtoMapping.newRequestId()).build() : request;
  }

  private static ExtendReservationRequest identified(ExtendReservationRequest request) {
    return request.getRequestId().isEmpty() ? request.toBuilder().setRequestId(ProtoMapping.newRequestId()).build() : request;
  }

  private static ChargeRequest identified(ChargeRequest request) {
    return request.getRequestId().isEmpty() ? request.toBuilder().setRequestId(ProtoMapping.newRequestId()).build() : request;
  }

  /**
   * Configures a {@link TallyClient}: where the nodes are, transport security, API key, deadline
   * and retries. Give either {@link #nodes} or {@link #target}.
   */
  public static final class Builder {

    private final List<NodeAddresses.Node> nodes = new ArrayList<>();
    private String target;
    private boolean tls;
    private Path trustedCertificates;
    private String authority;
    private String apiKey;
    private Duration defaultDeadline = Duration.ofSeconds(15);
    private int maxAttempts = 6;
    private Duration initialBackoff = Duration.ofMillis(200);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private boolean callbacksOnTransportThreads;

    private Builder() {}

    /**
     * The nodes to balance over, each {@code host:port} ({@code [ipv6]:port}; a bare host means
     * port {@value TallyClient#DEFAULT_PORT}). Host names are looked up again after connection failures.
     */
    public Builder nodes(String... hostPorts) {
      return nodes(List.of(hostPorts));
    }

    /** {@link #nodes(String...)} from a list. */
    public Builder nodes(List<String> hostPorts) {
      for (String hostPort : hostPorts) nodes.add(NodeAddresses.Node.parse(hostPort, DEFAULT_PORT));
      return this;
    }

    /**
     * A gRPC target naming all nodes, e.g. {@code dns:///tally.internal:50051} (every A/AAAA record
     * of the name is a node, e.g. a Kubernetes headless service).
     */
    public Builder target(String target) {
      this.target = Objects.requireNonNull(target, "target");
      return this;
    }

    /** Connects with TLS, trusting the JVM's default certificate authorities. Default: plaintext. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** Connects with TLS, trusting the certificate authorities in this PEM file. */
    public Builder tls(Path trustedCertificatesPem) {
      this.tls = true;
      this.trustedCertificates = Objects.requireNonNull(trustedCertificatesPem, "trustedCertificatesPem");
      return this;
    }

    /** The name every node's TLS certificate is checked against (default: each node's own host name). */
    public Builder authority(String authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /**
     * Sends this key with every call ({@code authorization: Bearer <key>}). Use {@link #tls()}
     * wherever the network is not trusted: over plaintext the key travels in the clear.
     */
    public Builder apiKey(String apiKey) {
      this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
      return this;
    }

    /** The longest a call may take, all its retries included. Default 15 s. */
    public Builder defaultDeadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) throw new IllegalArgumentException("deadline must be positive");
      this.defaultDeadline = deadline;
      return this;
    }

    /**
     * How UNAVAILABLE calls are retried: at most {@code maxAttempts} attempts in all (1 = never
     * retry), waiting a random time up to {@code initialBackoff}, doubled after each attempt up to
     * {@code maxBackoff}, unless the node's {@code RetryInfo} says how long. Default: 6 attempts,
     * 200 ms, 5 s.
     */
    public Builder retries(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
      if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
      if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("need 0 < initialBackoff <= maxBackoff");
      }
      this.maxAttempts = maxAttempts;
      this.initialBackoff = initialBackoff;
      this.maxBackoff = maxBackoff;
      return this;
    }

    /**
     * Completes the {@code ...Async} results on the transport's own threads instead of handing each
     * one to gRPC's shared pool. That hand-off is the SDK's biggest cost per call: a hot loop of
     * reserve+commit pairs needed less than half the CPU per pair with this (tally-bench, 256 in
     * flight). Only for callbacks that never block: one that waits stalls every call of this client.
     * Default: off.
     */
    public Builder callbacksOnTransportThreads() {
      this.callbacksOnTransportThreads = true;
      return this;
    }

    /** Builds the client; it connects lazily, on the first call. */
    public TallyClient build() {
      if (nodes.isEmpty() == (target == null)) throw new IllegalStateException("give either nodes(...) or target(...)");
      ChannelCredentials credentials = channelCredentials();
      if (apiKey != null) credentials = CompositeChannelCredentials.create(credentials, new ApiKey(apiKey));
      ManagedChannelBuilder<?> builder;
      if (target != null) {
        builder = Grpc.newChannelBuilder(target, credentials);
      } else {
        NameResolverRegistry registry = new NameResolverRegistry();
        registry.register(new NodeAddresses(nodes, authority == null));
        builder = Grpc.newChannelBuilder(NodeAddresses.TARGET, credentials, registry);
      }
      if (authority != null) builder.overrideAuthority(authority);
      if (callbacksOnTransportThreads) builder.directExecutor();
      ManagedChannel channel = builder
          .defaultServiceConfig(serviceConfig())
          .disableServiceConfigLookUp()
          .enableRetry()
          .maxRetryAttempts(maxAttempts)
          .intercept(new RetryInfoPushback())
          .userAgent("tally-client-sdk")
          .build();
      return new TallyClient(channel);
    }

    private ChannelCredentials channelCredentials() {
      if (!tls) return InsecureChannelCredentials.create();
      if (trustedCertificates == null) return TlsChannelCredentials.create();
      try {
        return TlsChannelCredentials.newBuilder().trustManager(trustedCertificates.toFile()).build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read trusted certificates " + trustedCertificates, e);
      }
    }

    /**
     * Balancing, health checking, deadline and retries in one place: the channel's gRPC service
     * config. Every Tally method retries UNAVAILABLE only; it is safe because each request carries
     * an id the node deduplicates on. WatchAlerts streams without a deadline.
     */
    Map<String, ?> serviceConfig() {
      List<Map<String, ?>> unary = List.of(
          Map.of("service", "tally.v1.Metering"),
          Map.of("service", "tally.v1.Accounts"));
      Map<String, Object> unaryConfig = new HashMap<>(Map.of(
          "name", unary,
          "timeout", ProtoMapping.serviceConfigDuration(defaultDeadline)));
      Map<String, Object> streamConfig = new HashMap<>(Map.of(
          "name", List.of(Map.of("service", "tally.v1.Accounts", "method", "WatchAlerts"))));
      if (maxAttempts > 1) {
        Map<String, ?> retryPolicy = Map.of(
            "maxAttempts", (double) maxAttempts,
            "initialBackoff", ProtoMapping.serviceConfigDuration(initialBackoff),
            "maxBackoff", ProtoMapping.serviceConfigDuration(maxBackoff),
            "backoffMultiplier", 2.0,
            "retryableStatusCodes", List.of("UNAVAILABLE"));
        unaryConfig.put("retryPolicy", retryPolicy);
        streamConfig.put("retryPolicy", retryPolicy);
      }
      return Map.of(
          "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
          "healthCheckConfig", Map.of("serviceName", ""),
          "methodConfig", List.of(unaryConfig, streamConfig));
    }
  }
}
