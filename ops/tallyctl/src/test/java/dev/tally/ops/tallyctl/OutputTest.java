package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Text a node stored before it refused control characters (or that a future field lets through)
 * cannot forge a line, colour the terminal or reorder what a person reads in tallyctl's output.
 */
class OutputTest {

  static final String FORGED_LINE = "acme\n2026-12-01 INFO granted 1000000 credits";
  static final String COLOURED = "\u001b[31mred\u001b[0m";
  static final String REORDERED = "gpt\u202e4o";
  static final String TAGGED = "a\uDB40\uDC01b"; // U+E0001, an invisible tag character

  @Test
  void linesAndTableCellsShowControlAndFormatCharactersAsEscapes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Output output = new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    output.line("org " + FORGED_LINE);
    output.table(new Table().row("name", COLOURED).row("model", REORDERED).row("label", TAGGED));

    assertEquals("""
        org acme\\u000A2026-12-01 INFO granted 1000000 credits
        name   \\u001B[31mred\\u001B[0m
        model  gpt\\u202E4o
        label  a\\uDB40\\uDC01b
        """, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void jsonKeepsTheTextButWritesFormatCharactersAsEscapes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new Output(new PrintStream(bytes, true, StandardCharsets.UTF_8), true)
        .document(Map.of("display_name", FORGED_LINE + COLOURED + REORDERED + TAGGED));
    String json = bytes.toString(StandardCharsets.UTF_8);

    assertEquals(false, json.chars().anyMatch(c -> c == '\u202e' || c == 0x1b || Character.isSurrogate((char) c)), json);
    assertEquals(FORGED_LINE + COLOURED + REORDERED + TAGGED,
        JsonParser.parseString(json).getAsJsonObject().get("display_name").getAsString());
  }
}
