package dev.tally.ops.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
* A real single-node Apache Cassandra 5.0 in a child JVM, bound to 127.0.0.1, for development runs and
* integration tests. Its data, config and log ({@code cassandra.log}) live in one data folder; starting
* again on the same folder keeps the data.
*
* <pre>{@code
* try (CassandraServer cassandra = CassandraServer.builder(dir).cqlPort(CassandraServer.freePort())
*         .storagePort(CassandraServer.freePort()).build()) {
*     cassandra.start();
*     cassandra.applySchema();
*     ... connect to cassandra.contactPoint(), local datacenter CassandraServer.LOCAL_DATACENTER ...
* }
* }</pre>
*/
public final class CassandraServer implements AutoCloseable {

  public static final int DEFAULT_CQL_PORT = 9042;
  public static final int DEFAULT_STORAGE_PORT = 7000;
  /** The only datacenter SimpleSnitch knows; drivers need it as their local datacenter. */
  public static final String LOCAL_DATACENTER = "datacenter1";

  private static final Logger log = LoggerFactory.getLogger(CassandraServer.class);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  private static final InetAddress LOOPBACK = loopback();
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final Path dataDir;
  private final int cqlPort;
  private final int storagePort;
  private final String maxHeap;
  private final Path javaHome;
  private final Duration startTimeout;
  private final boolean passwordAuthentication;
  private final SingleNodeConfig.ClientTls clientTls;
  private final boolean ownSession;
  private final Path classDataArchives;

  private CassandraProcess process;

  private CassandraServer(Builder builder) {
    this.dataDir = builder.dataDir.toAbsolutePath().normalize();
    this.cqlPort = builder.cqlPort;
    this.storagePort = builder.storagePort;
    this.maxHeap = builder.maxHeap;
    this.javaHome = builder.javaHome;
    this.startTimeout = builder.startTimeout;
    this.passwordAuthentication = builder.passwordAuthentication;
    this.clientTls = builder.clientTls;
    this.ownSession = builder.ownSession;
    this.classDataArchives = builder.classDataArchives;
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /**
   * Starts Cassandra and returns once a client can connect to its CQL port (and log in, with
   * {@link Builder#passwordAuthentication()}); no-op if already running. Says every 5 s what it waits for.
   */
  public synchronized CassandraServer start() {
    if (isRunning()) {
      return this;
    }
    JavaHome java = JavaHome.select(javaHome);
    String classpath = CassandraClasspath.load();
    SingleNodeConfig config = new SingleNodeConfig(dataDir, cqlPort, storagePort, passwordAuthentication, clientTls);
    createDataDir();
    CassandraProcess.refuseIfAlreadyRunningIn(dataDir);
    config.write();
    requirePortsFree();

    ClassDataArchive archive = ClassDataArchive.in(classDataArchives, java.executable(), classpath);
    boolean mapped = archive.exists();
    try {
      launchAndAwait(java, classpath, config, archive);
    } catch (ExitedDuringStartup e) {
      if (!mapped) throw e;
      log.warn("Cassandra exited during start-up with the class data archive {}; starting it again without", archive.archive());
      archive.discard();
      launchAndAwait(java, classpath, config, archive);
    }
    return this;
  }

  private void launchAndAwait(JavaHome java, String classpath, SingleNodeConfig config, ClassDataArchive archive) {
    String classData = archive.exists() ? "class data archive mapped" : "recording a class data archive";
    Instant begin = Instant.now();
    process = CassandraProcess.launch(dataDir, command(java, classpath, config, archive.jvmOptions()), archive::afterExit);
    log.info("Starting Cassandra (pid {}, {}, {}) on CQL port {}, data {}", process.pid(), java, classData, cqlPort, dataDir);
    try {
      awaitCqlReady(begin);
    } catch (RuntimeException e) {
      kill();
      throw e;
    }
    log.info("Cassandra CQL-ready on 127.0.0.1:{} after {} ms", cqlPort, Duration.between(begin, Instant.now()).toMillis());
  }

  /** The Cassandra JVM ended before it answered: with a class data archive, worth one start without it. */
  private static final class ExitedDuringStartup extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ExitedDuringStartup(String message) {
      super(message);
    }
  }

