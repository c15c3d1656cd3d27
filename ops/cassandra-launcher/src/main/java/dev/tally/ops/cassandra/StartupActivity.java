package dev.tally.ops.cassandra;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a starting Cassandra is busy with, as its start-up thread last said in {@code cassandra.log}:
 * e.g. "Initializing system_schema.tables" or "Replaying ..." , for the progress line printed while
 * the launcher waits.
 */
final class StartupActivity {

  /** Where {@link CassandraProcess#launch} marks a start in the log. */
  static final String START_MARK = "\n==== ";
  /** {@code INFO  [main] 2026-12-02 19:24:29,081 ColumnFamilyStore.java:502 - Initializing system.local}. */
  private static final Pattern MAIN_THREAD_LINE =
      Pattern.compile("^(?:INFO|WARN|ERROR)\\s+\\[main\\] \\S+ \\S+ \\S+ - (.+)$", Pattern.MULTILINE);
  private static final int TAIL_BYTES = 64 * 1024;
  private static final int MAX_LENGTH = 120;

  private StartupActivity() {}

  /** The start-up thread's latest message of the latest start; empty before it logged any or if the log is unreadable. */
  static Optional<String> latest(Path logFile) {
    String tail = tail(logFile);
    int start = tail.lastIndexOf(START_MARK);
    Matcher line = MAIN_THREAD_LINE.matcher(start < 0 ? tail : tail.substring(start));
    String latest = null;
    while (line.find()) latest = line.group(1).strip();
    if (latest == null) return Optional.empty();
    return Optional.of(latest.length() <= MAX_LENGTH ? latest : latest.substring(0, MAX_LENGTH) + "...");
  }

  private static String tail(Path logFile) {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long from = Math.max(0, file.length() - TAIL_BYTES);
      byte[] bytes = new byte[(int) (file.length() - from)];
      file.seek(from);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException unreadable) {
      return "";
    }
  }
}
