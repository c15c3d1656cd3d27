package dev.tally.testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real receiver of webhooks for tests: the JDK's HTTP server on 127.0.0.1 (which a node lets endpoints
 * reach with {@code TALLY_WEBHOOKS_ALLOW_PRIVATE=on}). It keeps every request it gets, per path, and
 * answers 200, or the statuses a test set for that path, in turn.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request it got: its path, its headers (names in lower case, first value each) and its body. */
  public record Received(String path, Map<String, String> headers, String body) {
    /** The {@code webhook-id} header: the event's id, the same on every attempt and replay. */
    public String id() {
      return headers.get("webhook-id");
    }
  }

  private final HttpServer server;
  private final Map<String, BlockingQueue<Received>> received = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Integer>> answers = new ConcurrentHashMap<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  /** A receiver on a free port of 127.0.0.1, started. */
  public static WebhookReceiver start() throws IOException {
    WebhookReceiver receiver = new WebhookReceiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
    receiver.server.createContext("/", exchange -> {
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      receiver.at(path).add(new Received(path, headers, body));
      Integer status = receiver.answers.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
      exchange.sendResponseHeaders(status == null ? 200 : status, -1);
      exchange.close();
    });
    receiver.server.start();
    return receiver;
  }

  /** The URL of {@code path} (with its leading "/", and a query if the test wants one) on this receiver. */
  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next requests to {@code path} are answered with these statuses, in turn; then 200 again. */
  public void answer(String path, List<Integer> statuses) {
    answers.put(path, new ConcurrentLinkedQueue<>(statuses));
  }

  /** What {@code path} got and no test took yet, oldest first. */
  public BlockingQueue<Received> at(String path) {
    return received.computeIfAbsent(path, p -> new LinkedBlockingQueue<>());
  }

  /** The next request to {@code path} within {@code wait}; null when none came. */
  public Received poll(String path, Duration wait) throws InterruptedException {
    return at(path).poll(wait.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The next {@code count} requests to {@code path}, waiting up to {@code wait} for them all; fails with those that came. */
  public List<Received> next(String path, int count, Duration wait) throws InterruptedException {
    List<Received> got = new ArrayList<>();
    long deadline = System.nanoTime() + wait.toNanos();
    while (got.size() < count) {
      Received request = at(path).poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (request == null) throw new AssertionError("only " + got.size() + " of " + count + " requests to " + path + ": " + got);
      got.add(request);
    }
    return got;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
