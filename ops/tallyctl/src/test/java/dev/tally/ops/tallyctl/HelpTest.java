package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --help works at every level: the whole CLI, a group of commands (org, key) and one command; no node is needed. */
class HelpTest {

  record Run(int exit, String out, String err) {}

  @Test
  void helpAtTheTopListsEveryCommand() {
    Run run = tallyctl("--help");

    assertEquals(ExitCode.OK.status, run.exit(), run.err());
    for (Command command : Tallyctl.COMMANDS) assertTrue(run.out().contains("  " + command.name()), command.name());
  }

  @Test
  void helpOfAGroupListsItsCommands() {
    Run org = tallyctl("org", "--help");
    Run key = tallyctl("key", "--help");

    assertEquals(ExitCode.OK.status, org.exit(), org.err());
    assertTrue(org.out().startsWith("usage: tallyctl org COMMAND"), org.out());
    assertTrue(org.out().contains("  org create ORG") && org.out().contains("  org show ORG"), org.out());
    assertEquals(ExitCode.OK.status, key.exit(), key.err());
    for (String command : new String[] {"key create", "key list", "key rotate", "key revoke"}) {
      assertTrue(key.out().contains("  " + command), key.out());
    }
  }

  @Test
  void helpOfOneCommandShowsItsOptions() {
    Run run = tallyctl("org", "create", "--help");

    assertEquals(ExitCode.OK.status, run.exit(), run.err());
    assertTrue(run.out().contains("--plan PLAN"), run.out());
  }

  @Test
  void aGroupWithoutACommandIsAUsageErrorThatPointsAtItsHelp() {
    Run run = tallyctl("org");

    assertEquals(ExitCode.USAGE.status, run.exit());
    assertTrue(run.err().contains("tallyctl org --help lists them"), run.err());
  }

  @Test
  void helpOfAnUnknownCommandIsAUsageError() {
    assertEquals(ExitCode.USAGE.status, tallyctl("orgs", "--help").exit());
  }

  private static Run tallyctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Tallyctl.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
