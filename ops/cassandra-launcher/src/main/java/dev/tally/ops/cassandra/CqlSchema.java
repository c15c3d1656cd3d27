package dev.tally.ops.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
* The versioned CQL files packaged under {@code cql/} (from ops/cql): {@code V<n>__<what>.cql}, applied in
* ascending n, every time, so every statement must be idempotent.
*/
final class CqlSchema {

  record Script(int version, String name, List<String> statements) {
  }

  private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__.+\\.cql");
  private static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration AGREEMENT_TIMEOUT = Duration.ofSeconds(60);

  private CqlSchema() {
  }

  /**
   * Applies all scripts in version order, telling {@code applied} of each as it is done (DDL on a new data
   * folder takes seconds), and waits until every node agrees on the schema.
   */
  static List<Script> apply(CqlSession session, Consumer<Script> applied) {
    List<Script> scripts = load();
    for (Script script : scripts) {
      for (String statement : script.statements()) {
        execute(session, script, statement);
      }
      applied.accept(script);
    }
    awaitSchemaAgreement(session);
    return scripts;
  }

  static List<Script> load() {
    Path location = codeLocation();
    if (Files.isDirectory(location)) {
      return load(location.resolve("cql"));
    }
    try (FileSystem jar = FileSystems.newFileSystem(location)) {
      return load(jar.getPath("/cql"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open " + location, e);
    }
  }

  /** Splits on ';' at the end of a line; drops blank lines and lines starting with "--" or "//". */
  static List<String> statements(String text) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--") || trimmed.startsWith("//")) {
        continue;
      }
      current.append(line.stripTrailing()).append('\n');
      if (trimmed.endsWith(";")) {
        statements.add(withoutSemicolon(current));
        current.setLength(0);
      }
    }
    if (!current.isEmpty()) {
      throw new IllegalArgumentException("Statement without a closing ';': " + current.toString().strip());
    }
    return statements;
  }

  private static List<Script> load(Path cqlDir) {
    if (!Files.isDirectory(cqlDir)) {
      throw new IllegalStateException("No cql/ folder next to the launcher classes (" + cqlDir + ")");
    }
    try (Stream<Path> files = Files.list(cqlDir)) {
      List<Script> scripts = files
          .filter(file -> FILE_NAME.matcher(file.getFileName().toString()).matches())
          .map(CqlSchema::read)
          .sorted(Comparator.comparingInt(Script::version))
          .toList();
      requireDistinctVersions(scripts);
      return scripts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Script read(Path file) {
    String name = file.getFileName().toString();
    Matcher m = FILE_NAME.matcher(name);
    if (!m.matches()) {
      throw new IllegalArgumentException("Not a versioned CQL file: " + name);
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return new Script(Integer.parseInt(m.group(1)), name, statements(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireDistinctVersions(List<Script> scripts) {
    for (int i = 1; i < scripts.size(); i++) {
      if (scripts.get(i).version() == scripts.get(i - 1).version()) {
        throw new IllegalStateException("Two CQL files with version " + scripts.get(i).version() + ": "
            + scripts.get(i - 1).name() + ", " + scripts.get(i).name());
      }
    }
  }

  private static void execute(CqlSession session, Script script, String statement) {
    try {
      ResultSet result = session.execute(SimpleStatement.newInstance(statement).setTimeout(STATEMENT_TIMEOUT));
      if (!result.getExecutionInfo().isSchemaInAgreement()) {
        awaitSchemaAgreement(session);
      }
    } catch (DriverException e) {
      throw new IllegalStateException("Applying " + script.name() + " failed at:\n" + statement, e);
    }
  }

  private static void awaitSchemaAgreement(CqlSession session) {
    Instant deadline = Instant.now().plus(AGREEMENT_TIMEOUT);
    while (!session.checkSchemaAgreement()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("No schema agreement within " + AGREEMENT_TIMEOUT);
      }
      sleep(Duration.ofMillis(200));
    }
  }

  private static String withoutSemicolon(StringBuilder statement) {
    String text = statement.toString().strip();
    return text.substring(0, text.length() - 1).strip();
  }

  /** target/classes when run from the build, the jar otherwise. */
  private static Path codeLocation() {
    try {
      return Path.of(CqlSchema.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for schema agreement", e);
    }
  }
}
