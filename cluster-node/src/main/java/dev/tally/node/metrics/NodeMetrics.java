package dev.tally.node.metrics;

import com.sun.net.httpserver.HttpServer;
import dev.tally.node.account.AccountMetrics;
import dev.tally.node.account.RequestMemoryBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's metrics (Micrometer), served for Prometheus at {@code GET /metrics}: gRPC calls by
 * method and status (interceptor), group-commit batch sizes, journal write latency, org accounts
 * in memory, rejections by reason and expired reservations; and the JVM's memory, threads and collections (what
 * the node allocates and promotes, its pauses).
 */
public final class NodeMetrics implements AccountMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger accountsInMemory = new AtomicInteger();
  private final Timer writes;
  private final DistributionSummary eventsPerWrite;
  private final Counter expired;
  private final Timer readSideLag;
  private final Counter snapshotFailures;
  private final Counter requestsSpilled;
  private final Counter requestsWrittenAhead;
  private final Counter requestLookups;
  private final JvmGcMetrics collections = new JvmGcMetrics();
  private HttpServer server;

  public NodeMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    collections.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    writes = Timer.builder("tally.journal.write")
        .description("Time to persist one batch of an org's events")
        .publishPercentileHistogram()
        .register(registry);
    eventsPerWrite = DistributionSummary.builder("tally.journal.write.events")
        .description("Events persisted in one write")
        .publishPercentileHistogram()
        .register(registry);
    readSideLag = Timer.builder("tally.read_side.lag")
        .description("From an org event's write to its row in the read side (the org directory), per notice applied, from its oldest event")
        .publishPercentileHistogram()
        .register(registry);
    expired = Counter.builder("tally.reservations.expired").description("Holds released on expiry").register(registry);
    snapshotFailures = Counter.builder("tally.snapshot.failures")
        .description("Org snapshots that could not be saved; recovery replays the events since the last saved one")
        .register(registry);
    String rowsWritten = "Request ids written to tally.request_outcomes: in front of the batch that pushes them out"
        + " of an org's memory (the batch waits), or ahead while they are still remembered";
    requestsSpilled = Counter.builder("tally.requests.spilled")
        .tag("written", "before-batch")
        .description(rowsWritten)
        .register(registry);
    requestsWrittenAhead = Counter.builder("tally.requests.spilled")
        .tag("written", "ahead")
        .description(rowsWritten)
        .register(registry);
    requestLookups = Counter.builder("tally.requests.lookups")
        .description("Reads of tally.request_outcomes for request ids an org no longer remembered (one per batch)")
        .register(registry);
    Gauge.builder("tally.accounts.in.memory", accountsInMemory, AtomicInteger::get)
        .description("Org accounts in memory on this node")
        .register(registry);
  }

  /** What the node's orgs remember in all, against the node's budget for it. */
  public void requestMemory(RequestMemoryBudget budget) {
    Gauge.builder("tally.request.memory.entries", budget, RequestMemoryBudget::held)
        .description("Request ids and resolved reservations the orgs in memory remember, in all")
        .register(registry);
    Gauge.builder("tally.request.memory.budget", budget, RequestMemoryBudget::entries)
        .description("How many request ids and resolutions the node's orgs may remember in all"
            + " (tally.idempotency.node-max-entries); above it they remember less")
        .register(registry);
  }

  /** A notice reached the read side {@code lag} after its oldest event was written. */
  public void readSideApplied(java.time.Duration lag) {
    readSideLag.record(lag.isNegative() ? java.time.Duration.ZERO : lag);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Serves {@code /metrics} on the given address until {@link #stop()}. */
  public NodeMetrics serve(String host, int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public void stop() {
    if (server != null) server.stop(0);
    collections.close();
  }

  @Override
  public void written(int events, Duration took) {
    writes.record(took);
    eventsPerWrite.record(events);
  }

  @Override
  public void reservationsExpired(int count) {
    expired.increment(count);
  }

  @Override
  public void snapshotFailed() {
    snapshotFailures.increment();
  }

  @Override
  public void requestsSpilled(int count) {
    requestsSpilled.increment(count);
  }

  @Override
  public void requestsWrittenAhead(int count) {
    requestsWrittenAhead.increment(count);
  }

  @Override
  public void requestsLookedUp(int count) {
    requestLookups.increment();
  }

  @Override
  public void accountStarted() {
    accountsInMemory.incrementAndGet();
  }

  @Override
  public void accountStopped() {
    accountsInMemory.decrementAndGet();
  }
}
