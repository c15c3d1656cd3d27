package dev.tally.ops.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The files a single local Cassandra node needs in its data folder, rewritten on every start. */
final class SingleNodeConfig {

  /** Must never change for a data folder: Cassandra refuses to start if system.local holds another name. */
  static final String CLUSTER_NAME = "tally-local";

  private final Path dataDir;
  private final int cqlPort;
  private final int storagePort;
  private final boolean passwordAuthentication;
  private final ClientTls clientTls;

  /** TLS on the native port from a PKCS#12 key store; plaintext clients are still accepted ({@code optional}). */
  record ClientTls(Path keyStore, String password) {

    /** Never prints the password. */
    @Override
    public String toString() {
      return "ClientTls[" + keyStore + "]";
    }
  }

  SingleNodeConfig(Path dataDir, int cqlPort, int storagePort, boolean passwordAuthentication, ClientTls clientTls) {
    this.dataDir = dataDir;
    this.cqlPort = cqlPort;
    this.storagePort = storagePort;
    this.passwordAuthentication = passwordAuthentication;
    this.clientTls = clientTls;
  }

  Path yaml() {
    return dataDir.resolve("cassandra.yaml");
  }

  Path logbackXml() {
    return dataDir.resolve("logback.xml");
  }

  Path triggersDir() {
    return dataDir.resolve("triggers");
  }

  Path tmpDir() {
    return dataDir.resolve("tmp");
  }

  /** Writes cassandra.yaml and logback.xml and creates the triggers dir Cassandra insists on, and tmp. */
  void write() {
    try {
      Files.createDirectories(triggersDir());
      Files.createDirectories(tmpDir());
      Files.writeString(yaml(), yamlText(), StandardCharsets.UTF_8);
      Files.writeString(logbackXml(), LOGBACK_XML, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the Cassandra config into " + dataDir, e);
    }
  }

  private String yamlText() {
    return """
        # Written by dev.tally.ops.cassandra.CassandraServer on every start: edits here are lost.
        # One node on 127.0.0.1 only; nothing listens on other interfaces.
        cluster_name: %s
        num_tokens: 16
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch

        listen_address: 127.0.0.1
        rpc_address: 127.0.0.1
        storage_port: %d
        native_transport_port: %d
        start_native_transport: true
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "127.0.0.1:%d"

        data_file_directories:
          - %s
        commitlog_directory: %s
        saved_caches_directory: %s
        hints_directory: %s
        cdc_raw_directory: %s

        # A write is acknowledged only once the commit log holding it is on disk (fsync), so neither a
        # killed Cassandra nor an OS crash loses it. Writes arriving within one window share a flush.
        # (periodic, Cassandra's default, acknowledges before the flush: a kill -9 lost writes Tally had
        # acknowledged, issue 23.) Direct I/O writes the commit log past the page cache; it costs
        # less CPU per flushed write than the memory-mapped log (ops/bench/findings.md, "Durability").
        # A 1 ms window, not 2: each write waits for its window's flush, and the shorter one lowered the
        # median op at moderate load without costing CPU or closed-loop pairs/s (BENCHMARKS.md, stop 41).
        commitlog_sync: group
        commitlog_sync_group_window: 1ms
        commitlog_disk_access_mode: direct

        # Request threads: 16, not the 128 / 32 / 32 of Cassandra's defaults. With the commit log flushed
        # before each acknowledgement a write's thread waits for the flush, so Cassandra grew ~95
        # native-transport and ~25 mutation threads under tally-bench's 256 callers; with 16, the
        # native-transport threads used half the CPU per request and 10,000 orgs got ~1.4x the pairs/s
        # on 2 cores (BENCHMARKS.md, issue 22).
        # 16 threads still take 16 writes per 2 ms window, ~8,000 writes/s.
        native_transport_max_threads: 16
        concurrent_writes: 16
        concurrent_reads: 16

        # Trie memtables (new in 5.0, not yet its default): more reserve+commit pairs/s in tally-bench,
        # Cassandra using the same CPU (ops/bench/findings.md, "Cassandra's trie memtables").
        memtable:
          configurations:
            trie:
              class_name: TrieMemtable
            default:
              inherits: trie
        # The memtables' data off the Java heap: on it, every write lived in the young generation until its
        # memtable flushed, and Cassandra's collector copied it there again and again. Off it, Cassandra's
        # pauses and the tail of Tally's calls were shorter (BENCHMARKS.md, stop 40).
        memtable_allocation_type: offheap_objects

        # PasswordAuthenticator when started with passwordAuthentication(): superuser cassandra/cassandra.
        authenticator: %s
        authorizer: AllowAllAuthorizer
        role_manager: CassandraRoleManager
        network_authorizer: AllowAllNetworkAuthorizer

        # Dev and test data: no snapshot on TRUNCATE / DROP.
        auto_snapshot: false
        """.formatted(
        CLUSTER_NAME,
        storagePort,
        cqlPort,
        storagePort,
        quoted(dataDir.resolve("data")),
        quoted(dataDir.resolve("commitlog")),
        quoted(dataDir.resolve("saved_caches")),
        quoted(dataDir.resolve("hints")),
        quoted(dataDir.resolve("cdc_raw")),
        passwordAuthentication ? "PasswordAuthenticator" : "AllowAllAuthenticator") + clientEncryption();
  }

  /** TLS on the native port when asked for; optional, so plaintext clients (this launcher's own) still connect. */
  private String clientEncryption() {
    if (clientTls == null) return "";
    return "client_encryption_options:\n"
        + "  enabled: true\n"
        + "  optional: true\n"
        + "  keystore: " + quoted(clientTls.keyStore()) + "\n"
        + "  keystore_password: " + quoted(clientTls.password()) + "\n"
        + "  store_type: PKCS12\n"
        + "  require_client_auth: false\n";
  }

  /** A YAML double-quoted scalar, so paths with spaces or colons stay one value. */
  private static String quoted(Path path) {
    return quoted(path.toString());
  }

  private static String quoted(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** Without it logback falls back to DEBUG on the console: megabytes of noise per start. */
  private static final String LOGBACK_XML = """
      <configuration>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder>
            <pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern>
          </encoder>
        </appender>
        <root level="INFO">
          <appender-ref ref="STDOUT"/>
        </root>
      </configuration>
      """;
}
