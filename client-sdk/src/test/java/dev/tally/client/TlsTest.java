package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestCertificates;
import dev.tally.testkit.TestCertificates.Authority;
import dev.tally.testkit.TestCertificates.Issued;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.CreateOrgRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TLS on the gRPC port over real sockets: one node with TLS ({@code TALLY_GRPC_TLS_CERT_CHAIN},
 * {@code _PRIVATE_KEY}) and one that also requires client certificates ({@code TALLY_GRPC_TLS_CLIENT_CA}),
 * each with certificates this test makes; the SDK connects with {@code tls(ca)} and {@code clientCertificate}.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {

  private Path dir;
  private Authority nodeCa;
  private Authority clientCa;
  private Path nodeCaPem;
  private Issued client;
  private NodeProcess tlsNode;
  private NodeProcess mutualTlsNode;

  @BeforeAll
  void startNodes() throws Exception {
    dir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "tls")), "run-");
    nodeCa = TestCertificates.authority("tally test node CA");
    clientCa = TestCertificates.authority("tally test client CA");
    nodeCaPem = nodeCa.writeCertificate(dir.resolve("node-ca.pem"));
    Issued node = nodeCa.node("tally node");
    Map<String, String> tls = Map.of(
        "TALLY_GRPC_TLS_CERT_CHAIN", node.writeChain(dir.resolve("node.pem")).toString(),
        "TALLY_GRPC_TLS_PRIVATE_KEY", node.writeKey(dir.resolve("node-key.pem")).toString());
    client = clientCa.client("chat service");
    client.writeChain(dir.resolve("client.pem"));
    client.writeKey(dir.resolve("client-key.pem"));

    tlsNode = NodeProcess.start(TestCassandra.server(), tls, NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
    Map<String, String> mutual = new java.util.HashMap<>(tls);
    mutual.put("TALLY_GRPC_TLS_CLIENT_CA", clientCa.writeCertificate(dir.resolve("client-ca.pem")).toString());
    mutualTlsNode = NodeProcess.start(TestCassandra.server(), mutual, NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
    awaitServing(tlsNode, credentials -> credentials);
    awaitServing(mutualTlsNode, credentials -> withClientCertificate(credentials));
  }

  @AfterAll
  void stopNodes() throws Exception {
    if (tlsNode != null) tlsNode.close();
    if (mutualTlsNode != null) mutualTlsNode.close();
  }

  @Test
  void aClientTrustingTheNodesCaConnectsAndMakesCalls() {
    try (TallyClient tally = client(tlsNode).tls(nodeCaPem).build()) {
      String org = "tls-" + UUID.randomUUID();
      tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setPlan(Orgs.PLAN).build());
      assertEquals(Orgs.PLAN, tally.balance(org).getPlan(), "the org was written and read back over TLS");
    }
  }

  @Test
  void plaintextToTheTlsPortFails() {
    try (TallyClient tally = client(tlsNode).build()) {
      TallyException refused = assertThrows(TallyException.class, () -> tally.accounts().listPlans());
      assertEquals(Status.Code.UNAVAILABLE, refused.code(), refused.toString());
    }
  }

  @Test
  void aClientTrustingAnotherCaRefusesTheNode() {
    Path otherCa = TestCertificates.authority("some other CA").writeCertificate(dir.resolve("other-ca.pem"));
    try (TallyClient tally = client(tlsNode).tls(otherCa).build()) {
      TallyException refused = assertThrows(TallyException.class, () -> tally.accounts().listPlans());
      assertEquals(Status.Code.UNAVAILABLE, refused.code(), refused.toString());
      assertTrue(causedBy(refused, SSLException.class), "the TLS handshake failed: " + refused);
    }
  }

  @Test
  void withMutualTlsAClientWithoutACertificateCannotCall() {
    try (TallyClient tally = client(mutualTlsNode).tls(nodeCaPem).build()) {
      TallyException refused = assertThrows(TallyException.class, () -> tally.accounts().listPlans());
      assertEquals(Status.Code.UNAVAILABLE, refused.code(), refused.toString());
    }
  }

  @Test
  void withMutualTlsAClientCertificateFromAnotherCaCannotCall() {
    Issued rogue = TestCertificates.authority("rogue CA").client("chat service");
    try (TallyClient tally = client(mutualTlsNode).tls(nodeCaPem)
        .clientCertificate(rogue.writeChain(dir.resolve("rogue.pem")), rogue.writeKey(dir.resolve("rogue-key.pem")))
        .build()) {
      TallyException refused = assertThrows(TallyException.class, () -> tally.accounts().listPlans());
      assertEquals(Status.Code.UNAVAILABLE, refused.code(), refused.toString());
    }
  }

  @Test
  void withMutualTlsAClientCertificateSignedByTheClientCaCalls() {
    try (TallyClient tally = client(mutualTlsNode).tls(nodeCaPem)
        .clientCertificate(dir.resolve("client.pem"), dir.resolve("client-key.pem")).build()) {
      String org = "mtls-" + UUID.randomUUID();
      tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setPlan(Orgs.PLAN).build());
      assertEquals(Orgs.PLAN, tally.balance(org).getPlan(), "the org was written and read back over mutual TLS");
    }
  }

  @Test
  void theNodesLogCarriesNoKeyMaterial() throws Exception {
    String keyBody = Files.readAllLines(dir.resolve("node-key.pem")).get(1);
    for (NodeProcess node : List.of(tlsNode, mutualTlsNode)) {
      assertTrue(node.log().contains("gRPC transport: TLS"), node.log());
      assertFalse(node.log().contains(keyBody), "the node's log holds its private key");
    }
    assertTrue(mutualTlsNode.log().contains("client certificates signed by"), mutualTlsNode.log());
  }

  /** One attempt and a short deadline: a refused connection must fail, not be retried until it times out. */
  private static TallyClientBuilder client(NodeProcess node) {
    return TallyClient.builder().nodes(node.address()).apiKey(TestKeys.ADMIN)
        .retries(1, Duration.ofMillis(100), Duration.ofMillis(100)).defaultDeadline(Duration.ofSeconds(10));
  }

  private TlsChannelCredentials.Builder withClientCertificate(TlsChannelCredentials.Builder credentials) {
    try {
      return credentials.keyManager(dir.resolve("client.pem").toFile(), dir.resolve("client-key.pem").toFile());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Until the node's gRPC health says SERVING over TLS: it has joined and warmed up its way to the journal. */
  private void awaitServing(NodeProcess node, UnaryOperator<TlsChannelCredentials.Builder> credentials) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort(),
        credentials.apply(TlsChannelCredentials.newBuilder().trustManager(nodeCaPem.toFile())).build()).build();
    try {
      var health = HealthGrpc.newBlockingStub(channel);
      Eventually.await("the TLS node is SERVING", Duration.ofSeconds(60), () -> {
        try {
          return health.withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus()
              == ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
          return false;
        }
      });
    } finally {
      channel.shutdownNow();
    }
  }

  private static boolean causedBy(Throwable thrown, Class<? extends Throwable> type) {
    for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) return true;
    }
    return false;
  }
}
