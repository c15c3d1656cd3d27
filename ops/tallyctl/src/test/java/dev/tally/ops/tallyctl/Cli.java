package dev.tally.ops.tallyctl;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs tallyctl in this JVM, the way a shell would, against one node; keeps what it printed. */
final class Cli {

  /** What one run of tallyctl left: its exit status, stdout and stderr. */
  record Result(int exit, String out, String err) {

    JsonObject json() {
      return JsonParser.parseString(out).getAsJsonObject();
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private final List<String> addresses;
  private final Map<String, String> environment;

  Cli(NodeProcess node) {
    this("127.0.0.1:" + node.grpcPort(), "127.0.0.1:" + node.managementPort());
  }

  /** Addresses and the test kit's admin key given as options. */
  Cli(String node, String management) {
    this(List.of("--node", node, "--management", management, "--api-key", TestKeys.ADMIN), Map.of());
  }

  /**
   * Addresses taken from the environment (TALLY_NODE, TALLY_MANAGEMENT), as a shell would pass them,
   * with the test kit's admin key as TALLY_API_KEY.
   */
  Cli(Map<String, String> environment) {
    this(List.of(), withAdminKey(environment));
  }

  /** Addresses of {@code node} given as options, and {@code key} as the API key (null: none). */
  static Cli withKey(NodeProcess node, String key) {
    List<String> options = new ArrayList<>(List.of(
        "--node", "127.0.0.1:" + node.grpcPort(), "--management", "127.0.0.1:" + node.managementPort()));
    if (key != null) options.addAll(List.of("--api-key", key));
    return new Cli(options, Map.of());
  }

  private static Map<String, String> withAdminKey(Map<String, String> environment) {
    Map<String, String> withKey = new HashMap<>(environment);
    withKey.putIfAbsent("TALLY_API_KEY", TestKeys.ADMIN);
    return withKey;
  }

  private Cli(List<String> addresses, Map<String, String> environment) {
    this.addresses = addresses;
    this.environment = environment;
  }

  Result run(String... args) {
    List<String> line = new ArrayList<>(List.of(args));
    line.addAll(addresses);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = Tallyctl.run(line.toArray(String[]::new), environment, stdout, stderr);
    }
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
