package dev.tally.ops.k8s;

import static dev.tally.ops.k8s.Manifests.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The image runs the node as the manifests expect it. No Docker engine here: the Dockerfile is read as text. */
class DockerfileTest {

  private static final Path DOCKERFILE = Path.of(System.getProperty("tally.dockerfile", "../docker/Dockerfile"));

  private record Instruction(String keyword, String arguments) {}

  private static List<Instruction> instructions;

  @BeforeAll
  static void parse() throws IOException {
    instructions = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      String whole = (pending + line).strip();
      pending.setLength(0);
      String[] parts = whole.split("\\s+", 2);
      instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
    }
  }

  @Test
  void runsOnTheTemurin17Jre() {
    assertEquals(List.of("eclipse-temurin:17-jre"), arguments("FROM"));
  }

  @Test
  void exposesTheNodesDefaultPorts() {
    Config defaults = NodeConfig.defaults();
    Set<Integer> nodePorts = new TreeSet<>();
    ManifestsTest.PORT_SETTINGS.values().forEach(path -> {
      assertTrue(defaults.hasPath(path), "the node's config has no " + path);
      nodePorts.add(defaults.getInt(path));
    });
    Set<Integer> exposed = arguments("EXPOSE").stream()
        .flatMap(a -> Arrays.stream(a.split("\\s+")))
        .map(port -> Integer.valueOf(port.replace("/tcp", "")))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(nodePorts, exposed);
  }

  @Test
  void startsTheNodeMainWithAContainerAwareHeapOnTheCopiedJars() {
    List<String> entrypoint = execForm(single("ENTRYPOINT"));
    assertEquals("java", entrypoint.get(0));
    assertEquals("dev.tally.node.Main", entrypoint.get(entrypoint.size() - 1));
    assertTrue(entrypoint.stream().anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage=")), "heap sized from the container's limit");
    String classpath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
    assertEquals("/app/lib/*", classpath);
    for (String copy : arguments("COPY")) {
      String[] parts = copy.split("\\s+");
      assertEquals("/app/lib/", parts[parts.length - 1], "every jar goes where the class path looks: " + copy);
    }
  }

  @Test
  void copiesTheNodeJarOfThisVersionAndItsDependencies() {
    String version = System.getProperty("tally.version");
    assertEquals("TALLY_VERSION=" + version, single("ARG"), "the ARG default is the project version");
    List<String> sources = arguments("COPY").stream().map(c -> c.split("\\s+")[0]).toList();
    assertEquals(List.of("cluster-node/target/dependency/", "cluster-node/target/tally-cluster-node-${TALLY_VERSION}.jar"), sources);
  }

  @Test
  void runsAsTheNonRootUserThePodsRunAs() throws IOException {
    String user = single("USER");
    String uid = user.split(":")[0];
    assertNotEquals("0", uid);
    assertNotEquals("root", uid);
    Object podUser = at(Manifests.load().get("Deployment", "tally"), "spec", "template", "spec", "securityContext", "runAsUser");
    assertEquals(uid, String.valueOf(podUser), "numeric, so that runAsNonRoot can check it");
  }

  @Test
  void setsOnlyVariablesTheNodeReads() throws IOException {
    Set<String> read = NodeConfig.environmentVariables();
    for (String env : arguments("ENV")) {
      for (String assignment : env.split("\\s+")) {
        String name = assignment.split("=", 2)[0];
        assertTrue(read.contains(name), name + " is not a variable the node reads");
      }
    }
  }

  private static List<String> arguments(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
  }

  private static String single(String keyword) {
    List<String> found = arguments(keyword);
    assertEquals(1, found.size(), "one " + keyword);
    return found.get(0);
  }

  /** An exec-form instruction is a JSON array of strings, which YAML reads too. */
  private static List<String> execForm(String arguments) {
    assertTrue(arguments.startsWith("["), "exec form, so java is PID 1 and gets SIGTERM: " + arguments);
    List<?> parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(arguments);
    return parsed.stream().map(String::valueOf).toList();
  }
}
