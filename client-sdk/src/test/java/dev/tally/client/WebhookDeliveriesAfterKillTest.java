package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.WebhookEventType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node killed (SIGKILL) while webhook deliveries are pending, some not yet even in the outbox:
 * after a new node starts on the same Cassandra, every event is delivered, each id at least once;
 * duplicates are counted and printed.
 */
@ExtendWith(TestCassandra.class)
class WebhookDeliveriesAfterKillTest {

  static final int GRANTS = 20;

  @Test
  void everyEventIsDeliveredAtLeastOnceAfterTheNodeIsKilledWithDeliveriesPending() throws Exception {
    AtomicBoolean accepting = new AtomicBoolean(false);
    AtomicInteger requests = new AtomicInteger();
    Map<String, Integer> delivered = new ConcurrentHashMap<>();
    Map<String, String> secretOf = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      Map<String, String> headers = new HashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
      byte[] body = exchange.getRequestBody().readAllBytes();
      requests.incrementAndGet();
      int status = 503;
      if (accepting.get()) {
        Webhooks.verify(secretOf.get("secret"), headers, new String(body, StandardCharsets.UTF_8));
        delivered.merge(headers.get("webhook-id"), 1, Integer::sum);
        status = 200;
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    receiver.start();
    Map<String, String> settings = Map.of("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on", "TALLY_WEBHOOK_RETRY_SCALE", "0.01");
    String orgId = "killed-" + UUID.randomUUID();
    try {
      try (NodeProcess node = NodeProcess.start(TestCassandra.server(), settings, NodeProcess.testJvmOptions(),
          Paths.get("target", "nodes"))) {
        AccountsGrpc.AccountsBlockingStub accounts = AccountsGrpc.newBlockingStub(node.channel()).withDeadlineAfter(1, TimeUnit.MINUTES);
        accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
        secretOf.put("secret", accounts.createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
            .setRequestId("hook").setUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/tally")
            .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED).build()).getSecret());
        for (int i = 0; i < GRANTS; i++) {
          accounts.grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId("grant-" + i)
              .setKind(GrantKind.PROMOTION).setAmount(1_000 + i).build());
        }
        // Deliveries are being attempted (and refused): kill the node in the middle of them.
        assertTrue(Eventually.within(Duration.ofMinutes(2), () -> requests.get() > 0),
            "no delivery was attempted before the kill");
        node.kill();
      }
      int refusedBeforeTheKill = requests.get();
      accepting.set(true);
      try (NodeProcess restarted = NodeProcess.start(TestCassandra.server(), settings, NodeProcess.testJvmOptions(),
          Paths.get("target", "nodes"))) {
        Eventually.within(Duration.ofMinutes(3), () -> delivered.size() >= GRANTS);
        int duplicates = delivered.values().stream().mapToInt(count -> count - 1).sum();
        System.out.println("webhook kill -9: " + refusedBeforeTheKill + " attempts refused before the kill; "
            + delivered.size() + " of " + GRANTS + " events delivered after the restart, " + duplicates + " duplicates");
        assertEquals(GRANTS, delivered.size(), "delivered: " + delivered.keySet());
        assertEquals(List.of(), delivered.keySet().stream().filter(id -> !id.matches("evt_[0-9]+_0_" + orgId)).toList());
      }
    } finally {
      receiver.stop(0);
    }
  }
}
