package dev.tally.ops.console;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Tally console: a web page for orgs and operators, served by the JDK's HTTP server, that calls
 * the cluster only through the SDK with each signed-in user's own API key. It holds no key of its
 * own and no data between requests besides the sessions.
 *
 * <pre>{@code java -cp ... dev.tally.ops.console.Console --nodes 127.0.0.1:50051 --port 8080}</pre>
 */
public final class Console implements AutoCloseable {

  /** Threads serving pages: each waits on its page's gRPC calls, a few at a time. */
  static final int SERVER_THREADS = 8;

  private final HttpServer server;
  private final ExecutorService threads;
  private final ScheduledExecutorService sweeper;
  private final Sessions sessions;

  private Console(HttpServer server, ExecutorService threads, ScheduledExecutorService sweeper, Sessions sessions) {
    this.server = server;
    this.threads = threads;
    this.sweeper = sweeper;
    this.sessions = sessions;
  }

  public static void main(String[] args) throws IOException {
    ConsoleSettings settings;
    try {
      settings = ConsoleSettings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Console console = start(settings);
    Runtime.getRuntime().addShutdownHook(new Thread(console::close, "console-stop"));
    System.out.println("Tally console: " + console.url() + " (calling " + settings.nodesText() + ")");
  }

  /** The console on {@code nodes}, listening on 127.0.0.1:{@code port} (0 = a free port): for the local run and tests. */
  public static Console startLocal(java.util.List<String> nodes, int port) throws IOException {
    return start(ConsoleSettings.local(nodes, port));
  }

  static Console start(ConsoleSettings settings) throws IOException {
    Sessions sessions = new Sessions(settings.idle(), settings.maxSessions(), System::nanoTime);
    HttpServer server = HttpServer.create(new InetSocketAddress(settings.bindAddress(), settings.port()), 0);
    AtomicInteger count = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(SERVER_THREADS, task -> {
      Thread thread = new Thread(task, "console-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(threads);
    server.createContext("/", new Routes(settings, sessions));
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "console-sessions");
      thread.setDaemon(true);
      return thread;
    });
    sweeper.scheduleWithFixedDelay(sessions::endIdle, 1, 1, TimeUnit.MINUTES);
    server.start();
    return new Console(server, threads, sweeper, sessions);
  }

  /** Where the console is, e.g. {@code http://127.0.0.1:8080/}. */
  public String url() {
    InetSocketAddress address = server.getAddress();
    return "http://" + address.getHostString() + ":" + address.getPort() + "/";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops serving and ends every session (closing its client). */
  @Override
  public void close() {
    server.stop(1);
    sweeper.shutdownNow();
    threads.shutdownNow();
    sessions.endAll();
  }
}
