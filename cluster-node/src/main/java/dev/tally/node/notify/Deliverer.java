package dev.tally.node.notify;

import dev.tally.v1.WebhookSignature;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;

/**
 * Sends one delivery over HTTP, off every entity's path: a POST of the event's body, signed per the
 * Standard Webhooks specification ({@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature} with a {@code v1,} signature under each secret valid now: two during a
 * rotation's overlap), within the timeout, following no redirect.
 *
 * <p>Before each attempt the host's addresses are resolved and each is checked with
 * {@link EndpointUrls#refusal(InetAddress)} (DNS rebinding: a name public at registration may point
 * inside later). The JDK client then resolves the name again, from the JVM's address cache
 * ({@code networkaddress.cache.ttl}, 30 s by default), which the check has just filled: it connects
 * to an address the check saw.
 */
final class Deliverer {

  /** What an attempt came to: the receiver's status (0: none) and why it failed ("" when it did not). */
  record Sent(Instant at, int statusCode, long latencyMillis, String error) {
    boolean succeeded() {
      return statusCode >= 200 && statusCode < 300;
    }
  }

  private final HttpClient client;
  private final EndpointUrls urls;
  private final Duration timeout;
  private final Clock clock;
  private final ExecutorService resolving;

  /** @param resolving where host names are resolved (it blocks) */
  Deliverer(EndpointUrls urls, Duration timeout, Clock clock, ExecutorService resolving) {
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .proxy(HttpClient.Builder.NO_PROXY)
        .executor(resolving)
        .build();
    this.urls = urls;
    this.timeout = timeout;
    this.clock = clock;
    this.resolving = resolving;
  }

  CompletionStage<Sent> send(Endpoint endpoint, Pending delivery) {
    Instant at = clock.instant();
    long started = System.nanoTime();
    URI uri = URI.create(endpoint.url());
    return CompletableFuture.supplyAsync(() -> refusal(uri.getHost()), resolving).thenCompose(refused -> {
      if (refused.isPresent()) return CompletableFuture.completedFuture(new Sent(at, 0, 0, refused.get()));
      byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
      long timestamp = at.getEpochSecond();
      HttpRequest request = HttpRequest.newBuilder(uri)
          .timeout(timeout)
          .header("content-type", "application/json")
          .header("user-agent", "Tally-Webhooks/1")
          .header("webhook-id", delivery.eventId())
          .header("webhook-timestamp", Long.toString(timestamp))
          .header("webhook-signature", signatures(endpoint.secretsAt(at), delivery.eventId(), timestamp, body))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .handle((response, failure) -> {
            long latency = (System.nanoTime() - started) / 1_000_000;
            if (failure == null) {
              int status = response.statusCode();
              return new Sent(at, status, latency, status >= 200 && status < 300 ? "" : "answered HTTP " + status);
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            String error = cause instanceof HttpTimeoutException ? "no answer within " + timeout.toMillis() + " ms"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            return new Sent(at, 0, latency, error);
          });
    });
  }

  /** {@code v1,<base64>} under each secret, space-separated, newest first. */
  static String signatures(List<Endpoint.Secret> secrets, String id, long timestamp, byte[] body) {
    return secrets.stream()
        .map(secret -> WebhookSignature.sign(WebhookSignature.key(secret.secret()), id, timestamp, body))
        .collect(Collectors.joining(" "));
  }

  /** Why the host may not be connected to now: a refused address among its current ones, or no address. */
  private Optional<String> refusal(String host) {
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      return Optional.of("host " + host + " does not resolve");
    }
    for (InetAddress address : addresses) {
      Optional<String> refused = urls.refusal(address);
      if (refused.isPresent()) return Optional.of("not connected: host " + host + " is at " + refused.get());
    }
    return Optional.empty();
  }
}
