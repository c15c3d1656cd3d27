package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.WebhookReceiver;
import dev.tally.testkit.WebhookReceiver.Received;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.CreateWebhookEndpointResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ListWebhookDeliveriesRequest;
import dev.tally.v1.ListWebhookDeliveriesResponse;
import dev.tally.v1.ListWebhookEndpointsRequest;
import dev.tally.v1.ReplayWebhookEventsRequest;
import dev.tally.v1.ReplayWebhookEventsResponse;
import dev.tally.v1.RotateWebhookSecretRequest;
import dev.tally.v1.RotateWebhookSecretResponse;
import dev.tally.v1.UpdateWebhookEndpointRequest;
import dev.tally.v1.WebhookDeliveryAttempt;
import dev.tally.v1.WebhookDeliveryOutcome;
import dev.tally.v1.WebhookEventType;
import dev.tally.v1.WebhookTimeRange;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.ManagedChannel;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

  NodeProcess node;
  ManagedChannel channel;
  WebhookReceiver receiver;

  @BeforeAll
  void start() throws Exception {
    receiver = WebhookReceiver.start();
    node = NodeProcess.start(TestCassandra.server(),
        Map.of("TALLY_WEBHOOKS_ALLOW_PRIVATE", "on", "TALLY_WEBHOOK_RETRY_SCALE", "0.001",
            // Attempts at 0, 5 ms, 305 ms and 2.1 s: a receiver failing them all is disabled at the fourth.
            "TALLY_WEBHOOK_DISABLE_AFTER", "2s"),
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

  String newOrg() {
    String orgId = "hooked-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
    return orgId;
  }

  CreateWebhookEndpointResponse endpoint(String orgId, String path) {
    return accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
        .setRequestId(UUID.randomUUID().toString()).setUrl(receiver.url(path))
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED).build());
  }

  void grant(String orgId, String requestId, long amount) {
    accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(requestId)
        .setKind(GrantKind.PROMOTION).setAmount(amount).build());
  }

  /** The next {@code count} requests to {@code path}, waiting up to a minute for them. */
  List<Received> next(String path, int count) throws InterruptedException {
    return receiver.next(path, count, Duration.ofMinutes(1));
  }

  static Timestamp seconds(long seconds) {
    return Timestamp.newBuilder().setSeconds(seconds).build();
  }

  @Test
  void aReceiverAnswering500Then500Then200GetsThreeAttemptsOfOneIdEachSigned() throws Exception {
    String orgId = newOrg();
    String path = "/flaky-" + UUID.randomUUID();
    receiver.answer(path, List.of(500, 500));
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
    assertEquals(null, receiver.poll(path, Duration.ofSeconds(2)));

    // The delivery log shows the three, newest first: 500, 500, then 200.
    String endpointId = accounts().listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build())
        .getEndpoints(0).getEndpointId();
    Eventually.await("three attempts in the delivery log", Duration.ofMinutes(1),
        () -> deliveries(orgId, endpointId).size() == 3);
    List<WebhookDeliveryAttempt> log = deliveries(orgId, endpointId);
    assertEquals(List.of(3, 2, 1), log.stream().map(WebhookDeliveryAttempt::getAttempt).toList());
    assertEquals(List.of(200, 500, 500), log.stream().map(WebhookDeliveryAttempt::getStatusCode).toList());
    assertEquals(List.of(WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_DELIVERED,
        WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING, WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING),
        log.stream().map(WebhookDeliveryAttempt::getOutcome).toList());
    for (WebhookDeliveryAttempt attempt : log) {
      assertEquals(attempts.get(0).id(), attempt.getEventId());
      assertEquals(orgId, attempt.getEventOrgId());
    }
    // Paged one at a time, the same three.
    ListWebhookDeliveriesResponse first = accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setPageSize(2).build());
    ListWebhookDeliveriesResponse second = accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setPageSize(2).setPageToken(first.getNextPageToken()).build());
    assertEquals(log.subList(0, 2), first.getAttemptsList());
    assertEquals(log.subList(2, 3), second.getAttemptsList());
    assertEquals("", second.getNextPageToken());
  }

  @Test
  void anEndpointFailingEveryAttemptPastTheDisableTimeIsDisabledAndItsOrgIsTold() throws Exception {
    String orgId = newOrg();
    String failing = "/failing-" + UUID.randomUUID();
    receiver.answer(failing, java.util.Collections.nCopies(100, 500));
    String failingId = endpoint(orgId, failing).getEndpoint().getEndpointId();
    String told = "/told-" + UUID.randomUUID();
    String toldSecret = accounts().createWebhookEndpoint(CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
        .setRequestId(UUID.randomUUID().toString()).setUrl(receiver.url(told))
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_WEBHOOK_ENDPOINT_DISABLED).build()).getSecret();

    grant(orgId, "grant-to-fail", 1_000_000);

    List<Received> attempts = next(failing, 2);
    assertEquals(attempts.get(0).id(), attempts.get(1).id(), "the same event, retried");
    Received notice = next(told, 1).get(0);
    Webhooks.verify(toldSecret, notice.headers(), notice.body());
    assertTrue(notice.body().contains("\"type\":\"WEBHOOK_ENDPOINT_DISABLED\""), notice.body());
    assertTrue(notice.body().contains("\"data\":{\"endpoint_id\":\"" + failingId + "\"}"), notice.body());

    var endpoints = accounts().listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build())
        .getEndpointsList();
    assertEquals(List.of(false, true), endpoints.stream()
        .sorted(java.util.Comparator.comparing(e -> !e.getEndpointId().equals(failingId)))
        .map(dev.tally.v1.WebhookEndpoint::getEnabled).toList());
    var alerts = accounts().listLedger(dev.tally.v1.ListLedgerRequest.newBuilder().setOrgId(orgId).build()).getEntriesList()
        .stream().filter(entry -> entry.getType().equals("ALERT_RAISED")).map(dev.tally.v1.LedgerEntry::getAlert).toList();
    assertEquals(1, alerts.size(), alerts::toString);
    assertEquals(dev.tally.v1.Alert.Kind.WEBHOOK_ENDPOINT_DISABLED, alerts.get(0).getKind());
    assertEquals(failingId, alerts.get(0).getEndpointId());
    // Disabled with its delivery dropped: the log's last line says so, and the retries stop.
    Eventually.await("the failing endpoint's last delivery dropped", Duration.ofMinutes(1), () -> {
      List<WebhookDeliveryAttempt> logged = deliveries(orgId, failingId);
      return !logged.isEmpty() && logged.get(0).getOutcome() == WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_DROPPED;
    });
    WebhookDeliveryAttempt last = deliveries(orgId, failingId).get(0);
    assertTrue(last.getError().contains("disabled"), last::toString);
    assertTrue(deliveries(orgId, failingId).stream().skip(1)
        .allMatch(a -> a.getOutcome() == WebhookDeliveryOutcome.WEBHOOK_DELIVERY_OUTCOME_RETRYING && a.getStatusCode() == 500));
  }

  List<WebhookDeliveryAttempt> deliveries(String orgId, String endpointId) {
    return accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).build()).getAttemptsList();
  }

  @Test
  void aDisabledEndpointReceivesNothingAndAReplayAfterReEnablingDeliversWhatItMissed() throws Exception {
    String orgId = newOrg();
    String path = "/disabled-" + UUID.randomUUID();
    String witnessPath = "/witness-" + UUID.randomUUID();
    CreateWebhookEndpointResponse created = endpoint(orgId, path);
    endpoint(orgId, witnessPath);
    String endpointId = created.getEndpoint().getEndpointId();
    grant(orgId, "while-enabled", 1_000);
    Received before = next(path, 1).get(0);
    next(witnessPath, 1);

    accounts().updateWebhookEndpoint(UpdateWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId)
        .setEnabled(false).build());
    grant(orgId, "while-disabled", 2_000);
    // The org's other endpoint is sent the grant in the same round that would have sent it to the disabled one.
    Received missed = next(witnessPath, 1).get(0);
    assertEquals(null, receiver.poll(path, Duration.ofSeconds(1)), "the disabled endpoint was sent something");

    long from = created.getEndpoint().getCreatedAt().getSeconds();
    ReplayWebhookEventsRequest replay = ReplayWebhookEventsRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId)
        .setRange(WebhookTimeRange.newBuilder().setFrom(seconds(from)).setTo(seconds(from + 3_600))).build();
    StatusRuntimeException disabled = assertThrows(StatusRuntimeException.class, () -> accounts().replayWebhookEvents(replay));
    assertEquals(Status.Code.FAILED_PRECONDITION, disabled.getStatus().getCode());
    assertTrue(disabled.getMessage().contains("disabled"), disabled.getMessage());

    accounts().updateWebhookEndpoint(UpdateWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId)
        .setEnabled(true).build());
    // Both grants since the endpoint's creation, the missed one with them, each under its id.
    ReplayWebhookEventsResponse replayed = accounts().replayWebhookEvents(replay);
    assertEquals(List.of(before.id(), missed.id()), replayed.getEventIdsList());
    List<Received> again = next(path, 2);
    assertEquals(java.util.Set.of(before.id(), missed.id()), java.util.Set.of(again.get(0).id(), again.get(1).id()));
    for (Received r : again) Webhooks.verify(created.getSecret(), r.headers(), r.body());
    assertTrue(again.stream().anyMatch(r -> r.body().contains("\"amount\":2000")), again.toString());

    // One event by its id.
    ReplayWebhookEventsResponse one = accounts().replayWebhookEvents(ReplayWebhookEventsRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setEventId(missed.id()).build());
    assertEquals(List.of(missed.id()), one.getEventIdsList());
    assertEquals(missed.id(), next(path, 1).get(0).id());
  }

  @Test
  void duringARotationEveryRequestCarriesBothSignatures() throws Exception {
    String orgId = newOrg();
    String path = "/rotated-" + UUID.randomUUID();
    CreateWebhookEndpointResponse created = endpoint(orgId, path);
    RotateWebhookSecretResponse rotated = accounts().rotateWebhookSecret(RotateWebhookSecretRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(created.getEndpoint().getEndpointId()).setRequestId("rotate-1")
        .setOverlap(com.google.protobuf.Duration.newBuilder().setSeconds(3600)).build());
    // The dispatcher hears of the rotation before the grant: the entity publishes at once, the feed every 250 ms.
    grant(orgId, "after-rotation", 3_000);
    Received r = next(path, 1).get(0);
    assertEquals(2, r.headers().get("webhook-signature").split(" ").length, r.headers().toString());
    Webhooks.verify(created.getSecret(), r.headers(), r.body());
    Webhooks.verify(rotated.getSecret(), r.headers(), r.body());
  }

  @Test
  void badDeliveryAndReplayRequestsNameTheirField() {
    String orgId = newOrg();
    String endpointId = endpoint(orgId, "/unused").getEndpoint().getEndpointId();
    assertInvalid("page_size", () -> accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setPageSize(101).build()));
    assertInvalid("page_token", () -> accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setPageToken("not-a-token").build()));
    assertInvalid("endpoint_id", () -> accounts().listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(orgId).setEndpointId("we_nope").build()));
    assertInvalid("event_id", () -> accounts().replayWebhookEvents(ReplayWebhookEventsRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setEventId("evt_1_0_another-org").build()));
    assertInvalid("event_id", () -> accounts().replayWebhookEvents(ReplayWebhookEventsRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).build()));
    assertInvalid("range.to", () -> accounts().replayWebhookEvents(ReplayWebhookEventsRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId)
        .setRange(WebhookTimeRange.newBuilder().setFrom(seconds(100)).setTo(seconds(50))).build()));
    assertInvalid("range", () -> accounts().replayWebhookEvents(ReplayWebhookEventsRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId)
        .setRange(WebhookTimeRange.newBuilder().setFrom(seconds(0)).setTo(seconds(40L * 86_400))).build()));
    assertInvalid("events_org_id", () -> accounts().replayWebhookEvents(ReplayWebhookEventsRequest.newBuilder()
        .setOrgId("*").setEndpointId(endpointId)
        .setRange(WebhookTimeRange.newBuilder().setFrom(seconds(0)).setTo(seconds(60))).build()));
    StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> accounts().replayWebhookEvents(
        ReplayWebhookEventsRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId)
            .setEventId("evt_999999_0_" + orgId).build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    assertTrue(missing.getMessage().contains("evt_999999_0_" + orgId), missing.getMessage());
  }

  static void assertInvalid(String field, org.junit.jupiter.api.function.Executable call) {
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode(), refused.toString());
    com.google.rpc.Status status = StatusProto.fromThrowable(refused);
    List<String> fields = new ArrayList<>();
    for (com.google.protobuf.Any detail : status.getDetailsList()) {
      if (detail.is(BadRequest.class)) {
        try {
          detail.unpack(BadRequest.class).getFieldViolationsList().forEach(v -> fields.add(v.getField()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertTrue(fields.contains(field), field + " not among " + fields);
  }
}
