package dev.tally.ops.k8s;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.tally.node.Main;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The node's configuration contract, read from the node's own artifact (jar or classes folder): its
 * settings under a given environment, and the environment variables its config files and logback.xml read.
 */
final class NodeConfig {

  /** HOCON's optional override: {@code port = ${?TALLY_GRPC_PORT}}. */
  private static final Pattern HOCON_ENV = Pattern.compile("\\$\\{\\?([A-Za-z_][A-Za-z0-9_]*)}");
  /** Logback's variables, with or without a default: {@code ${TALLY_LOG_FORMAT:-text}}. */
  private static final Pattern LOGBACK_ENV = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?}");

  private NodeConfig() {}

  /**
   * The node's config as {@code Main} loads it (application.conf over the reference.confs), with only
   * {@code environment} as the environment: neither this JVM's environment nor its system properties.
   */
  static Config under(Map<String, String> environment) {
    return ConfigFactory.parseResourcesAnySyntax(Main.class.getClassLoader(), "application")
        .withFallback(ConfigFactory.defaultReferenceUnresolved(Main.class.getClassLoader()))
        .resolve(ConfigResolveOptions.noSystem().appendResolver(new Environment(environment, null)));
  }

  static Config defaults() {
    return under(Map.of());
  }

  /** Every environment variable named in the node's *.conf files (outside comments) and its logback.xml. */
  static Set<String> environmentVariables() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Artifact artifact = Artifact.open()) {
      try (Stream<Path> files = Files.list(artifact.root)) {
        for (Path conf : files.filter(f -> f.getFileName().toString().endsWith(".conf")).toList()) {
          for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
            if (!line.strip().startsWith("#") && !line.strip().startsWith("//")) {
              collect(HOCON_ENV, line, names);
            }
          }
        }
      }
      collect(LOGBACK_ENV, Files.readString(artifact.root.resolve("logback.xml"), StandardCharsets.UTF_8), names);
    }
    return names;
  }

  /** The node's logback.xml (not another one a test dependency might carry). */
  static URL logbackXml() throws IOException {
    Path location = Artifact.location();
    String url = Files.isDirectory(location)
        ? location.resolve("logback.xml").toUri().toString()
        : "jar:" + location.toUri() + "!/logback.xml";
    return URI.create(url).toURL();
  }

  private static void collect(Pattern pattern, String text, Set<String> names) {
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
  }

  /** Answers {@code ${?NAME}} substitutions from a given map instead of the process environment. */
  private record Environment(Map<String, String> values, ConfigResolver fallback) implements ConfigResolver {

    @Override
    public ConfigValue lookup(String path) {
      String value = values.get(path);
      if (value != null) {
        return ConfigValueFactory.fromAnyRef(value, "environment variable " + path);
      }
      return fallback == null ? null : fallback.lookup(path);
    }

    @Override
    public ConfigResolver withFallback(ConfigResolver next) {
      return new Environment(values, fallback == null ? next : fallback.withFallback(next));
    }
  }

  /** The root of the node's jar or classes folder. */
  private record Artifact(Path root, FileSystem jar) implements AutoCloseable {

    static Artifact open() throws IOException {
      Path location = location();
      if (Files.isDirectory(location)) {
        return new Artifact(location, null);
      }
      FileSystem jar = FileSystems.newFileSystem(location);
      return new Artifact(jar.getPath("/"), jar);
    }

    static Path location() {
      try {
        return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() throws IOException {
      if (jar != null) {
        jar.close();
      }
    }
  }
}
