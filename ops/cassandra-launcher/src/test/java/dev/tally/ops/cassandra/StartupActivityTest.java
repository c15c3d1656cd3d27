package dev.tally.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress line names what Cassandra's start-up thread last said in this start, from lines of a real cassandra.log. */
class StartupActivityTest {

  static final String EARLIER_START = """

      ==== 2026-12-02T19:24:21.922436120Z starting java -Xmx1G ...
      INFO  [main] 2026-12-02 19:24:36,467 PipelineConfigurator.java:148 - Starting listening for CQL clients on /127.0.0.1:9242 (unencrypted)...
      INFO  [main] 2026-12-02 19:24:36,485 CassandraDaemon.java:744 - Startup complete
      """;

  @Test
  void theStartUpThreadsLatestLineOfTheLatestStartIsWhatCassandraIsBusyWith(@TempDir Path dir) throws IOException {
    Path log = write(dir, EARLIER_START + """

        ==== 2026-12-02T19:29:00.462000000Z starting java -Xmx1G ...
        INFO  [main] 2026-12-02 19:29:09,254 CommitLog.java:206 - Replaying /data/commitlog/CommitLog-7-1796239727267.log
        INFO  [CompactionExecutor:1] 2026-12-02 19:29:09,300 CompactionTask.java:175 - Compacting (07051d00) [/data/system/local]
        WARNING: A terminally deprecated method in java.lang.System has been called
        """);
    assertEquals(Optional.of("Replaying /data/commitlog/CommitLog-7-1796239727267.log"), StartupActivity.latest(log));
  }

  @Test
  void nothingBeforeTheStartUpThreadOfThisStartSaidAnything(@TempDir Path dir) throws IOException {
    Path log = write(dir, EARLIER_START + "\n==== 2026-12-02T19:29:00.462000000Z starting java -Xmx1G ...\n");
    assertEquals(Optional.empty(), StartupActivity.latest(log));
    assertEquals(Optional.empty(), StartupActivity.latest(dir.resolve("no-such.log")));
  }

  @Test
  void aLongLineIsCut(@TempDir Path dir) throws IOException {
    Path log = write(dir, "\n==== 2026-12-02T19:29:00Z starting\nINFO  [main] 2026-12-02 19:24:23,298 Config.java:1371 - Node configuration:["
        + "x".repeat(500) + "]\n");
    String latest = StartupActivity.latest(log).orElseThrow();
    assertEquals("Node configuration:[", latest.substring(0, 20));
    assertEquals(123, latest.length(), latest);
  }

  private static Path write(Path dir, String text) throws IOException {
    return Files.writeString(dir.resolve("cassandra.log"), text);
  }
}
