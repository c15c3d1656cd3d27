package dev.tally.ops.cassandra;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application class data sharing for the Cassandra JVM: a start without an archive records the classes it
 * loaded into one when it exits gracefully; later starts map it (-Xshare:auto) instead of parsing and
 * verifying those classes again. One archive per JDK and class path (the digest in its name), shared by
 * every data folder; a recording is moved into place only once complete, so starts side by side are safe.
 */
final class ClassDataArchive {

  private static final Logger log = LoggerFactory.getLogger(ClassDataArchive.class);

  private final Path archive;
  private final Path recording;

  private ClassDataArchive(Path archive, Path recording) {
    this.archive = archive;
    this.recording = recording;
  }

  /** The archive in {@code folder} for this JDK and class path (each jar's path, size and time). */
  static ClassDataArchive in(Path folder, Path javaExecutable, String classpath) {
    String key = digest(javaExecutable, classpath);
    Path archive = folder.resolve("cassandra-" + key + ".jsa");
    Path recording = folder.resolve("cassandra-" + key + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".recording");
    return new ClassDataArchive(archive, recording);
  }

  boolean exists() {
    return Files.isRegularFile(archive);
  }

  /** The JVM options: map the archive when there is one, else record one at exit. */
  List<String> jvmOptions() {
    if (exists()) return List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto");
    try {
      Files.createDirectories(recording.getParent());
    } catch (IOException e) {
      log.debug("No class data archive: cannot create {}: {}", recording.getParent(), e.toString());
      return List.of();
    }
    return List.of("-XX:ArchiveClassesAtExit=" + recording);
  }

  /** After the JVM exited: a recording made by a graceful exit (0, or 143 for SIGTERM) becomes the archive. */
  void afterExit(int exitCode) {
    try {
      if ((exitCode == 0 || exitCode == 143) && Files.isRegularFile(recording) && Files.size(recording) > 0) {
        Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.info("Recorded Cassandra's class data archive {}; later starts map it", archive);
      } else {
        Files.deleteIfExists(recording);
      }
    } catch (IOException e) {
      log.warn("Cannot keep the class data archive {}: {}", recording, e.toString());
    }
  }

  /** After a start with the archive failed: the next start does without it and records it anew. */
  void discard() {
    try {
      Files.deleteIfExists(archive);
    } catch (IOException e) {
      log.warn("Cannot delete the class data archive {}: {}", archive, e.toString());
    }
  }

  Path archive() {
    return archive;
  }

  private static String digest(Path javaExecutable, String classpath) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      Path real = javaExecutable.toRealPath();
      sha.update(real.toString().getBytes(StandardCharsets.UTF_8));
      Path release = real.getParent().getParent().resolve("release");
      if (Files.isRegularFile(release)) sha.update(Files.readAllBytes(release));
      for (String entry : classpath.split(File.pathSeparator)) {
        Path jar = Path.of(entry);
        String stamp = Files.exists(jar) ? Files.size(jar) + "@" + Files.getLastModifiedTime(jar).toMillis() : "absent";
        sha.update((entry + "=" + stamp + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot key the class data archive", e);
    }
  }
}
