package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.CreateWebhookEndpointResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.WebhookEventType;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhook deliveries end to end: a real node and Cassandra, events from the org's journal, and a
 * real HTTP receiver (the JDK's HttpServer on 127.0.0.1, which TALLY_WEBHOOKS_ALLOW_PRIVATE lets
 * endpoints name) that checks every request with the SDK's {@link Webhooks#verify}.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveriesTest {

  /** One request the receiver got. */
  record Received(String path, Map<String, String> headers, String body) {
    String id() {
      return headers.get("webhook-id");
    }
  }

  NodeProcess node;
  ManagedChannel channel;
  HttpServer receiver;
  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** The statuses the receiver answers with, per path, in turn; 200 when none is left. */
  final Map<String, ConcurrentLinkedQueue<Integer>> answers = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeAll
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      received.add(new Received(path, headers, body));
      Integer status = answers.getOrDefault(path, new ConcurrentLinkedQueue<>()).poll();
      exchange.sendResponseHeaders(status == null ? 200 : status, -1);
      exchange.close();
    });
    receiver.start();
    node = NodeProcess.start(TestCassandra.server(),
        Map.of("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on", "TALLY_WEBHOOK_RETRY_SCALE", "0.001"),
        NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
    channel = node.channel();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow();
    node.close();
    receiver.stop(0);
  }

  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  String newOrg() {
    String orgId = "hooked-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
    return orgId;
  }

  String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  CreateWebhookEndpointResponse endpoint(String orgId, String path) {
    return accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
        .setRequestId(UUID.randomUUID().toString()).setUrl(url(path))
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED).build());
  }

  void grant(String orgId, String requestId, long amount) {
    accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(requestId)
        .setKind(GrantKind.PROMOTION).setAmount(amount).build());
  }

  /** The next {@code count} requests to {@code path}, waiting up to a minute for each. */
  List<Received> next(String path, int count) throws InterruptedException {
    List<Received> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (got.size() < count) {
      Received r = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (r == null) throw new AssertionError("only " + got.size() + " of " + count + " requests to " + path + ": " + got);
      if (r.path().equals(path)) got.add(r);
    }
    return got;
  }

  @Test
  void aReceiverAnswering500Then500Then200GetsThreeAttemptsOfOneIdEachSigned() throws Exception {
    String orgId = newOrg();
    String path = "/flaky-" + UUID.randomUUID();
    answers.put(path, new ConcurrentLinkedQueue<>(List.of(500, 500)));
    String secret = endpoint(orgId, path).getSecret();

    grant(orgId, "grant-1", 7_000_000);

    List<Received> attempts = next(path, 3);
    for (Received attempt : attempts) {
      Webhooks.verify(secret, attempt.headers(), attempt.body());
      assertEquals(attempts.get(0).id(), attempt.id());
      assertEquals(attempts.get(0).body(), attempt.body());
    }
    assertTrue(attempts.get(0).id().matches("evt_[0-9]+_0_" + orgId), attempts.get(0).id());
    assertTrue(attempts.get(0).body().contains("\"type\":\"CREDITS_GRANTED\""), attempts.get(0).body());
    assertTrue(attempts.get(0).body().contains("\"amount\":7000000"), attempts.get(0).body());
    // Delivered with the third: nothing more comes.
    assertEquals(null, received.poll(2, TimeUnit.SECONDS));
  }
}
