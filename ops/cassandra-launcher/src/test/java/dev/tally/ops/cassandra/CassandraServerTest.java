package dev.tally.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real Cassandra (one start, one restart): the proof that the launcher works. */
class CassandraServerTest {

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void appliesTheSchemaAndKeepsDataAcrossARestart(@TempDir Path tmp) {
    try (CassandraServer cassandra = CassandraServer.builder(tmp.resolve("cassandra"))
        .cqlPort(CassandraServer.freePort())
        .storagePort(CassandraServer.freePort())
        .build()) {
      cassandra.start();
      cassandra.applySchema();
      cassandra.applySchema(); // every statement is idempotent, so a second run is a no-op

      try (CqlSession session = cassandra.newSession()) {
        assertTrue(tableExists(session, "tally", "messages"));
        assertTrue(tableExists(session, "tally", "tag_views"));
        assertTrue(tableExists(session, "tally_snapshot", "snapshots"));
        session.execute("CREATE KEYSPACE IF NOT EXISTS launcher_test"
            + " WITH REPLICATION = { 'class' : 'SimpleStrategy', 'replication_factor' : 1 }");
        session.execute("CREATE TABLE IF NOT EXISTS launcher_test.scratch (id text PRIMARY KEY, value text)");
        session.execute("INSERT INTO launcher_test.scratch (id, value) VALUES ('k', 'survives a restart')");
      }

      cassandra.stop();
      assertFalse(cassandra.isRunning());
      cassandra.stop(); // idempotent

      cassandra.start();
      try (CqlSession session = cassandra.newSession()) {
        Row row = session.execute("SELECT value FROM launcher_test.scratch WHERE id = 'k'").one();
        assertNotNull(row, "row lost across the restart");
        assertEquals("survives a restart", row.getString("value"));
      }
    }
  }

  private static boolean tableExists(CqlSession session, String keyspace, String table) {
    return session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        keyspace, table).one() != null;
  }
}
