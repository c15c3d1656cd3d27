package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code tallyctl leave} with an admin key makes a second node leave the cluster and stop; without a
 * key, or with a key that is not an admin's, it is refused and nothing leaves.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class LeaveTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private final Cli tallyctl = new Cli(TestNode.node());

  @Test
  void aNodeMadeToLeaveIsRemovedFromTheClusterAndStops() throws Exception {
    try (NodeProcess second = NodeProcess.start(TestCassandra.server(), TestNode.node())) {
      String address = second.clusterAddress();
      await("the second node is Up", () -> status(address).filter("Up"::equals).isPresent());

      String hostPort = address.substring(address.indexOf('@') + 1);  // as an operator would type it
      Result leave = tallyctl.run("leave", hostPort);
      assertEquals(0, leave.exit(), leave::toString);
      assertEquals("Leaving " + address + ": its shards move to the other nodes, then it shuts down", leave.out().strip());

      await("the second node is removed from the cluster", () -> status(address).isEmpty());
      await("the second node's process exits", () -> !second.isAlive());
      assertFalse(status(TestNode.node().clusterAddress()).isEmpty(), "the first node stays");
    }
  }

  @Test
  void leaveWithoutAKeyOrWithAKeyThatIsNotAnAdminsIsRefusedAndTheNodeStays() {
    NodeProcess node = TestNode.node();
    String self = node.clusterAddress();

    Result anonymous = Cli.withKey(node, null).run("leave", self);
    assertEquals(1, anonymous.exit(), anonymous::toString);
    assertTrue(anonymous.err().startsWith("tallyctl: the node at 127.0.0.1:" + node.grpcPort()
        + " did not accept the API key (UNAUTHENTICATED): "), anonymous::toString);

    String org = "leave-" + UUID.randomUUID();
    for (String role : List.of("reader", "metering")) {
      Result created = tallyctl.run("key", "create", role, "--org", org, "--json");
      assertEquals(0, created.exit(), created::toString);
      Result denied = Cli.withKey(node, created.json().get("key").getAsString()).run("leave", self);
      assertEquals(1, denied.exit(), denied::toString);
      assertTrue(denied.err().startsWith("tallyctl: the API key may not do this (PERMISSION_DENIED): "), denied::toString);
    }
    assertEquals(Optional.of("Up"), status(self), "the node asked to leave itself is still an Up member");
    assertTrue(node.isAlive(), "its process runs");
  }

  @Test
  void nodesShowsTheNodeCalledUpAndReadyAndRefusesAnOrgsKey() {
    NodeProcess node = TestNode.node();
    Result nodes = tallyctl.run("nodes", "--json");
    assertEquals(0, nodes.exit(), nodes::toString);
    var self = StreamSupport.stream(nodes.json().getAsJsonArray("members").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(member -> member.get("address").getAsString().equals(node.clusterAddress()))
        .findFirst().orElseThrow(() -> new AssertionError("the node called is listed: " + nodes.out()));
    assertEquals("UP", self.get("status").getAsString(), self::toString);
    assertEquals("READY", self.get("readiness").getAsString(), self::toString);

    Result table = tallyctl.run("nodes");
    assertEquals(0, table.exit(), table::toString);
    assertTrue(table.out().lines().anyMatch(line -> line.startsWith(node.clusterAddress()) && line.contains(" UP ")
        && line.contains("answered")), table::out);

    Result created = tallyctl.run("key", "create", "reader", "--org", "nodes-" + UUID.randomUUID(), "--json");
    assertEquals(0, created.exit(), created::toString);
    Result denied = Cli.withKey(node, created.json().get("key").getAsString()).run("nodes");
    assertEquals(1, denied.exit(), denied::toString);
    assertTrue(denied.err().startsWith("tallyctl: the API key may not do this (PERMISSION_DENIED): "), denied::toString);
  }

  /** The member's status as the first node sees it; empty once it is removed. */
  private Optional<String> status(String node) {
    Result members = tallyctl.run("members", "--json");
    assertEquals(0, members.exit(), members::toString);
    return StreamSupport.stream(members.json().getAsJsonArray("members").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(member -> member.get("node").getAsString().equals(node))
        .map(member -> member.get("status").getAsString())
        .findFirst();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Eventually.await(what, BOUND, condition);
  }
}
