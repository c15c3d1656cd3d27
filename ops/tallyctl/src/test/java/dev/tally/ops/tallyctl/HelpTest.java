package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
    for (String command : new String[] {"org create ORG", "org show ORG", "org list", "org set-plan ORG PLAN", "org set-overrides ORG"}) {
      assertTrue(org.out().contains("  " + command), org.out());
    }
    assertEquals(ExitCode.OK.status, key.exit(), key.err());
    for (String command : new String[] {"key create", "key list", "key rotate", "key revoke"}) {
      assertTrue(key.out().contains("  " + command), key.out());
    }
  }

  @Test
  void everyGroupPrintsItsUsageAndCommandsAndExitsZero() {
    Map<String, List<Command>> groups = Tallyctl.COMMANDS.stream()
        .filter(command -> command.words().size() > 1)
        .collect(Collectors.groupingBy(command -> command.words().get(0)));
    assertTrue(groups.keySet().containsAll(List.of("org", "key", "package", "alerts")), groups::toString);

    groups.forEach((group, commands) -> {
      Run run = tallyctl(group, "--help");
      assertEquals(ExitCode.OK.status, run.exit(), group + ": " + run.err());
      assertTrue(run.out().startsWith("usage: tallyctl " + group + " COMMAND"), run.out());
      for (Command command : commands) assertTrue(run.out().contains("  " + command.name()), group + ": " + run.out());
    });
  }

  @Test
  void everyCommandPrintsItsUsageAndOptionsAndExitsZero() {
    for (Command command : Tallyctl.COMMANDS) {
      List<String> line = new ArrayList<>(command.words());
      line.add("--help");
      Run run = tallyctl(line.toArray(String[]::new));

      assertEquals(ExitCode.OK.status, run.exit(), command.name() + ": " + run.err());
      assertEquals("", run.err(), command.name());
      assertTrue(run.out().startsWith("usage: " + command.synopsis() + "\n"), run.out());
      for (Command.Option option : command.options()) {
        assertTrue(run.out().contains("  --" + option.name()), command.name() + " --" + option.name() + ": " + run.out());
      }
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
  void orgsIsAnotherNameForOrgList() {
    Run list = tallyctl("org", "list", "--help");
    Run orgs = tallyctl("orgs", "--help");

    assertEquals(ExitCode.OK.status, list.exit(), list.err());
    assertEquals(ExitCode.OK.status, orgs.exit(), orgs.err());
    assertTrue(orgs.out().contains("the same as org list"), orgs.out());
    assertEquals(list.out().substring(list.out().indexOf("\noptions:")), orgs.out().substring(orgs.out().indexOf("\noptions:")));
    assertTrue(orgs.out().startsWith("usage: tallyctl orgs [--plan PLAN] [--status STATUS] [--sort ORDER] [--month MONTH] [--limit N]\n"), orgs.out());
  }

  @Test
  void helpOfAnUnknownCommandIsAUsageError() {
    assertEquals(ExitCode.USAGE.status, tallyctl("organisations", "--help").exit());
  }

  private static Run tallyctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Tallyctl.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
