package dev.tally.ops.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cassandra JVM of one data folder: its output appended to the folder's {@code cassandra.log}, its
 * pid in {@code cassandra.pid} (so that a second launcher on the folder refuses to start), stopped
 * gracefully (SIGTERM, SIGKILL after 30 s) or killed, and stopped at this JVM's exit if nobody did.
 */
final class CassandraProcess {

  static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  private static final Logger log = LoggerFactory.getLogger(CassandraProcess.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final Process process;
  private final IntConsumer afterExit;
  private boolean exitHandled;
  private Thread stopOnExit;

  private CassandraProcess(Path dataDir, Process process, IntConsumer afterExit) {
    this.dataDir = dataDir;
    this.process = process;
    this.afterExit = afterExit;
    this.stopOnExit = new Thread(this::stopAtExit, "cassandra-stop-on-exit");
    // Without it, a JVM that exits without close() (Ctrl-C on main, a test run) would leave Cassandra running.
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  static Path logFile(Path dataDir) {
    return dataDir.resolve("cassandra.log");
  }

  /** Two Cassandras on one data folder corrupt it; the pid file tells whether one is still alive. */
  static void refuseIfAlreadyRunningIn(Path dataDir) {
    Optional<ProcessHandle> previous = readPid(dataDir).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
        .filter(handle -> handle.info().commandLine().map(line -> line.contains(MAIN_CLASS)).orElse(true));
    if (previous.isPresent()) {
      throw new IllegalStateException("Cassandra pid " + previous.get().pid() + " is still running on "
          + dataDir + "; stop it first.");
    }
  }

  /**
   * Starts {@code command} in {@code dataDir}; each start is marked in the log, which is kept across restarts.
   * {@code afterExit} is told the exit code once this launcher has seen the process end (stop, kill or exit hook).
   */
  static CassandraProcess launch(Path dataDir, List<String> command, IntConsumer afterExit) {
    try {
      String classpath = command.get(command.indexOf("-cp") + 1);
      Files.writeString(logFile(dataDir), StartupActivity.START_MARK + Instant.now() + " starting "
              + String.join(" ", command).replace(classpath, "<cassandra.classpath>") + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Process started = new ProcessBuilder(command)
          .directory(dataDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(dataDir).toFile()))
          .start();
      started.getOutputStream().close();
      Files.writeString(pidFile(dataDir), Long.toString(started.pid()), StandardCharsets.UTF_8);
      return new CassandraProcess(dataDir, started, afterExit);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0), e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /** Graceful stop: SIGTERM (Cassandra drains and flushes), up to 30 s, then SIGKILL. */
  void stop() {
    terminate();
    forget();
  }

  /** SIGKILL now; waits only until the OS has reaped the process. */
  void kill() {
    process.destroyForcibly();
    awaitExit(STOP_TIMEOUT);
    handleExit();
    forget();
  }

  /**
   * At JVM exit, stops Cassandra only once {@code first} completed (or after the stop timeout), instead
   * of alongside every other shutdown hook.
   */
  void stopAtExitAfter(CompletionStage<?> first) {
    Runtime.getRuntime().removeShutdownHook(stopOnExit);
    stopOnExit = new Thread(() -> {
      try {
        first.toCompletableFuture().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception notInTime) {
        // stop it anyway
      }
      stopAtExit();
    }, "cassandra-stop-on-exit");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /** The log's last 40 lines, for an error message. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(dataDir), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read the log: " + e + ")";
    }
  }

  private void stopAtExit() {
    terminate();
    deletePidFile();
  }

  private void terminate() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!awaitExit(STOP_TIMEOUT)) {
      log.warn("Cassandra pid {} ignored SIGTERM for {} s; killing it", process.pid(), STOP_TIMEOUT.toSeconds());
      process.destroyForcibly();
      awaitExit(STOP_TIMEOUT);
    }
    handleExit();
  }

  private synchronized void handleExit() {
    if (exitHandled || process.isAlive()) return;
    exitHandled = true;
    afterExit.accept(process.exitValue());
  }

  private boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return false;
    }
  }

  private void forget() {
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shutdownInProgress) {
      // The hook itself is stopping Cassandra.
    }
    deletePidFile();
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile(dataDir));
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", pidFile(dataDir), e.toString());
    }
  }

  private static Path pidFile(Path dataDir) {
    return dataDir.resolve("cassandra.pid");
  }

  private static Optional<Long> readPid(Path dataDir) {
    try {
      return Files.isRegularFile(pidFile(dataDir))
          ? Optional.of(Long.parseLong(Files.readString(pidFile(dataDir), StandardCharsets.UTF_8).strip()))
          : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
