package dev.tally.ops.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.Balance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's walk-through against a real node: it can be run again, and says what it did each time. */
@ExtendWith({TestCassandra.class, TestNode.class})
class FirstReserveCommitTest {

  @Test
  void runningTheWalkThroughTwiceOnOneOrgReusesTheOrgAndGrantsAgain() {
    String org = "walk-" + UUID.randomUUID();

    String first = walkThrough(org);
    String second = walkThrough(org);

    assertTrue(first.startsWith("created org " + org + "\ngranted 10 credits\n"), first);
    assertTrue(second.startsWith("org " + org + " exists already: an earlier run opened it\ngranted 10 credits\n"), second);
    assertFalse(second.contains("created org"), second);
    assertTrue(first.contains("balance: available 8.75, held 0, debt 0\n"), first);
    assertTrue(second.contains("balance: available 17.5, held 0, debt 0\n"), second);
  }

  @Test
  void theReadmeShowsWhatTheWalkThroughPrintsLineForLine() {
    String printed = walkThrough(FirstReserveCommit.freshOrgId());

    String shown = Readme.load().blockAfter("FirstReserveCommit.java)").body();
    assertEquals(withoutIds(shown), withoutIds(printed));
  }

  @Test
  void aHealthyNodeLogsNoErrorWhileServingTheWalkThrough() {
    walkThrough("walk-" + UUID.randomUUID());

    String log = TestNode.node().log();
    assertFalse(log.lines().anyMatch(line -> line.contains(" ERROR ")), log);
  }

  /** The org and reservation ids differ from run to run; everything else must not. */
  private static String withoutIds(String output) {
    return output.replaceAll("acme-[0-9a-f]{8}", "acme-ORG").replaceAll("rsv_[A-Za-z0-9_-]+", "rsv_ID");
  }

  private static String walkThrough(String org) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Balance balance = FirstReserveCommit.walkThrough(TestNode.node().channel(), org, new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(0, balance.getHeld());
    return out.toString(StandardCharsets.UTF_8);
  }
}
