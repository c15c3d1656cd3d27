package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tally.node.it.NodeProcess;
import dev.tally.node.it.TestCassandra;
import dev.tally.ops.tallyctl.Cli.Result;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code tallyctl leave} through the first node's management API makes a second node leave the cluster and stop. */
@ExtendWith({TestCassandra.class, RunningNode.class})
class LeaveTest {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private final Cli tallyctl = RunningNode.tallyctl();

  @Test
  void aNodeMadeToLeaveIsRemovedFromTheClusterAndStops() throws Exception {
    try (NodeProcess second = NodeProcess.start(TestCassandra.server(), RunningNode.node())) {
      String address = second.clusterAddress();
      await("the second node is Up", () -> status(address).filter("Up"::equals).isPresent());

      String hostPort = address.substring(address.indexOf('@') + 1);  // as an operator would type it
      Result leave = tallyctl.run("leave", hostPort);
      assertEquals(0, leave.exit(), leave::toString);
      assertEquals("Leaving " + address + ": its shards move to the other nodes, then it shuts down", leave.out().strip());

      await("the second node is removed from the cluster", () -> status(address).isEmpty());
      await("the second node's process exits", () -> !second.isAlive());
      assertFalse(status(RunningNode.node().clusterAddress()).isEmpty(), "the first node stays");
    }
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
    Instant giveUp = Instant.now().plus(BOUND);
    while (!condition.getAsBoolean()) {
      assertTrue(Instant.now().isBefore(giveUp), "within " + BOUND.toSeconds() + " s: " + what);
      Thread.sleep(200);
    }
  }
}
