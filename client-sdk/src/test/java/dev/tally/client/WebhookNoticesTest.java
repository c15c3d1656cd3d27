package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Duration;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.WebhookReceiver;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestRequest.Decision;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import dev.tally.v1.WebhookEventType;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook events a credit request decided and an API key made or revoked (issue 19 item 2), end
 * to end: a real node and Cassandra, a real HTTP receiver (the JDK's HttpServer on 127.0.0.1) that
 * checks every request with {@link Webhooks#verify}. Each event reaches the org's endpoint and an
 * operator's ("*") once, though its call is retried, with the payload its schema in docs/webhooks
 * documents and never a key.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookNoticesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path SCHEMAS = Paths.get("..", "docs", "webhooks");

  /** One request the receiver got, verified. */
  record Received(String id, JsonNode body, String raw) {
    String type() {
      return body.get("type").asText();
    }

    JsonNode data() {
      return body.get("data");
    }
  }

  NodeProcess node;
  ManagedChannel channel;
  WebhookReceiver receiver;
  /** The signing secret of the endpoint at each path. */
  final Map<String, String> secrets = new ConcurrentHashMap<>();

  @BeforeAll
  void start() throws Exception {
    receiver = WebhookReceiver.start();
    node = NodeProcess.start(TestCassandra.server(),
        Map.of("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on", "TALLY_WEBHOOK_RETRY_SCALE", "0.001"),
        NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
    channel = node.channel();
  }

  @AfterAll
  void stop() throws Exception {
    channel.shutdownNow();
    node.close();
    receiver.close();
  }

  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  String newOrg(String prefix) {
    String orgId = prefix + "-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
    return orgId;
  }

  /** A new endpoint of {@code orgId} ("*": every org's) at a path of its own, sent {@code types}. */
  String endpoint(String orgId, WebhookEventType... types) {
    String path = "/notices-" + UUID.randomUUID();
    String secret = accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
        .setRequestId(UUID.randomUUID().toString())
        .setUrl(receiver.url(path))
        .addAllEventTypes(List.of(types)).build()).getSecret();
    secrets.put(path, secret);
    return path;
  }

  /**
   * The next {@code count} events of {@code orgId} to {@code path}, each verified with the endpoint's
   * secret and checked against its type's schema; then nothing more of the org for three seconds.
   */
  List<Received> exactly(String path, String orgId, int count) throws Exception {
    List<Received> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (got.size() < count) {
      Received r = next(path, Math.max(0, deadline - System.nanoTime()));
      if (r == null) throw new AssertionError("only " + got.size() + " of " + count + " events to " + path + ": " + got);
      if (r.body().get("org_id").asText().equals(orgId)) got.add(r);
    }
    long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    for (Received more; (more = next(path, Math.max(0, quiet - System.nanoTime()))) != null; ) {
      assertFalse(more.body().get("org_id").asText().equals(orgId), "one event too many: " + more.raw());
    }
    return got;
  }

  private Received next(String path, long nanos) throws Exception {
    WebhookReceiver.Received request = receiver.poll(path, java.time.Duration.ofNanos(nanos));
    if (request == null) return null;
    Webhooks.verify(secrets.get(path), request.headers(), request.body());
    JsonNode parsed = JSON.readTree(request.body());
    assertEquals(parsed.get("id").asText(), request.id());
    conformsToItsSchema(parsed);
    return new Received(request.id(), parsed, request.body());
  }

  /** The body has the fields its schema requires, no others, and its data exactly the documented ones. */
  static void conformsToItsSchema(JsonNode body) throws Exception {
    JsonNode schema = JSON.readTree(Files.readString(SCHEMAS.resolve(body.get("type").asText().toLowerCase() + ".schema.json")));
    assertEquals(names(schema.get("required")), fieldNames(body), body.toString());
    JsonNode data = schema.get("properties").get("data");
    assertEquals(names(data.get("required")), fieldNames(body.get("data")), body.toString());
    assertTrue(body.get("id").asText().matches(schema.get("properties").get("id").get("pattern").asText()), body.toString());
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(name -> names.add(name.asText()));
    return names;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static Received only(List<Received> events, String type, String field, String value) {
    List<Received> found = events.stream()
        .filter(e -> e.type().equals(type) && e.data().path(field).asText().equals(value)).toList();
    assertEquals(1, found.size(), type + " " + field + "=" + value + " in " + events);
    return found.get(0);
  }

  List<LedgerEntry> ledger(String orgId, String type) {
    return accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList().stream().filter(entry -> entry.getType().equals(type)).toList();
  }

  @Test
  void keysMadeRotatedAndRevokedAreEachSentOnceSignedWithoutTheKey() throws Exception {
    String orgId = newOrg("keyed");
    String orgs = endpoint(orgId, WebhookEventType.WEBHOOK_EVENT_TYPE_API_KEY_CREATED,
        WebhookEventType.WEBHOOK_EVENT_TYPE_API_KEY_REVOKED);
    String operators = endpoint("*", WebhookEventType.WEBHOOK_EVENT_TYPE_API_KEY_CREATED,
        WebhookEventType.WEBHOOK_EVENT_TYPE_API_KEY_REVOKED);

    CreateApiKeyRequest create = CreateApiKeyRequest.newBuilder().setRole("metering").setOrgId(orgId).setLabel("ci")
        .setRequestId("make-" + UUID.randomUUID()).build();
    CreateApiKeyResponse made = accounts().createApiKey(create);
    assertTrue(accounts().createApiKey(create).getReplayed(), "the retry is answered as the first");
    RotateApiKeyRequest rotate = RotateApiKeyRequest.newBuilder().setKeyId(made.getKeyId())
        .setRequestId("rotate-" + UUID.randomUUID()).setGracePeriod(Duration.newBuilder().setSeconds(3600)).build();
    RotateApiKeyResponse rotated = accounts().rotateApiKey(rotate);
    assertTrue(accounts().rotateApiKey(rotate).getNewKey().getReplayed());
    String newKeyId = rotated.getNewKey().getKeyId();
    accounts().revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(newKeyId).build());
    accounts().revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(newKeyId).build());
    String adminKeyId = accounts().createApiKey(CreateApiKeyRequest.newBuilder().setRole("admin")
        .setRequestId("admin-" + UUID.randomUUID()).build()).getKeyId();

    for (String path : List.of(orgs, operators)) {
      List<Received> events = exactly(path, orgId, 4);
      Received first = only(events, "API_KEY_CREATED", "key_id", made.getKeyId());
      assertEquals("metering", first.data().get("role").asText());
      assertEquals("ci", first.data().get("label").asText());
      assertTrue(first.data().get("rotated_from").isNull());
      Received second = only(events, "API_KEY_CREATED", "key_id", newKeyId);
      assertEquals(made.getKeyId(), second.data().get("rotated_from").asText());
      assertEquals("ci", second.data().get("label").asText(), "a rotated key keeps its label");
      Received oldRevoked = only(events, "API_KEY_REVOKED", "key_id", made.getKeyId());
      assertEquals(rotated.getOldKeyRevokedAt().getSeconds(),
          Instant.parse(oldRevoked.data().get("revoked_at").asText()).getEpochSecond(),
          "the rotated-out key is told at the rotation, stopping at the grace's end");
      Received newRevoked = only(events, "API_KEY_REVOKED", "key_id", newKeyId);
      assertFalse(Instant.parse(newRevoked.data().get("revoked_at").asText()).isAfter(Instant.now()));
      for (Received event : events) {
        assertTrue(event.id().matches("evt_[0-9]+_0_" + orgId), event.id());
        for (String secret : List.of(made.getKey(), rotated.getNewKey().getKey(), made.getHint(), rotated.getNewKey().getHint())) {
          assertFalse(event.raw().contains(secret), "no key nor hint in " + event.raw());
        }
        assertFalse(event.raw().contains(adminKeyId), "an admin key makes no event");
      }
    }
    assertEquals(2, ledger(orgId, "API_KEY_CREATED").size());
    assertEquals(List.of(made.getKeyId(), newKeyId),
        ledger(orgId, "API_KEY_REVOKED").stream().map(LedgerEntry::getApiKeyId).toList());
  }

  @Test
  void aCreditRequestDecidedTwiceIsSentOnceWithItsDecision() throws Exception {
    String orgId = newOrg("asker");
    accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId("bought")
        .setKind(GrantKind.PURCHASE).setAmount(100_000_000L).build());
    MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES).charge(ChargeRequest.newBuilder()
        .setOrgId(orgId).setRequestId("used").setAmount(85_000_000L).build());
    String orgs = endpoint(orgId, WebhookEventType.WEBHOOK_EVENT_TYPE_CREDIT_REQUEST_DECIDED);
    String operators = endpoint("*", WebhookEventType.WEBHOOK_EVENT_TYPE_CREDIT_REQUEST_DECIDED);
    for (String id : List.of("ask-1", "ask-2")) {
      accounts().fileCreditRequest(FileCreditRequestRequest.newBuilder().setOrgId(orgId).setRequestId(id)
          .setAmount(40_000_000L).setReason("launch week").build());
    }

    for (int i = 0; i < 2; i++) { // the operator's retry of each decision tells nothing twice
      accounts().decideCreditRequest(DecideCreditRequestRequest.newBuilder().setOrgId(orgId).setNumber(1)
          .setDecision(Decision.APPROVE).setNote("enjoy").build());
      accounts().decideCreditRequest(DecideCreditRequestRequest.newBuilder().setOrgId(orgId).setNumber(2)
          .setDecision(Decision.DENY).setNote("one is enough").build());
    }

    for (String path : List.of(orgs, operators)) {
      List<Received> events = exactly(path, orgId, 2);
      Received approved = only(events, "CREDIT_REQUEST_DECIDED", "credit_request_number", "1");
      assertEquals("APPROVED", approved.data().get("decision").asText());
      assertEquals(40_000_000L, approved.data().get("amount").asLong());
      assertEquals("credit-request:1", approved.data().get("grant_id").asText());
      Received denied = only(events, "CREDIT_REQUEST_DECIDED", "credit_request_number", "2");
      assertEquals("DENIED", denied.data().get("decision").asText());
      assertTrue(denied.data().get("grant_id").isNull());
      for (Received event : events) assertFalse(event.raw().contains("enjoy") || event.raw().contains("one is enough"),
          "the operator's note is not sent: " + event.raw());
    }
    List<LedgerEntry> decided = ledger(orgId, "CREDIT_REQUEST_DECIDED");
    assertEquals(List.of(1L, 2L), decided.stream().map(LedgerEntry::getCreditRequestNumber).toList());
    assertEquals(List.of("APPROVED", "DENIED"), decided.stream().map(LedgerEntry::getReason).toList());
    assertEquals("credit-request:1", decided.get(0).getGrantId());
    assertEquals("", decided.get(1).getGrantId(), "a denial names no grant");
  }
}
