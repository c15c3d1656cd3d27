package dev.tally.ops.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL of the test's own, started by {@code ops/postgres.sh} (which installs it from
 * Debian's packages where it is missing) in a fresh folder on a free port of 127.0.0.1, and
 * removed again when closed.
 */
final class TestPostgres implements AutoCloseable {

  private static final Path SCRIPT = Path.of("..", "postgres.sh");
  /** Not under the build folder: the postgres user must reach its data, and a checkout may be private. */
  private static final Path FOLDERS = Path.of("/var/tmp/tally-bench-test");

  private final Path data;
  private final Map<String, String> settings;
  private final String url;

  private TestPostgres(Path data, Map<String, String> settings, String url) {
    this.data = data;
    this.settings = settings;
    this.url = url;
  }

  static TestPostgres start() throws IOException, InterruptedException {
    Path data = Files.createTempDirectory(Files.createDirectories(FOLDERS), "pg-");
    Files.delete(data);  // postgres.sh creates it, owned by the user PostgreSQL runs as
    Map<String, String> settings = Map.of("TALLY_BENCH_PGDATA", data.toString(), "TALLY_BENCH_PGPORT", Integer.toString(freePort()));
    List<String> printed = run(settings, "start");
    return new TestPostgres(data, settings, printed.get(printed.size() - 1));
  }

  /** Its JDBC URL, for tally-bench's {@code --postgres}. */
  String url() {
    return url;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      run(settings, "stop");
    } finally {
      try (Stream<Path> files = Files.walk(data)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(file);
      }
    }
  }

  private static List<String> run(Map<String, String> settings, String command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
    builder.environment().putAll(settings);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("ops/postgres.sh " + command + " failed:\n" + output);
    }
    return output.lines().toList();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
