package dev.tally.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CqlSchemaTest {

  @Test
  void splitsOnSemicolonsAtLineEndsAndSkipsComments() {
    String text = """
        -- a comment; with a semicolon;
        // another one;
        CREATE KEYSPACE IF NOT EXISTS k
          WITH REPLICATION = { 'class' : 'SimpleStrategy', 'replication_factor' : 1 };

        CREATE TABLE IF NOT EXISTS k.t (a text PRIMARY KEY, b text);
        """;

    List<String> statements = CqlSchema.statements(text);

    assertEquals(List.of(
        "CREATE KEYSPACE IF NOT EXISTS k\n  WITH REPLICATION = { 'class' : 'SimpleStrategy', 'replication_factor' : 1 }",
        "CREATE TABLE IF NOT EXISTS k.t (a text PRIMARY KEY, b text)"), statements);
  }

  @Test
  void rejectsAnUnterminatedStatement() {
    assertThrows(IllegalArgumentException.class, () -> CqlSchema.statements("CREATE TABLE k.t (a text PRIMARY KEY)"));
  }

  @Test
  void loadsThePackagedVersionsInOrder() {
    List<CqlSchema.Script> scripts = CqlSchema.load();

    assertEquals(1, scripts.get(0).version());
    assertEquals("V1__journal_and_snapshots.cql", scripts.get(0).name());
    assertEquals(9, scripts.get(0).statements().size());
    assertTrue(scripts.get(0).statements().stream().allMatch(s -> s.contains("IF NOT EXISTS")));
  }

  @Test
  void readsJavaFeatureVersions() {
    assertEquals(17, JavaHome.feature("17.0.15"));
    assertEquals(11, JavaHome.feature("11"));
    assertEquals(25, JavaHome.feature("25.0.3+9-LTS"));
    assertEquals(8, JavaHome.feature("1.8.0_402"));
  }
}
