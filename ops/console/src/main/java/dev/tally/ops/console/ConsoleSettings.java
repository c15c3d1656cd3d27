package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.client.TallyClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the console is run: the nodes it calls and how it trusts them, where it listens, and its
 * session rules. Every option also reads from the environment ({@code TALLY_CONSOLE_*}, {@code TALLY_NODES}).
 *
 * @param nodes node addresses ({@code host:port}) the SDK balances over
 * @param tls whether to call the nodes over TLS
 * @param trustedCertificates PEM file of the authorities to trust (null: the JVM's) when {@code tls}
 * @param bindAddress where the console listens: 127.0.0.1 unless an operator opens it up
 * @param port the HTTP port, 0 for any free one
 * @param secureCookie whether the session cookie is {@code Secure} (behind an HTTPS proxy)
 * @param idle how long a session lives without a request
 * @param maxSessions the most users signed in at once (each holds one gRPC channel)
 */
record ConsoleSettings(List<String> nodes, boolean tls, Path trustedCertificates, String bindAddress, int port,
    boolean secureCookie, Duration idle, int maxSessions) {

  static final String USAGE = """
      usage: console [--nodes host:port,...] [--tls] [--tls-ca file.pem] [--bind address] [--port n] [--secure-cookie]
        --nodes          Tally nodes to call (TALLY_NODES; default 127.0.0.1:50051)
        --tls            call them over TLS, trusting the JVM's authorities (TALLY_CONSOLE_TLS=true)
        --tls-ca         ... trusting the authorities in this PEM file (TALLY_CONSOLE_TLS_CA)
        --bind           listen address (TALLY_CONSOLE_BIND; default 127.0.0.1)
        --port           listen port (TALLY_CONSOLE_PORT; default 8080, 0 = any free port)
        --secure-cookie  mark the session cookie Secure, when an HTTPS proxy is in front (TALLY_CONSOLE_SECURE_COOKIE=true)
      """;

  /** Sessions end after this long without a request. */
  static final Duration IDLE = Duration.ofMinutes(30);
  /** One gRPC channel per session: a bound on what signed-in users hold. */
  static final int MAX_SESSIONS = 1_000;

  static ConsoleSettings local(List<String> nodes, int port) {
    return new ConsoleSettings(List.copyOf(nodes), false, null, "127.0.0.1", port, false, IDLE, MAX_SESSIONS);
  }

  static ConsoleSettings parse(String[] args) {
    List<String> nodes = List.of(env("TALLY_NODES", "127.0.0.1:50051").split(","));
    boolean tls = Boolean.parseBoolean(env("TALLY_CONSOLE_TLS", "false"));
    String ca = env("TALLY_CONSOLE_TLS_CA", "");
    String bind = env("TALLY_CONSOLE_BIND", "127.0.0.1");
    String port = env("TALLY_CONSOLE_PORT", "8080");
    boolean secureCookie = Boolean.parseBoolean(env("TALLY_CONSOLE_SECURE_COOKIE", "false"));
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--nodes" -> nodes = List.of(value(args, ++i, arg).split(","));
        case "--tls" -> tls = true;
        case "--tls-ca" -> {
          ca = value(args, ++i, arg);
          tls = true;
        }
        case "--bind" -> bind = value(args, ++i, arg);
        case "--port" -> port = value(args, ++i, arg);
        case "--secure-cookie" -> secureCookie = true;
        default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
      }
    }
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port must be a number: " + port);
    }
    if (portNumber < 0 || portNumber > 65_535) throw new IllegalArgumentException("--port must be 0-65535");
    List<String> trimmed = new ArrayList<>();
    for (String node : nodes) if (!node.isBlank()) trimmed.add(node.strip());
    if (trimmed.isEmpty()) throw new IllegalArgumentException("--nodes names no node");
    return new ConsoleSettings(List.copyOf(trimmed), tls, ca.isEmpty() ? null : Path.of(ca), bind, portNumber,
        secureCookie, IDLE, MAX_SESSIONS);
  }

  /**
   * A client that calls with {@code apiKey}: one per session. A shorter deadline and fewer retries
   * than the SDK's defaults, so a page whose node is down fails within seconds, not a quarter minute.
   */
  TallyClient clientFor(String apiKey) {
    TallyClientBuilder builder = TallyClient.builder().nodes(nodes).apiKey(apiKey)
        .defaultDeadline(Duration.ofSeconds(10))
        .retries(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    if (tls) {
      if (trustedCertificates == null) builder.tls();
      else builder.tls(trustedCertificates);
    }
    return builder.build();
  }

  /** The nodes, for the sentence of an error page. */
  String nodesText() {
    return String.join(", ", nodes);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    return args[i];
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
