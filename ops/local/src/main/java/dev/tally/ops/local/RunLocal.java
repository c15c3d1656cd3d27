package dev.tally.ops.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.auth.ApiKey;
import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.ops.console.Console;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A local Tally in one command: a real Cassandra (child JVM) and one node (this JVM), both on
 * 127.0.0.1, with every byte of data in one folder so that a restart finds its orgs again.
 * Ctrl-C stops both gracefully, one after the other: the node stops serving and drains its calls
 * (coordinated shutdown), then Cassandra (in a session of its own, so Ctrl-C does not reach it first)
 * flushes and exits. Nothing is acknowledged before its event is written, so no commit is lost.
 * The first run makes a local admin API key, keeps it in {@code <data>/admin-key} and prints it; the
 * node gets only its hash (TALLY_BOOTSTRAP_ADMIN_KEY_SHA256, unless the environment sets one).
 * The web console runs beside the node in this JVM, on 127.0.0.1:{@code TALLY_CONSOLE_PORT} (8080),
 * calling the node like any client; it prints its address with the key to sign in with.
 */
public final class RunLocal {

  private RunLocal() {}

  public static void main(String[] args) throws Exception {
    // Before Cassandra's launcher touches the common pool, or the node warns that it has one thread.
    dev.tally.node.Main.keepCommonPoolThreads();
    Path data = Paths.get(args.length > 0 ? args[0] : ".tally-data").toAbsolutePath().normalize();
    int cqlPort = Integer.parseInt(env("TALLY_CASSANDRA_PORT", "9042"));
    CassandraServer cassandra = CassandraServer.builder(data.resolve("cassandra"))
        .cqlPort(cqlPort)
        .storagePort(Integer.parseInt(env("TALLY_CASSANDRA_STORAGE_PORT", "7000")))
        .ownSession()
        .build()
        .start();
    cassandra.applySchema();

    System.setProperty("tally.cassandra.contact-point", "127.0.0.1:" + cqlPort);
    Path keyFile = data.resolve("admin-key");
    ApiKey admin = localAdminKey(keyFile);
    if (System.getenv("TALLY_BOOTSTRAP_ADMIN_KEY_SHA256") == null) {
      System.setProperty("tally.auth.bootstrap-admin-key-sha256", admin.sha256());
    }
    // The Cassandra driver read the system properties already; the node's config must see this one.
    ConfigFactory.invalidateCaches();
    var node = dev.tally.node.Main.start();
    // Cassandra stops after the node, so the node's sessions close before their Cassandra goes away.
    cassandra.stopOnExitAfter(node.getWhenTerminated());
    String console = startConsole(ConfigFactory.load());
    System.out.println("Tally is running. Data folder: " + data + " (Cassandra log: " + cassandra.logFile() + ")");
    System.out.println("Local admin API key (in " + keyFile + "): " + admin.secret());
    System.out.println("  export TALLY_API_KEY=$(cat " + keyFile + ")");
    System.out.println(console);
    System.out.println("Press Ctrl-C to stop.");
  }

  /**
   * The console on the node's gRPC address, and the line that says where it is. A taken port does not
   * stop the local run: the node serves without the console, and the line says how to move it.
   */
  private static String startConsole(Config config) throws IOException {
    String node = config.getString("tally.grpc.host") + ":" + config.getInt("tally.grpc.port");
    int port = Integer.parseInt(env("TALLY_CONSOLE_PORT", "8080"));
    try {
      Console console = Console.startLocal(List.of(node), port);
      Runtime.getRuntime().addShutdownHook(new Thread(console::close, "console-stop"));
      return "Console: " + console.url() + " (sign in with the admin key above, or an org's key and id)";
    } catch (BindException e) {
      return "Console not started: port " + port + " is taken (set TALLY_CONSOLE_PORT to another)";
    }
  }

  /** The admin key of this data folder: made on the first run, then read again, so clients keep working. */
  private static ApiKey localAdminKey(Path file) throws IOException {
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return ApiKey.parse(text).orElseThrow(() -> new IllegalStateException(file + " holds no valid API key; delete it"));
    }
    ApiKey key = ApiKey.generate();
    Files.createDirectories(file.getParent());
    Files.writeString(file, key.secret() + "\n", StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the folder's own permissions apply
    }
    return key;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
