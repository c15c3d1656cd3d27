package dev.tally.ops.local;

import dev.tally.ops.cassandra.CassandraServer;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A local Tally in one command: a real Cassandra (child JVM) and one node (this JVM), both on
 * 127.0.0.1, with every byte of data in one folder so that a restart finds its orgs again.
 * Ctrl-C stops both gracefully: the node stops serving and drains its calls (coordinated shutdown),
 * Cassandra flushes and exits. Nothing is acknowledged before its event is written, so no commit is lost.
 */
public final class RunLocal {

  private RunLocal() {}

  public static void main(String[] args) throws Exception {
    Path data = Paths.get(args.length > 0 ? args[0] : ".tally-data").toAbsolutePath().normalize();
    int cqlPort = Integer.parseInt(env("TALLY_CASSANDRA_PORT", "9042"));
    CassandraServer cassandra = CassandraServer.builder(data.resolve("cassandra"))
        .cqlPort(cqlPort)
        .storagePort(Integer.parseInt(env("TALLY_CASSANDRA_STORAGE_PORT", "7000")))
        .build()
        .start();
    cassandra.applySchema();

    System.setProperty("tally.cassandra.contact-point", "127.0.0.1:" + cqlPort);
    // The Cassandra driver read the system properties already; the node's config must see this one.
    com.typesafe.config.ConfigFactory.invalidateCaches();
    dev.tally.node.Main.main(new String[0]);
    System.out.println("Tally is running. Data folder: " + data + " (Cassandra log: " + cassandra.logFile() + ")");
    System.out.println("Press Ctrl-C to stop.");
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
