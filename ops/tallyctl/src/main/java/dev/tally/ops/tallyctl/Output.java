package dev.tally.ops.tallyctl;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Where a command's result goes: aligned text for people, or with {@code --json} one JSON document for
 * scripts. Text from the node (names, labels, reasons, error messages) is printed {@link #printable}:
 * a control or format character in it (an escape sequence, a line break, a bidi override) can neither
 * colour the terminal, forge a line nor reorder what a person reads, whatever an older node stored.
 */
final class Output {

  /** snake_case names like the API's own fields; nulls kept so every document has the same keys. */
  private static final Gson ONE_LINE = new GsonBuilder()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
      .serializeNulls()
      .disableHtmlEscaping()
      .create();

  private static final Gson JSON = ONE_LINE.newBuilder().setPrettyPrinting().create();

  final boolean json;
  private final PrintStream out;

  Output(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /** The whole result as one JSON document: a {@code JsonElement} or a record. */
  void document(Object document) {
    // Gson escapes control characters inside strings; format characters (bidi overrides) it leaves.
    out.println(escape(JSON.toJson(document), Character.FORMAT));
  }

  /**
   * One result of a stream (an alert) as soon as it comes: with --json a document on one line (JSON
   * Lines, for {@code jq} or a script reading line by line), else {@code text}.
   */
  void streamed(Object document, String text) {
    if (json) {
      out.println(escape(ONE_LINE.toJson(document), Character.FORMAT));
    } else {
      line(text);
    }
    out.flush();
  }

  /** {@code text} as it is: a machine-readable format of its own (CSV) whose cells the API keeps printable. */
  void raw(String text) {
    out.print(text);
    out.flush();
  }

  void line(String text) {
    out.println(printable(text));
  }

  void table(Table table) {
    table.print(out);
  }

  /**
   * {@code text} with each control, format or line-separating character written as {@code \\uXXXX},
   * as JSON would (a surrogate pair beyond U+FFFF).
   */
  static String printable(String text) {
    return escape(text, Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR);
  }

  private static String escape(String text, int... types) {
    StringBuilder escaped = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      int type = Character.getType(c);
      if (Arrays.stream(types).anyMatch(t -> t == type)) {
        for (char unit : Character.toChars(c)) escaped.append(String.format("\\u%04X", (int) unit)); // as JSON writes it
      } else {
        escaped.appendCodePoint(c);
      }
    });
    return escaped.toString();
  }
}
