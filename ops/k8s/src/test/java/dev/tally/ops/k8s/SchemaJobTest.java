package dev.tally.ops.k8s;

import static dev.tally.ops.k8s.Manifests.at;
import static dev.tally.ops.k8s.Manifests.container;
import static dev.tally.ops.k8s.Manifests.list;
import static dev.tally.ops.k8s.Manifests.maps;
import static dev.tally.ops.k8s.Manifests.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tally-schema Job applies exactly the versioned CQL files of ops/cql, in version order. */
class SchemaJobTest {

  private static final Path CQL_DIR = Path.of(System.getProperty("tally.cql.dir", "../cql"));

  private static Manifests manifests;
  private static Map<String, Object> job;
  private static Map<String, Object> cqlsh;

  @BeforeAll
  static void load() throws IOException {
    manifests = Manifests.load();
    job = manifests.get("Job", "tally-schema");
    cqlsh = container(job);
  }

  @Test
  void schemaConfigMapHoldsEachCqlFileVerbatim() throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> listing = Files.list(CQL_DIR)) {
      for (Path file : listing.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.cql")).toList()) {
        files.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    assertFalse(files.isEmpty(), "no V<n>__*.cql in " + CQL_DIR);
    Map<String, String> copied = new TreeMap<>(strings(at(schemaConfigMap(), "data")));
    assertEquals(files.keySet(), copied.keySet(), "ops/k8s/schema-configmap.yaml lists other files than ops/cql; regenerate it (see its header)");
    files.forEach((name, text) ->
        assertEquals(text, copied.get(name), name + " in ops/k8s/schema-configmap.yaml differs from ops/cql; regenerate it (see its header)"));
  }

  @Test
  void jobReachesCassandraWhereTheNodesDo() throws IOException {
    Map<String, Object> contactPoint = variable("CASSANDRA_CONTACT_POINT");
    Map<String, String> ref = strings(at(contactPoint, "valueFrom", "configMapKeyRef"));
    String nodeDeploymentConfigMap = (String) at(maps(container(manifests.get("Deployment", "tally")).get("envFrom")).get(0), "configMapRef", "name");
    assertEquals(nodeDeploymentConfigMap, ref.get("name"), "the ConfigMap the nodes take their environment from");
    assertTrue(NodeConfig.environmentVariables().contains(ref.get("key")), ref.get("key") + " is a variable the node reads");
    assertEquals("cassandra:5.0", cqlsh.get("image"));
  }

  @Test
  void jobMountsTheSchemaWhereItsScriptLooks() {
    Map<String, Object> volume = maps(at(job, "spec", "template", "spec", "volumes")).stream()
        .filter(v -> "tally-schema".equals(at(v, "configMap", "name"))).findFirst().orElseThrow();
    Map<String, Object> mount = maps(cqlsh.get("volumeMounts")).stream()
        .filter(m -> volume.get("name").equals(m.get("name"))).findFirst().orElseThrow();
    assertEquals(mount.get("mountPath"), variable("SCHEMA_DIR").get("value"));
  }

  @Test
  void scriptWaitsForCassandraThenAppliesEachFileInVersionOrder(@TempDir Path work) throws Exception {
    Path schema = Files.createDirectories(work.resolve("schema"));
    for (String name : List.of("V10__ten.cql", "V2__two.cql", "V1__one.cql", "README.md")) {
      Files.writeString(schema.resolve(name), "-- " + name + "\n");
    }
    Run run = runScript(work, schema);

    assertEquals(0, run.exitCode(), run.output());
    assertEquals(List.of(
            "cassandra.db 9142 --connect-timeout=10 -e SELECT release_version FROM system.local",
            "cassandra.db 9142 --request-timeout=60 -f " + schema.resolve("V1__one.cql"),
            "cassandra.db 9142 --request-timeout=60 -f " + schema.resolve("V2__two.cql"),
            "cassandra.db 9142 --request-timeout=60 -f " + schema.resolve("V10__ten.cql")),
        run.cqlshCalls());
  }

  @Test
  void scriptFailsWhenThereIsNoSchemaFile(@TempDir Path work) throws Exception {
    Path schema = Files.createDirectories(work.resolve("schema"));
    Run run = runScript(work, schema);
    assertNotEquals(0, run.exitCode(), run.output());
  }

  @Test
  void scriptGivesCqlshItsLoginInAFileOnlyItsUserCanReadNeverOnItsCommandLine(@TempDir Path work) throws Exception {
    for (String name : List.of("CASSANDRA_USERNAME", "CASSANDRA_PASSWORD")) {
      Map<String, String> ref = strings(at(variable(name), "valueFrom", "secretKeyRef"));
      assertEquals("tally-cassandra-schema", ref.get("name"), "the Secret ops/k8s/README.md names for the schema's role");
      assertEquals("true", ref.get("optional"), "a Cassandra without a login needs no Secret");
    }
    Path schema = Files.createDirectories(work.resolve("schema"));
    Files.writeString(schema.resolve("V1__one.cql"), "-- one\n");
    Path home = Files.createDirectories(work.resolve("home"));
    String password = "s3cret %s 'quoted'";

    Run run = runScript(work, schema, Map.of("CASSANDRA_USERNAME", "tally", "CASSANDRA_PASSWORD", password, "HOME", home.toString()));

    assertEquals(0, run.exitCode(), run.output());
    Path credentials = home.resolve(".cassandra/credentials");
    assertEquals("[PlainTextAuthProvider]\nusername = tally\npassword = " + password + "\n", Files.readString(credentials));
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(credentials),
        "cqlsh ignores a credentials file others can read");
    assertEquals(List.of(
            "cassandra.db 9142 --credentials " + credentials + " --connect-timeout=10 -e SELECT release_version FROM system.local",
            "cassandra.db 9142 --credentials " + credentials + " --request-timeout=60 -f " + schema.resolve("V1__one.cql")),
        run.cqlshCalls());
    assertFalse(run.output().contains("s3cret"), run.output());
  }

  private record Run(int exitCode, String output, List<String> cqlshCalls) {}

  private static Run runScript(Path work, Path schema) throws Exception {
    return runScript(work, schema, Map.of());
  }

  /** Runs the Job's command with a cqlsh on the PATH that answers at once and records its arguments. */
  private static Run runScript(Path work, Path schema, Map<String, String> environment) throws Exception {
    List<String> command = list(cqlsh.get("command")).stream().map(String::valueOf).toList();
    assertEquals(List.of("bash", "-c"), command.subList(0, 2));
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path calls = work.resolve("calls");
    Path stub = Files.writeString(bin.resolve("cqlsh"), "#!/bin/sh\necho \"$*\" >> \"$CQLSH_CALLS\"\n");
    assertTrue(stub.toFile().setExecutable(true));

    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    builder.environment().put("CQLSH_CALLS", calls.toString());
    builder.environment().put("CASSANDRA_CONTACT_POINT", "cassandra.db:9142");
    builder.environment().put("SCHEMA_DIR", schema.toString());
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the script ends");
    List<String> cqlshCalls = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    return new Run(process.exitValue(), output, cqlshCalls);
  }

  private static Map<String, Object> variable(String name) {
    return maps(cqlsh.get("env")).stream().filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("the Job sets no " + name));
  }

  private static Map<String, Object> schemaConfigMap() {
    return manifests.get("ConfigMap", "tally-schema");
  }
}
