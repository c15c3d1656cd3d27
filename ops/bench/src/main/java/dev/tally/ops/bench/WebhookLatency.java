package dev.tally.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.client.TallyClient;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.WebhookEventType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * {@code run --webhooks}: how long a webhook event takes to reach its receiver under the run's load (issue 19:
 * "event to first attempt"). A JDK {@link HttpServer} on 127.0.0.1 answers 204 to every POST and notes when each
 * event id first came; an operator-wide endpoint ({@code *}) sends it every org's CREDITS_GRANTED and
 * USAGE_THRESHOLD_REACHED events; during the measured window a 1 µcr PROMOTION grant to a random org of the workload
 * every {@link #GRANT_EVERY} makes one event each. An event's latency runs from its time (the body's
 * {@code timestamp}: the node's clock when it decided the grant, on this machine) to its first receipt.
 */
final class WebhookLatency implements AutoCloseable {

  static final Duration GRANT_EVERY = Duration.ofMillis(100);
  /** How long the last grants' deliveries may take after the window before they count as missing. */
  static final Duration GRACE = Duration.ofSeconds(30);

  /**
   * What results.json and the console report: the grants made (and refused), their events received, those still
   * missing after {@link #GRACE}, receipts of an id already received, and the latency in milliseconds.
   */
  record Result(long grants, long grantsFailed, long received, long missing, long duplicates, double p50Ms,
      double p99Ms, double maxMs) {

    String line() {
      return String.format(Locale.ROOT, "    webhooks: %,d grants (%,d refused), %,d events received, %,d missing, "
          + "%,d duplicates; event -> first receipt p50 %.1f  p99 %.1f  max %.1f ms", grants, grantsFailed, received,
          missing, duplicates, p50Ms, p99Ms, maxMs);
    }
  }

  private final HttpServer receiver;
  private final ExecutorService receiverThreads = Executors.newFixedThreadPool(4);
  private final TallyClient client;
  private final List<String> orgIds;
  /** Every grant id of this run starts so; events of other grants (the workload's funding) are not measured. */
  private final String grantPrefix = "webhook-latency-" + Long.toString(System.currentTimeMillis(), 36) + "-";
  private final Set<String> granted = ConcurrentHashMap.newKeySet();
  private final Set<String> receivedGrants = ConcurrentHashMap.newKeySet();
  private final Set<String> receivedIds = ConcurrentHashMap.newKeySet();
  private final LongAdder grantsFailed = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final AtomicLong grantsMade = new AtomicLong();
  private volatile long grantsDue;
  /** Microseconds from an event's time to its first receipt. */
  private final Histogram latency = new ConcurrentHistogram(3);
  private final ScheduledExecutorService grantTimer = Executors.newSingleThreadScheduledExecutor();

  /** Starts the receiver; {@link #register} makes the endpoint once the workload's orgs are set up. */
  WebhookLatency(String address, String apiKey, List<String> orgIds) throws IOException {
    this.orgIds = List.copyOf(orgIds);
    this.client = TallyClient.builder().nodes(address).apiKey(apiKey).defaultDeadline(Duration.ofSeconds(30)).build();
    this.receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", this::receive);
    receiver.setExecutor(receiverThreads);
    receiver.start();
  }

  /** The operator's endpoint for this receiver: sent the events from now on (not the workload's funding before). */
  void register() {
    client.accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder()
        .setOrgId("*")
        .setRequestId(grantPrefix + "endpoint")
        .setUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/tally-bench")
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED)
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_USAGE_THRESHOLD_REACHED)
        .setDescription("tally-bench --webhooks receiver")
        .build());
  }

  /** A grant every {@link #GRANT_EVERY} for {@code window}, from now. */
  void grantDuring(Duration window) {
    long count = window.toMillis() / GRANT_EVERY.toMillis();
    grantsDue = count;
    grantTimer.scheduleAtFixedRate(() -> {
      long n = grantsMade.incrementAndGet();
      if (n > count) {
        grantTimer.shutdown();
        return;
      }
      String orgId = orgIds.get(ThreadLocalRandom.current().nextInt(orgIds.size()));
      String grantId = grantPrefix + n;
      client.accounts().grantCreditsAsync(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(grantId)
              .setGrantId(grantId).setKind(GrantKind.PROMOTION).setAmount(1).build())
          .whenComplete((response, failure) -> {
            if (failure != null) grantsFailed.increment();
            else granted.add(grantId);
          });
    }, 0, GRANT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Waits for the grants to end and their events to arrive (at most {@link #GRACE} after), then sums up. */
  Result finish() throws InterruptedException {
    grantTimer.awaitTermination(1, TimeUnit.HOURS);
    long deadline = System.nanoTime() + GRACE.toNanos();
    while ((granted.size() + grantsFailed.sum() < grantsDue || !receivedGrants.containsAll(granted))
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long missing = granted.stream().filter(id -> !receivedGrants.contains(id)).count();
    return new Result(granted.size() + grantsFailed.sum(), grantsFailed.sum(), latency.getTotalCount(), missing,
        duplicates.sum(), ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)),
        ms(latency.getMaxValue()));
  }

  private void receive(HttpExchange exchange) throws IOException {
    Instant now = Instant.now();
    try (exchange) {
      JsonNode body = Report.JSON.readTree(exchange.getRequestBody());
      String grantId = body.path("data").path("grant_id").asText("");
      if (!receivedIds.add(body.path("id").asText())) {
        duplicates.increment();
      } else if (grantId.startsWith(grantPrefix)) {
        receivedGrants.add(grantId);
        long micros = Duration.between(Instant.parse(body.path("timestamp").asText()), now).toNanos() / 1_000;
        latency.recordValue(Math.max(0, micros));
      }
      exchange.sendResponseHeaders(204, -1);
    }
  }

  private static double ms(long micros) {
    return micros / 1_000.0;
  }

  @Override
  public void close() {
    grantTimer.shutdownNow();
    receiver.stop(0);
    receiverThreads.shutdownNow();
    client.close();
  }
}