  /** Applies the versioned CQL files (ops/cql, packaged as cql/) in version order; idempotent. */
  public void applySchema() {
    requireRunning();
    log.info("Applying the CQL schema");
    try (CqlSession session = session(false)) {
      CqlSchema.apply(session, script -> log.info("Applied {} ({} statements)", script.name(), script.statements().size()));
    }
  }

  /**
   * The default superuser's login of a Cassandra started with {@link Builder#passwordAuthentication()}.
   * Known to everyone: make a role of your own with it (CREATE ROLE ... WITH PASSWORD ... AND LOGIN = true).
   */
  public static final String SUPERUSER = "cassandra";

  /** A new session to this node, with full driver metadata, as the superuser when it asks for a login; the caller closes it. */
  public CqlSession newSession() {
    return session(true);
  }

  private CqlSession session(boolean withSchemaMetadata) {
    var builder = CqlSession.builder();
    if (passwordAuthentication) builder.withAuthCredentials(SUPERUSER, SUPERUSER);
    return builder
        .addContactPoint(contactPoint())
        .withLocalDatacenter(LOCAL_DATACENTER)
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            // This node only: a node's application.conf on the class path (the local run) names its own
            // contact point, which the driver would add and then warn about as of an unknown datacenter.
            .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of())
            // DDL on a small dev machine can take seconds; the default 2 s is for production reads.
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
            // Off, the driver skips its debounced (1 s) schema refresh after every DDL statement.
            .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, withSchemaMetadata)
            .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, withSchemaMetadata)
            // Closing waits this long for late tasks (2 s by default); a session of one node has none worth it.
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
            .build())
        .build();
  }

  /** Graceful stop: SIGTERM (Cassandra drains and flushes), up to 30 s, then SIGKILL. Idempotent. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.stop();
    process = null;
  }

  /** SIGKILL now, for crash tests; waits only until the OS has reaped the process. Idempotent. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    process.kill();
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The Cassandra JVM's process id while it runs (e.g. to account for its CPU). */
  public synchronized Optional<Long> pid() {
    return isRunning() ? Optional.of(process.pid()) : Optional.empty();
  }

  public int cqlPort() {
    return cqlPort;
  }

  public int storagePort() {
    return storagePort;
  }

  public InetSocketAddress contactPoint() {
    return new InetSocketAddress(LOOPBACK, cqlPort);
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path logFile() {
    return CassandraProcess.logFile(dataDir);
  }

  /** A port free on 127.0.0.1 right now (the OS picks it); for tests. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1", e);
    }
  }

  private List<String> command(JavaHome java, String classpath, SingleNodeConfig config, List<String> classDataOptions) {
    List<String> command = new ArrayList<>();
    // setsid execs Cassandra in place (same pid), in a session of its own.
    if (ownSession) command.add(SETSID.toString());
    command.add(java.executable().toString());
    command.add("-Xmx" + maxHeap);
    command.addAll(List.of(
        // Each one proven necessary on Java 17: without it start-up dies with an access error.
        "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED", // FileUtils: jdk.internal.ref.Cleaner.clean
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", // FileUtils: sun.nio.ch.DirectBuffer.cleaner
        "--add-opens", "java.base/java.io=ALL-UNNAMED")); // NativeLibrary: FileDescriptor.fd
    command.addAll(classDataOptions);
    command.add("-Dcassandra.config=" + config.yaml().toUri());
    command.add("-Dcassandra-foreground=yes");
    command.add("-Dcassandra.storagedir=" + dataDir);
    command.add("-Dcassandra.triggers_dir=" + config.triggersDir());
    command.add("-Dlogback.configurationFile=" + config.logbackXml());
    // lz4, snappy, netty and JNA unpack native libraries there; a killed JVM would leave them in /tmp.
    command.add("-Djava.io.tmpdir=" + config.tmpDir());
    // A lone seed has nobody to gossip with: skip the waits meant for real clusters.
    command.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");
    command.add("-Dcassandra.ring_delay_ms=100");
    command.add("-Dcassandra.shutdown_announce_in_ms=0");
    // The default superuser is made this long after start (10 s by default): at once, as nobody else can.
    if (passwordAuthentication) command.add("-Dcassandra.superuser_setup_delay_ms=0");
    command.add("-cp");
    command.add(classpath);
    command.add(CassandraProcess.MAIN_CLASS);
    return command;
  }

  /** Polls with a raw CQL request (milliseconds each) and says every few seconds what Cassandra is busy with. */
  private void awaitCqlReady(Instant begin) {
    StartLimit limit = new StartLimit(begin, startTimeout);
    Instant nextProgress = begin.plus(PROGRESS_EVERY);
    Optional<CqlReadiness.Login> login = passwordAuthentication
        ? Optional.of(new CqlReadiness.Login(SUPERUSER, SUPERUSER)) : Optional.empty();
    while (true) {
      if (!process.isAlive()) {
        throw new ExitedDuringStartup("Cassandra exited with code " + process.exitValue()
            + " during start-up. Last lines of " + logFile() + ":\n" + process.logTail());
      }
      if (CqlReadiness.answers(contactPoint(), login, PROBE_TIMEOUT)) {
        return;
      }
      Instant now = Instant.now();
      limit.logSizeAt(logFile().toFile().length(), now);
      if (limit.passed(now)) {
        throw new IllegalStateException("Cassandra did not answer CQL on " + contactPoint() + " "
            + limit.reason(now) + ". Last lines of " + logFile() + ":\n" + process.logTail());
      }
      if (now.isAfter(nextProgress)) {
        log.info("Cassandra starting, {} s so far: {}", Duration.between(begin, now).toSeconds(),
            StartupActivity.latest(logFile()).orElse("the JVM is loading"));
        nextProgress = nextProgress.plus(PROGRESS_EVERY);
      }
      sleep(POLL_INTERVAL);
    }
  }

  private void createDataDir() {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + dataDir, e);
    }
  }

  /** Fails fast with a clear message instead of a bind error buried in the log. */
  private void requirePortsFree() {
    for (int port : new int[] {cqlPort, storagePort}) {
      if (!isFree(port)) {
        throw new IllegalStateException("Port 127.0.0.1:" + port + " is taken; pick another (freePort()).");
      }
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, LOOPBACK)) {
      return probe.isBound();
    } catch (IOException e) {
      return false;
    }
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException("Cassandra is not running; call start() first.");
    }
  }

  /**
   * At JVM exit, stops Cassandra only once {@code first} completed (or after the stop timeout), instead
   * of alongside every other shutdown hook: the local run stops its node first, whose open sessions
   * would otherwise log failed reconnects to a Cassandra already gone.
   */
  public synchronized void stopOnExitAfter(CompletionStage<?> first) {
    requireRunning();
    process.stopAtExitAfter(first);
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Cassandra", e);
    }
  }

  /** Named "127.0.0.1", never "localhost": Cassandra listens on that IPv4 address only. */
  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
  * {@code --data DIR [--cql-port 9042] [--storage-port 7000] [--max-heap 1G] [--password-authentication on]}:
  * starts Cassandra, applies the schema and runs until Ctrl-C, which stops it gracefully.
  */
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = options(args);
    if (!options.containsKey("--data")) {
      System.err.println("usage: CassandraServer --data DIR [--cql-port N] [--storage-port N] [--max-heap SIZE]"
          + " [--password-authentication on]");
      System.exit(2);
    }
    Builder builder = builder(Path.of(options.get("--data")))
        .cqlPort(Integer.parseInt(options.getOrDefault("--cql-port", String.valueOf(DEFAULT_CQL_PORT))))
        .storagePort(Integer.parseInt(options.getOrDefault("--storage-port", String.valueOf(DEFAULT_STORAGE_PORT))))
        .maxHeap(options.getOrDefault("--max-heap", "1G"));
    if ("on".equals(options.get("--password-authentication"))) builder.passwordAuthentication();
    CassandraServer server = builder.build();
    server.start();
    server.applySchema();
    System.out.println("Cassandra is up: CQL at 127.0.0.1:" + server.cqlPort()
        + " (local datacenter " + LOCAL_DATACENTER + "), data " + server.dataDir()
        + ", log " + server.logFile() + ". Ctrl-C stops it.");
    int exitCode = server.process.waitFor();
    System.out.println("Cassandra exited with code " + exitCode);
    System.exit(exitCode == 0 || exitCode == 143 ? 0 : 1);
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    if (args.length % 2 != 0) {
      throw new IllegalArgumentException("Option without a value: " + args[args.length - 1]);
    }
    return options;
  }

  public static final class Builder {

    private final Path dataDir;
    private int cqlPort = DEFAULT_CQL_PORT;
    private int storagePort = DEFAULT_STORAGE_PORT;
    private String maxHeap = "1G";
    private Path javaHome;
    private Duration startTimeout = Duration.ofSeconds(120);
    private boolean passwordAuthentication;
    private SingleNodeConfig.ClientTls clientTls;
    private boolean ownSession;
    private Path classDataArchives = Path.of(System.getProperty("java.io.tmpdir"), "tally-cassandra-cds");

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    public Builder cqlPort(int port) {
      this.cqlPort = port;
      return this;
    }

    public Builder storagePort(int port) {
      this.storagePort = port;
      return this;
    }

    /** -Xmx only, e.g. "1G" or "512M". Never -Xms: Cassandra mlocks its memory when it can (as root). */
    public Builder maxHeap(String size) {
      this.maxHeap = Objects.requireNonNull(size, "size");
      return this;
    }

    /** A Java 11/17 home; by default $CASSANDRA_JAVA_HOME, this JVM if 17, else a JDK 17 in /usr/lib/jvm. */
    public Builder javaHome(Path home) {
      this.javaHome = home;
      return this;
    }

    /** How long a start may go without its log growing (see {@link StartLimit}); 120 s by default. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Clients must log in ({@code authenticator: PasswordAuthenticator}); the superuser is
     * {@link #SUPERUSER}/{@link #SUPERUSER}, which this launcher's own sessions use. Default: no login.
     */
    public Builder passwordAuthentication() {
      this.passwordAuthentication = true;
      return this;
    }

    /**
     * TLS on the native port too, with the key and certificate of this PKCS#12 store (its password opens
     * the key too). Plaintext clients are still accepted, this launcher's own sessions among them; the
     * virtual table {@code system_views.clients} says which connections use TLS ({@code ssl_enabled}).
     */
    public Builder clientTls(Path keyStore, String password) {
      this.clientTls = new SingleNodeConfig.ClientTls(Objects.requireNonNull(keyStore, "keyStore").toAbsolutePath(),
          Objects.requireNonNull(password, "password"));
      return this;
    }

    /**
     * Cassandra runs in a session of its own (/usr/bin/setsid, where it exists), so a Ctrl-C in the
     * terminal reaches only this JVM, which then stops Cassandra when it is ready to (the local run).
     */
    public Builder ownSession() {
      this.ownSession = Files.isExecutable(SETSID);
      return this;
    }

    /**
     * Where the Cassandra JVM's class data archives are kept (one per JDK and class path, shared by every data
     * folder): the first start records one at its graceful stop, later starts load their classes from it.
     * Default: {@code tally-cassandra-cds} in the system's temporary folder.
     */
    public Builder classDataArchives(Path folder) {
      this.classDataArchives = Objects.requireNonNull(folder, "folder").toAbsolutePath();
      return this;
    }

    public CassandraServer build() {
      if (cqlPort == storagePort) {
        throw new IllegalArgumentException("CQL and storage port must differ: " + cqlPort);
      }
      return new CassandraServer(this);
    }
  }
}
