package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's tallyctl walk-through, run as written against a real node, twice: a reader who runs it
 * again meets no error (the same org back from {@code org create}, another grant, another key).
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class ReadmeCommandsTest {

  private static final String SCRIPT = "./ops/tallyctl.sh ";

  private final Cli tallyctl = new Cli(TestNode.node());

  @Test
  void theReadmesTallyctlCommandsRunTwiceWithoutAnError() throws IOException {
    // Its own org for acme, so that no other test's acme meets this one on the shared node.
    String org = "readme-" + UUID.randomUUID().toString().substring(0, 8);
    List<List<String>> commands = readmeCommands(org);
    assertTrue(commands.size() >= 10 && commands.get(0).subList(0, 2).equals(List.of("org", "create")), commands::toString);

    for (int run = 1; run <= 2; run++) {
      for (List<String> command : commands) {
        Result result = tallyctl.run(command.toArray(String[]::new));
        assertEquals(0, result.exit(), "run " + run + ": tallyctl " + String.join(" ", command) + "\n" + result);
      }
    }
    Result shown = tallyctl.run("org", "show", org, "--json");
    assertEquals("flex", shown.json().getAsJsonObject("org").get("plan").getAsString(), shown::toString);
  }

  /**
   * The commands of the README's block that starts with {@code ./ops/tallyctl.sh org create acme}, split
   * as a shell would, with {@code acme} replaced by {@code org}; a {@code --for} becomes 1s, so that
   * {@code alerts watch} ends without a minute's wait.
   */
  private static List<List<String>> readmeCommands(String org) throws IOException {
    // Surefire runs in ops/tallyctl; the README is two folders up.
    String readme = Files.readString(Path.of("").toAbsolutePath().getParent().getParent().resolve("README.md"));
    int start = readme.indexOf("\n" + SCRIPT + "org create acme");
    assertTrue(start > 0, "the README has no block starting with " + SCRIPT + "org create acme");
    int end = readme.indexOf("\n```", start);
    List<List<String>> commands = new ArrayList<>();
    for (String line : readme.substring(start + 1, end).lines().toList()) {
      if (!line.startsWith(SCRIPT)) continue;
      List<String> words = shellWords(line.substring(SCRIPT.length()));
      for (int i = 0; i < words.size(); i++) {
        if (words.get(i).equals("acme")) words.set(i, org);
        if (words.get(i).equals("--for") && i + 1 < words.size()) words.set(i + 1, "1s");
      }
      commands.add(words);
    }
    return commands;
  }

  /** Words split on blanks, double quotes kept together, a {@code #} outside quotes ending the line. */
  private static List<String> shellWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        if (word == null) word = new StringBuilder();
      } else if (!quoted && c == '#') {
        break;
      } else if (!quoted && Character.isWhitespace(c)) {
        if (word != null) words.add(word.toString());
        word = null;
      } else {
        if (word == null) word = new StringBuilder();
        word.append(c);
      }
    }
    if (word != null) words.add(word.toString());
    return words;
  }
}
