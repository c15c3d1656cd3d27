package dev.tally.ops.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The JDK the child Cassandra runs on. Cassandra 5.0 runs on Java 11 and 17 only (not 21, not 25). */
final class JavaHome {

  static final String ENV_VARIABLE = "CASSANDRA_JAVA_HOME";
  private static final Set<Integer> SUPPORTED = Set.of(11, 17);
  private static final int PREFERRED = 17;
  private static final Path SYSTEM_JVMS = Path.of("/usr/lib/jvm");
  private static final Pattern RELEASE_VERSION = Pattern.compile("^JAVA_VERSION=\"([^\"]+)\"");
  private static final Pattern VERSION_OUTPUT = Pattern.compile("version \"([^\"]+)\"");

  private final Path home;
  private final int feature;

  private JavaHome(Path home, int feature) {
    this.home = home;
    this.feature = feature;
  }

  /**
  * Picks, in order: {@code explicit} (if not null), {@code $CASSANDRA_JAVA_HOME}, this JVM if it is 17,
  * the first JDK 17 under /usr/lib/jvm, this JVM if it is 11. An explicit choice that is unsupported fails.
  */
  static JavaHome select(Path explicit) {
    if (explicit != null) {
      return requireSupported(explicit, "the configured java home");
    }
    String fromEnv = System.getenv(ENV_VARIABLE);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return requireSupported(Path.of(fromEnv), "$" + ENV_VARIABLE);
    }
    JavaHome current = new JavaHome(Path.of(System.getProperty("java.home")), Runtime.version().feature());
    if (current.feature == PREFERRED) {
      return current;
    }
    Optional<JavaHome> system = firstSystemJdk(PREFERRED);
    if (system.isPresent()) {
      return system.get();
    }
    if (SUPPORTED.contains(current.feature)) {
      return current;
    }
    throw new IllegalStateException("Cassandra 5.0 needs Java 11 or 17, but this JVM is Java " + current.feature
        + " (" + current.home + ") and there is no JDK 17 under " + SYSTEM_JVMS
        + ". Install one, or point $" + ENV_VARIABLE + " at a Java 11/17 home.");
  }

  Path executable() {
    return home.resolve("bin").resolve("java");
  }

  int feature() {
    return feature;
  }

  @Override
  public String toString() {
    return "Java " + feature + " at " + home;
  }

  private static JavaHome requireSupported(Path home, String origin) {
    if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
      throw new IllegalStateException(origin + " = " + home + " has no bin/java");
    }
    int feature = featureVersion(home);
    if (!SUPPORTED.contains(feature)) {
      throw new IllegalStateException(origin + " = " + home + " is Java " + feature
          + "; Cassandra 5.0 runs on Java 11 or 17 only.");
    }
    return new JavaHome(home, feature);
  }

  private static Optional<JavaHome> firstSystemJdk(int wanted) {
    if (!Files.isDirectory(SYSTEM_JVMS)) {
      return Optional.empty();
    }
    try (Stream<Path> entries = Files.list(SYSTEM_JVMS)) {
      List<Path> homes = entries.sorted()
          .filter(home -> Files.isExecutable(home.resolve("bin").resolve("java")))
          .toList();
      for (Path home : homes) {
        if (featureVersion(home) == wanted) {
          return Optional.of(new JavaHome(home, wanted));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the JDK's release file; falls back to asking {@code java -version} (JREs may lack the file). */
  private static int featureVersion(Path home) {
    Path release = home.resolve("release");
    try {
      if (Files.isReadable(release)) {
        for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
          Matcher m = RELEASE_VERSION.matcher(line);
          if (m.find()) {
            return feature(m.group(1));
          }
        }
      }
      return feature(versionFromExecutable(home));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot tell the Java version of " + home, e);
    }
  }

  private static String versionFromExecutable(Path home) throws IOException {
    Process p = new ProcessBuilder(home.resolve("bin").resolve("java").toString(), "-version")
        .redirectErrorStream(true)
        .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Matcher m = VERSION_OUTPUT.matcher(output);
    if (!m.find()) {
      throw new IOException("Unexpected `java -version` output from " + home + ": " + output);
    }
    return m.group(1);
  }

  /** "17.0.15" -> 17, "11" -> 11, "1.8.0_402" -> 8. */
  static int feature(String version) {
    String[] parts = version.split("[._+-]");
    int first = Integer.parseInt(parts[0]);
    return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
  }
}
