package dev.tally.ops.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The events-by-tag first time bucket (a node's TALLY_FIRST_TIME_BUCKET) for the nodes of a Cassandra
 * this project started: the minute before the first node asked, kept in the data folder so that
 * every later start gives the same. No event in that Cassandra is older, and a read side that starts
 * without an offset does not scan the minutes of days before it.
 */
public final class FirstTimeBucket {

  static final String FILE = "tally-first-time-bucket";
  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm").withZone(ZoneOffset.UTC);

  private FirstTimeBucket() {}

  /** The bucket kept in {@code dataDir}, written now when there is none. */
  public static synchronized String of(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dataDir);
        String bucket = FORMAT.format(Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES));
        try {
          Files.writeString(Files.createFile(file), bucket, StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException anotherProcessWroteIt) {
          // read it below
        }
      }
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
