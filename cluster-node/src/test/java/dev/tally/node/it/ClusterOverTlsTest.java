package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestCertificates;
import dev.tally.testkit.TestCertificates.Authority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Artery over tls-tcp (TALLY_CLUSTER_TRANSPORT and the TALLY_CLUSTER_TLS_* stores): two nodes whose
 * certificates the cluster's CA signed form one cluster; a node whose certificate another CA signed
 * does not get in.
 */
@ExtendWith(TestCassandra.class)
class ClusterOverTlsTest {

  private static final Path LOGS = Paths.get("target", "nodes");
  private static final Pattern UP = Pattern.compile("\"status\"\\s*:\\s*\"Up\"");

  @Test
  void nodesWithCertificatesOfTheClustersCaFormAClusterAndOthersStayOut() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Paths.get("target", "tls")), "artery-");
    Authority clusterCa = TestCertificates.authority("tally cluster CA");
    String password = secret();
    try (NodeProcess first = NodeProcess.start(TestCassandra.server(), tls(dir, clusterCa, clusterCa, "first", password),
            NodeProcess.testJvmOptions(), LOGS);
        NodeProcess second = NodeProcess.start(TestCassandra.server(), tls(dir, clusterCa, clusterCa, "second", password),
            NodeProcess.testJvmOptions("-Dpekko.cluster.seed-nodes.0=" + first.clusterAddress()), LOGS)) {
      assertTrue(Eventually.within(Duration.ofMinutes(1), () -> upMembers(first) == 2),
          "both nodes are Up members; the first sees:\n" + members(first) + "\nthe second's log:\n" + second.log());
      assertTrue(first.log().contains("Remoting started with transport [Artery tls-tcp]"), first.log());

      Authority otherCa = TestCertificates.authority("not the cluster's CA");
      try (NodeProcess stranger = NodeProcess.start(TestCassandra.server(), tls(dir, otherCa, clusterCa, "stranger", password),
          NodeProcess.testJvmOptions("-Dpekko.cluster.seed-nodes.0=" + first.clusterAddress()), LOGS)) {
        // The cluster's node ends the handshake: the stranger's certificate is not signed by a CA it trusts.
        assertTrue(Eventually.within(Duration.ofMinutes(1), () -> stranger.log().contains("Received fatal alert: bad_certificate")),
            "the cluster refused the stranger's certificate; the stranger's log:\n" + stranger.log());
        assertTrue(upMembers(first) == 2 && !members(first).contains(stranger.clusterAddress()),
            "the stranger is no member: " + members(first));
      }
      assertFalse(first.log().contains(password) || second.log().contains(password), "a log holds the stores' password");
    }
  }

  /** The settings of a node whose certificate {@code issuer} signed and that trusts {@code trusted}. */
  private static Map<String, String> tls(Path dir, Authority issuer, Authority trusted, String name, String password) {
    return Map.of(
        "TALLY_CLUSTER_TRANSPORT", "tls-tcp",
        "TALLY_CLUSTER_TLS_KEY_STORE", issuer.node(name).writeKeyStore(dir.resolve(name + ".p12"), password).toString(),
        "TALLY_CLUSTER_TLS_KEY_STORE_PASSWORD", password,
        "TALLY_CLUSTER_TLS_TRUST_STORE", trusted.writeTrustStore(dir.resolve(name + "-trust.p12"), password).toString(),
        "TALLY_CLUSTER_TLS_TRUST_STORE_PASSWORD", password);
  }

  private static long upMembers(NodeProcess node) {
    Matcher up = UP.matcher(members(node));
    long count = 0;
    while (up.find()) count++;
    return count;
  }

  private static String members(NodeProcess node) {
    try {
      return NodeProcess.httpBody(node.managementPort(), "/cluster/members");
    } catch (IOException e) {
      return "";
    }
  }

  private static String secret() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return "pw" + HexFormat.of().formatHex(bytes);
  }
}
