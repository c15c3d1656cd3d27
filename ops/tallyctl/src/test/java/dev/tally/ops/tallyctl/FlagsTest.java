package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every option that takes no value (--tls, --json, --clear...) takes none, wherever it stands on the line. */
class FlagsTest {

  @Test
  void aFlagLastOnTheLineOrBeforeAnotherOptionTakesNoValue() {
    // Nothing listens on port 1: a command line read right gets as far as connecting, and cannot connect.
    for (String[] line : new String[][] {
        {"balance", "acme", "--node", "127.0.0.1:1", "--tls"},
        {"--tls", "balance", "acme", "--node", "127.0.0.1:1"},
        {"org", "set-overrides", "acme", "--clear", "--tls", "--node", "127.0.0.1:1", "--json"}}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = Tallyctl.run(line, Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));

      String said = err.toString(StandardCharsets.UTF_8);
      assertEquals(ExitCode.UNREACHABLE.status, exit, String.join(" ", line) + ": " + said);
      assertTrue(said.contains("127.0.0.1:1"), said);
    }
  }
}
