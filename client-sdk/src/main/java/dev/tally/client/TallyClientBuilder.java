package dev.tally.client;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Configures a {@link TallyClient}: where the nodes are, transport security, API key, deadline
 * and retries. Give either {@link #nodes} or {@link #target}.
 */
public final class TallyClientBuilder {

  private final List<NodeAddresses.Node> nodes = new ArrayList<>();
  private String target;
  private boolean tls;
  private Path trustedCertificates;
  private Path clientCertificateChain;
  private Path clientPrivateKey;
  private String authority;
  private String apiKey;
  private Duration defaultDeadline = Duration.ofSeconds(15);
  private int maxAttempts = 6;
  private Duration initialBackoff = Duration.ofMillis(200);
  private Duration maxBackoff = Duration.ofSeconds(5);
  private boolean callbacksOnTransportThreads;
  private LongSupplier ticker = System::nanoTime;

  TallyClientBuilder() {}

  /**
   * The nodes to balance over, each {@code host:port} ({@code [ipv6]:port}; a bare host means
   * port {@value TallyClient#DEFAULT_PORT}). Host names are looked up again after connection failures.
   */
  public TallyClientBuilder nodes(String... hostPorts) {
    return nodes(List.of(hostPorts));
  }

  /** {@link #nodes(String...)} from a list. */
  public TallyClientBuilder nodes(List<String> hostPorts) {
    for (String hostPort : hostPorts) nodes.add(NodeAddresses.Node.parse(hostPort, TallyClient.DEFAULT_PORT));
    return this;
  }

  /**
   * A gRPC target naming all nodes, e.g. {@code dns:///tally.internal:50051} (every A/AAAA record
   * of the name is a node, e.g. a Kubernetes headless service).
   */
  public TallyClientBuilder target(String target) {
    this.target = Objects.requireNonNull(target, "target");
    return this;
  }

  /** Connects with TLS, trusting the JVM's default certificate authorities. Default: plaintext. */
  public TallyClientBuilder tls() {
    this.tls = true;
    return this;
  }

  /** Connects with TLS, trusting the certificate authorities in this PEM file. */
  public TallyClientBuilder tls(Path trustedCertificatesPem) {
    this.tls = true;
    this.trustedCertificates = Objects.requireNonNull(trustedCertificatesPem, "trustedCertificatesPem");
    return this;
  }

  /**
   * Presents this certificate to the nodes (mutual TLS), for nodes that require client certificates
   * ({@code TALLY_GRPC_TLS_CLIENT_CA}): the chain as PEM, the client's certificate first, and its
   * unencrypted PKCS#8 PEM private key. Needs {@link #tls()} or {@link #tls(Path)}.
   */
  public TallyClientBuilder clientCertificate(Path certificateChainPem, Path privateKeyPem) {
    this.clientCertificateChain = Objects.requireNonNull(certificateChainPem, "certificateChainPem");
    this.clientPrivateKey = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    return this;
  }

  /** The name every node's TLS certificate is checked against (default: each node's own host name). */
  public TallyClientBuilder authority(String authority) {
    this.authority = Objects.requireNonNull(authority, "authority");
    return this;
  }

  /**
   * Sends this key with every call ({@code authorization: Bearer <key>}). Use {@link #tls()}
   * wherever the network is not trusted: over plaintext the key travels in the clear.
   */
  public TallyClientBuilder apiKey(String apiKey) {
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    return this;
  }

  /** The longest a call may take, all its retries included. Default 15 s. */
  public TallyClientBuilder defaultDeadline(Duration deadline) {
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
  public TallyClientBuilder retries(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
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
   * A call made before the client has connected may still complete on another thread (gRPC's, which
   * hands it to the connection). Default: off.
   */
  public TallyClientBuilder callbacksOnTransportThreads() {
    this.callbacksOnTransportThreads = true;
    return this;
  }

  /** The clock, in nanoseconds, by which reservations decide when to extend themselves (tests move it). */
  TallyClientBuilder ticker(LongSupplier ticker) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    return this;
  }

  /** Builds the client; it connects lazily, on the first call. */
  public TallyClient build() {
    if (nodes.isEmpty() == (target == null)) throw new IllegalStateException("give either nodes(...) or target(...)");
    ChannelCredentials credentials = channelCredentials();
    if (apiKey != null) credentials = CompositeChannelCredentials.create(credentials, new ApiKey(apiKey));
    ManagedChannelBuilder<?> builder;
    try {
      if (target != null) {
        builder = Grpc.newChannelBuilder(target, credentials);
      } else {
        NameResolverRegistry registry = new NameResolverRegistry();
        registry.register(new NodeAddresses(nodes, authority == null));
        builder = Grpc.newChannelBuilder(NodeAddresses.TARGET, credentials, registry);
      }
    } catch (IllegalArgumentException e) {
      if (!tls) throw e;
      // The TLS files were read but are not what they should be; name them, never their content.
      throw new IllegalArgumentException("cannot use the TLS files (trusted certificates "
          + (trustedCertificates == null ? "of the JVM" : trustedCertificates)
          + (clientCertificateChain == null ? "" : ", client certificate " + clientCertificateChain + ", key " + clientPrivateKey)
          + "): " + e.getMessage(), e);
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
    return new TallyClient(channel, defaultDeadline, ticker);
  }

  private ChannelCredentials channelCredentials() {
    if (!tls) {
      if (clientCertificateChain != null) throw new IllegalStateException("a client certificate needs tls()");
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder();
    try {
      if (trustedCertificates != null) credentials.trustManager(trustedCertificates.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trusted certificates " + trustedCertificates, e);
    }
    try {
      if (clientCertificateChain != null) credentials.keyManager(clientCertificateChain.toFile(), clientPrivateKey.toFile());
    } catch (IOException e) {
      // Names the files, never their content.
      throw new UncheckedIOException("cannot read the client certificate " + clientCertificateChain + " or its key "
          + clientPrivateKey, e);
    }
    return credentials.build();
  }

  /**
   * Balancing, health checking, deadline and retries in one place: the channel's gRPC service
   * config. Every Tally method retries UNAVAILABLE only; it is safe because each request carries
   * an id the node deduplicates on. WatchAlerts streams without a deadline. The SDK's own calls
   * also carry the deadline (see {@code Calls}), so that a call it sends again keeps its first one.
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
