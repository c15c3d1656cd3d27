package dev.tally.ops.tallyctl;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintStream;

/** Where a command's result goes: aligned text for people, or with {@code --json} one JSON document for scripts. */
final class Output {

  /** snake_case names like the API's own fields; nulls kept so every document has the same keys. */
  private static final Gson JSON = new GsonBuilder()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
      .serializeNulls()
      .disableHtmlEscaping()
      .setPrettyPrinting()
      .create();

  final boolean json;
  private final PrintStream out;

  Output(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /** The whole result as one JSON document: a {@code JsonElement} or a record. */
  void document(Object document) {
    out.println(JSON.toJson(document));
  }

  void line(String text) {
    out.println(text);
  }

  void table(Table table) {
    table.print(out);
  }
}
