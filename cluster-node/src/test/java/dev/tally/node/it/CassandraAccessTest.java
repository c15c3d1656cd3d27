package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCertificates;
import dev.tally.testkit.TestCertificates.Authority;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetOrgRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A Cassandra that asks for a login (PasswordAuthenticator) and a role made for the node: with
 * TALLY_CASSANDRA_USERNAME / _PASSWORD right the node serves writes; with a wrong password or none it
 * does not become ready, and its log says why without ever holding the password. The same Cassandra
 * also takes TLS on its native port (with a certificate of a CA made here): a node with
 * TALLY_CASSANDRA_TLS and that CA connects encrypted; one trusting another CA does not get in.
 *
 * <p>Its tests run side by side: each starts a node of its own with its own login and writes an org of
 * its own, and most of their time is spent waiting on that node and on Cassandra's refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CassandraAccessTest {

  private static final String ROLE = "tally_node";
  private static final Path LOGS = Paths.get("target", "nodes");

  private CassandraServer cassandra;
  private final String password = secret();
  private Path dir;
  private Path cassandraCa;

  @BeforeAll
  void startCassandraWithLoginsAndTls() throws Exception {
    Path dataDir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "cassandra")), "login-");
    dir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "tls")), "cassandra-");
    Authority ca = TestCertificates.authority("tally test Cassandra CA");
    cassandraCa = ca.writeCertificate(dir.resolve("cassandra-ca.pem"));
    String storePassword = secret();
    Path keyStore = ca.node("cassandra").writeKeyStore(dir.resolve("cassandra.p12"), storePassword);
    cassandra = CassandraServer.builder(dataDir).cqlPort(CassandraServer.freePort()).storagePort(CassandraServer.freePort())
        .passwordAuthentication().clientTls(keyStore, storePassword).build().start();
    cassandra.applySchema();
    try (CqlSession superuser = cassandra.newSession()) {
      superuser.execute(SimpleStatement.newInstance(
          "CREATE ROLE IF NOT EXISTS " + ROLE + " WITH PASSWORD = '" + password + "' AND LOGIN = true"));
    }
  }

  @AfterAll
  void stopCassandra() {
    if (cassandra != null) cassandra.stop();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void withTheRightLoginTheNodeBecomesReadyAndServesAWrite() throws Exception {
    try (NodeProcess node = start(Map.of("TALLY_CASSANDRA_USERNAME", ROLE, "TALLY_CASSANDRA_PASSWORD", password))) {
      assertTrue(Eventually.within(Duration.ofMinutes(1), () -> NodeProcess.httpStatus(node.managementPort(), "/ready") == 200),
          "the node became ready; its log:\n" + node.log());
      var accounts = AccountsGrpc.newBlockingStub(node.channel());
      accounts.withDeadlineAfter(30, TimeUnit.SECONDS)
          .createOrg(CreateOrgRequest.newBuilder().setOrgId("login-org").setPlan("payg").setRequestId("login-1").build());
      assertEquals("payg", accounts.withDeadlineAfter(30, TimeUnit.SECONDS)
          .getOrg(GetOrgRequest.newBuilder().setOrgId("login-org").build()).getPlan(), "written to and read from the journal");
      assertTrue(node.log().contains("opening a session to Cassandra as " + ROLE), node.log());
      assertFalse(node.log().contains(password), "the node's log holds the password");
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void overTlsTrustingCassandrasCaTheNodeServesAWriteOnEncryptedConnections() throws Exception {
    try (NodeProcess node = start(Map.of("TALLY_CASSANDRA_USERNAME", ROLE, "TALLY_CASSANDRA_PASSWORD", password,
        "TALLY_CASSANDRA_TLS", "true", "TALLY_CASSANDRA_TLS_CA", cassandraCa.toString()))) {
      assertTrue(Eventually.within(Duration.ofMinutes(1), () -> NodeProcess.httpStatus(node.managementPort(), "/ready") == 200),
          "the node became ready; its log:\n" + node.log());
      var accounts = AccountsGrpc.newBlockingStub(node.channel());
      accounts.withDeadlineAfter(30, TimeUnit.SECONDS)
          .createOrg(CreateOrgRequest.newBuilder().setOrgId("tls-org").setPlan("payg").setRequestId("tls-1").build());
      assertEquals("payg", accounts.withDeadlineAfter(30, TimeUnit.SECONDS)
          .getOrg(GetOrgRequest.newBuilder().setOrgId("tls-org").build()).getPlan());
      try (CqlSession superuser = cassandra.newSession()) {
        // Only the node connects with TLS here (this launcher's sessions are plaintext): its connections are listed so.
        List<String> encrypted = superuser.execute(
                "SELECT username, ssl_enabled FROM system_views.clients").all().stream()
            .filter(row -> row.getBoolean("ssl_enabled")).map(row -> row.getString("username")).toList();
        assertFalse(encrypted.isEmpty(), "Cassandra lists the node's connections as TLS");
        assertTrue(encrypted.stream().allMatch(ROLE::equals), "the TLS connections are the node's: " + encrypted);
      }
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void overTlsTrustingAnotherCaTheNodeIsNotReadyAndItsLogSaysWhy() throws Exception {
    Path otherCa = TestCertificates.authority("not Cassandra's CA").writeCertificate(dir.resolve("other-ca.pem"));
    try (NodeProcess node = start(Map.of("TALLY_CASSANDRA_USERNAME", ROLE, "TALLY_CASSANDRA_PASSWORD", password,
        "TALLY_CASSANDRA_TLS", "true", "TALLY_CASSANDRA_TLS_CA", otherCa.toString()))) {
      assertRefusedWithReason(node, "SSLHandshakeException");
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void withAWrongPasswordTheNodeIsNotReadyAndItsLogSaysWhy() throws Exception {
    String wrong = secret();
    try (NodeProcess node = start(Map.of("TALLY_CASSANDRA_USERNAME", ROLE, "TALLY_CASSANDRA_PASSWORD", wrong))) {
      assertRefusedWithReason(node, "and/or password are incorrect");
      assertFalse(node.log().contains(wrong), "the node's log holds the password it was given");
    }
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void withoutALoginTheNodeIsNotReadyAndItsLogSaysWhy() throws Exception {
    try (NodeProcess node = start(Map.of())) {
      assertRefusedWithReason(node, "requires authentication");
    }
  }

  private void assertRefusedWithReason(NodeProcess node, String reason) throws Exception {
    assertTrue(Eventually.within(Duration.ofMinutes(1), () -> node.log().contains(reason)),
        "the log says why (" + reason + "); it is:\n" + node.log());
    assertTrue(Eventually.within(Duration.ofMinutes(1), () -> NodeProcess.httpStatus(node.managementPort(), "/ready") == 500),
        "/ready answers not ready while Cassandra refuses the node");
    StatusRuntimeException failed = assertThrows(StatusRuntimeException.class, () -> AccountsGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .createOrg(CreateOrgRequest.newBuilder().setOrgId("never-written").setPlan("payg").setRequestId("never-1").build()));
    assertTrue(failed.getStatus().getCode() == Status.Code.UNAVAILABLE || failed.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED,
        "a write cannot reach the journal: " + failed.getStatus());
    assertFalse(node.log().contains(password), "the node's log holds the role's password");
    // Not a graceful stop: it would wait out the hand-off of shards whose orgs cannot recover without Cassandra.
    node.kill();
  }

  private NodeProcess start(Map<String, String> login) throws Exception {
    return NodeProcess.start(cassandra, login, NodeProcess.testJvmOptions(), LOGS);
  }

  private static String secret() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return "pw" + HexFormat.of().formatHex(bytes);
  }
}
