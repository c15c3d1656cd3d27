package dev.tally.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real Cassandra (a start and a restart, each test): the proof that the launcher works. */
class CassandraServerTest {

  static final Pattern CQL_PORT_OPENED = Pattern.compile(
      "^INFO\\s+\\[main\\] (\\S+ \\S+) \\S+ - Starting listening for CQL clients", Pattern.MULTILINE);
  static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void isReadyWhenItsCqlPortAnswersAppliesTheSchemaAndKeepsDataAcrossARestart(@TempDir Path tmp) throws IOException {
    Path classData = tmp.resolve("class-data");
    try (CassandraServer cassandra = CassandraServer.builder(tmp.resolve("cassandra"))
        .cqlPort(CassandraServer.freePort())
        .storagePort(CassandraServer.freePort())
        .classDataArchives(classData)
        .build()) {
      cassandra.start();
      Instant returned = Instant.now();
      assertTrue(CqlReadiness.answers(cassandra.contactPoint(), Optional.empty(), Duration.ofSeconds(2)));
      // Printed, not bounded: on a shared 2-core machine the gap follows the load (0.2-0.7 s idle, 2.9 s at load 14).
      System.out.printf("start() returned %d ms after Cassandra opened its CQL port%n",
          Duration.between(cqlPortOpened(cassandra.logFile()), returned).toMillis());
      cassandra.applySchema();
      cassandra.applySchema(); // every statement is idempotent, so a second run is a no-op

      try (CqlSession session = cassandra.newSession()) {
        assertTrue(tableExists(session, "tally", "messages"));
        assertTrue(tableExists(session, "tally", "tag_views"));
        assertTrue(tableExists(session, "tally_snapshot", "snapshots"));
        // What the launcher's config promises, as Cassandra runs it: a write acknowledged only once its
        // commit log is flushed (issue 23), request pools a small machine runs well and memtables off
        // the heap (issue 22).
        assertEquals("group", setting(session, "commitlog_sync"));
        assertEquals("1ms", setting(session, "commitlog_sync_group_window"));
        assertEquals("direct", setting(session, "commitlog_disk_access_mode"));
        assertEquals("offheap_objects", setting(session, "memtable_allocation_type"));
        for (String pool : List.of("native_transport_max_threads", "concurrent_writes", "concurrent_reads")) {
          assertEquals("16", setting(session, pool), pool);
        }
        session.execute("CREATE KEYSPACE IF NOT EXISTS launcher_test"
            + " WITH REPLICATION = { 'class' : 'SimpleStrategy', 'replication_factor' : 1 }");
        session.execute("CREATE TABLE IF NOT EXISTS launcher_test.scratch (id text PRIMARY KEY, value text)");
        session.execute("INSERT INTO launcher_test.scratch (id, value) VALUES ('k', 'survives a restart')");
      }

      cassandra.stop();
      assertFalse(cassandra.isRunning());
      assertFalse(CqlReadiness.answers(cassandra.contactPoint(), Optional.empty(), Duration.ofSeconds(2)));
      cassandra.stop(); // idempotent
      List<Path> archives = archives(classData);
      assertEquals(1, archives.size(), "the graceful stop left the class data archive it recorded: " + archives);

      cassandra.start();
      assertTrue(Files.readString(Path.of("/proc", cassandra.pid().orElseThrow().toString(), "maps"))
          .contains(archives.get(0).toString()), "the restarted Cassandra JVM maps the archive");
      try (CqlSession session = cassandra.newSession()) {
        Row row = session.execute("SELECT value FROM launcher_test.scratch WHERE id = 'k'").one();
        assertNotNull(row, "row lost across the restart");
        assertEquals("survives a restart", row.getString("value"));
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aClassDataArchiveThatCannotBeMappedDoesNotStopCassandraFromStarting(@TempDir Path tmp) throws IOException {
    Path classData = Files.createDirectories(tmp.resolve("class-data"));
    try (CassandraServer cassandra = CassandraServer.builder(tmp.resolve("cassandra"))
        .cqlPort(CassandraServer.freePort())
        .storagePort(CassandraServer.freePort())
        .classDataArchives(classData)
        .build()) {
      // Where the launcher would look for it: found by starting once, as the name depends on the JDK and jars.
      cassandra.start();
      cassandra.stop();
      Path archive = archives(classData).get(0);
      Files.writeString(archive, "not a class data archive");

      cassandra.start();
      assertTrue(CqlReadiness.answers(cassandra.contactPoint(), Optional.empty(), Duration.ofSeconds(2)));
    }
  }

  private static List<Path> archives(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".jsa")).toList();
    }
  }

  /** When Cassandra's latest start opened the CQL port, as its log says (its clock and zone are this JVM's). */
  private static Instant cqlPortOpened(Path logFile) throws IOException {
    Matcher line = CQL_PORT_OPENED.matcher(Files.readString(logFile));
    String at = null;
    while (line.find()) at = line.group(1);
    assertNotNull(at, "no \"Starting listening for CQL clients\" in " + logFile);
    return LocalDateTime.parse(at, LOG_TIME).atZone(ZoneId.systemDefault()).toInstant();
  }

  /** A setting as the running Cassandra reports it (system_views.settings). */
  private static String setting(CqlSession session, String name) {
    Row row = session.execute("SELECT value FROM system_views.settings WHERE name = ?", name).one();
    assertNotNull(row, "no setting " + name);
    return row.getString("value");
  }

  private static boolean tableExists(CqlSession session, String keyspace, String table) {
    return session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        keyspace, table).one() != null;
  }
}
