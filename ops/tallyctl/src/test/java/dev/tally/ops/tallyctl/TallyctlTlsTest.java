package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestCertificates;
import dev.tally.testkit.TestCertificates.Authority;
import dev.tally.testkit.TestCertificates.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl against a node that requires TLS and a client certificate: --tls-ca, --tls-cert, --tls-key and their variables. */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TallyctlTlsTest {

  private Path dir;
  private NodeProcess node;
  private String ca;
  private String cert;
  private String key;

  @BeforeAll
  void startNode() throws Exception {
    dir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "tls")), "run-");
    Authority nodeCa = TestCertificates.authority("tally test node CA");
    Authority clientCa = TestCertificates.authority("tally test client CA");
    Issued nodeCertificate = nodeCa.node("tally node");
    Issued operator = clientCa.client("operator");
    ca = nodeCa.writeCertificate(dir.resolve("node-ca.pem")).toString();
    cert = operator.writeChain(dir.resolve("operator.pem")).toString();
    key = operator.writeKey(dir.resolve("operator-key.pem")).toString();
    node = NodeProcess.start(TestCassandra.server(), Map.of(
            "TALLY_GRPC_TLS_CERT_CHAIN", nodeCertificate.writeChain(dir.resolve("node.pem")).toString(),
            "TALLY_GRPC_TLS_PRIVATE_KEY", nodeCertificate.writeKey(dir.resolve("node-key.pem")).toString(),
            "TALLY_GRPC_TLS_CLIENT_CA", clientCa.writeCertificate(dir.resolve("client-ca.pem")).toString()),
        NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
  }

  @AfterAll
  void stopNode() throws Exception {
    if (node != null) node.close();
  }

  private Cli tallyctl(Map<String, String> environment) {
    java.util.HashMap<String, String> withNode = new java.util.HashMap<>(environment);
    withNode.put("TALLY_NODE", node.address());
    return new Cli(withNode);
  }

  @Test
  void theCaAndAClientCertificateFromTheEnvironmentReachTheNode() {
    Result plans = tallyctl(Map.of("TALLY_TLS_CA", ca, "TALLY_TLS_CERT", cert, "TALLY_TLS_KEY", key)).run("plans", "--json");
    assertEquals(0, plans.exit(), plans::toString);
    assertTrue(plans.out().contains("payg"), plans::toString);
  }

  @Test
  void theSameFromOptionsReachTheNode() {
    Result plans = tallyctl(Map.of()).run("plans", "--tls-ca", ca, "--tls-cert", cert, "--tls-key", key);
    assertEquals(0, plans.exit(), plans::toString);
  }

  @Test
  void withoutAClientCertificateTheNodeIsUnreachable() {
    Result refused = tallyctl(Map.of()).run("plans", "--tls-ca", ca);
    assertEquals(ExitCode.UNREACHABLE.status, refused.exit(), refused::toString);
    assertTrue(refused.err().startsWith("tallyctl: cannot reach the Tally node at " + node.address()), refused::toString);
  }

  @Test
  void plaintextToTheTlsPortIsUnreachable() {
    Result refused = tallyctl(Map.of()).run("plans");
    assertEquals(ExitCode.UNREACHABLE.status, refused.exit(), refused::toString);
  }

  @Test
  void aCertificateWithoutItsKeyIsAUsageError() {
    Result refused = tallyctl(Map.of()).run("plans", "--tls-ca", ca, "--tls-cert", cert);
    assertEquals(ExitCode.USAGE.status, refused.exit(), refused::toString);
    assertEquals("tallyctl: --tls-cert and --tls-key go together", refused.err().strip());
  }

  @Test
  void anUnreadableKeyFileIsAUsageErrorThatNamesTheFileNotItsContent() throws Exception {
    Path notAKey = Files.writeString(dir.resolve("not-a-key.pem"), "secret-looking text");
    Result refused = tallyctl(Map.of()).run("plans", "--tls-ca", ca, "--tls-cert", cert, "--tls-key", notAKey.toString());
    assertEquals(ExitCode.USAGE.status, refused.exit(), refused::toString);
    assertTrue(refused.err().contains(notAKey.toString()), refused::toString);
    assertFalse(refused.err().contains("secret-looking text"), refused::toString);
  }
}
