package dev.tally.ops.cassandra;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
* The classpath of the child Cassandra JVM: absolute paths of cassandra-all and its dependencies in the
* local Maven repository, written at build time by module tally-cassandra-classpath.
*/
final class CassandraClasspath {

  private static final String RESOURCE = "cassandra.classpath";

  private CassandraClasspath() {
  }

  static String load() {
    String classpath = read();
    List<String> missing = Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !Files.isRegularFile(Path.of(entry)))
        .toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(missing.size() + " jar(s) of Cassandra's classpath are missing, e.g. "
          + missing.get(0) + ". The list is tied to the local Maven repository it was built against:"
          + " rebuild ops/cassandra-classpath on this machine (mvn install).");
    }
    return classpath;
  }

  private static String read() {
    try (InputStream in = CassandraClasspath.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Resource dev/tally/ops/cassandra/" + RESOURCE
            + " not found: dev.tally:tally-cassandra-classpath must be on the classpath.");
      }
      String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      if (classpath.isEmpty()) {
        throw new IllegalStateException("Resource dev/tally/ops/cassandra/" + RESOURCE + " is empty.");
      }
      return classpath;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
