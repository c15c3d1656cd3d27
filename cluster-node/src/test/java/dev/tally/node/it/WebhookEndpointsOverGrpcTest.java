package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.CreateWebhookEndpointResponse;
import dev.tally.v1.DeleteWebhookEndpointRequest;
import dev.tally.v1.ListWebhookDeliveriesRequest;
import dev.tally.v1.ListWebhookEndpointsRequest;
import dev.tally.v1.ListWebhookEndpointsResponse;
import dev.tally.v1.ReplayWebhookEventsRequest;
import dev.tally.v1.RotateWebhookSecretRequest;
import dev.tally.v1.RotateWebhookSecretResponse;
import dev.tally.v1.UpdateWebhookEndpointRequest;
import dev.tally.v1.WebhookEndpoint;
import dev.tally.v1.WebhookEventType;
import dev.tally.v1.WebhookEventTypes;
import dev.tally.v1.WebhookSignature;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhook endpoints over gRPC on a real node and Cassandra, with the deployed default: no endpoint
 * on an internal address. An operator registers, lists, changes, rotates and deletes an org's
 * endpoints and its own for every org; a secret shows once; an org's keys reach none of it.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookEndpointsOverGrpcTest {

  /** Public addresses, written as literals so that no DNS is needed; nothing is delivered to them here. */
  static final String URL = "https://93.184.215.14/tally/hooks";
  static final String OTHER_URL = "https://[2606:4700:4700::1111]/hooks";

  NodeProcess node;
  ManagedChannel admin;
  ManagedChannel plain;

  @BeforeAll
  void startNode() throws Exception {
    node = NodeProcess.start(TestCassandra.server());
    admin = node.channel();
    plain = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  void stopNode() throws Exception {
    plain.shutdownNow();
    node.close();
  }

  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(admin).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  AccountsGrpc.AccountsBlockingStub accountsAs(String role, String orgId) {
    String key = accounts().createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole(role).setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).build()).getKey();
    return AccountsGrpc.newBlockingStub(ClientInterceptors.intercept(plain, TestKeys.bearer(key)))
        .withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  String newOrg() {
    String orgId = "hooked-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
    return orgId;
  }

  static CreateWebhookEndpointRequest creation(String orgId, String requestId) {
    return CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId).setRequestId(requestId).setUrl(URL)
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED)
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_USAGE_THRESHOLD_REACHED)
        .setDescription("billing back end").build();
  }

  List<WebhookEndpoint> list(String orgId) {
    return accounts().listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build()).getEndpointsList();
  }

  static String hintOf(String secret) {
    return "whsec_..." + secret.substring(secret.length() - 4);
  }

  @Test
  void anEndpointIsCreatedWithASecretShownOnceListedWithoutItChangedAndDeleted() {
    String orgId = newOrg();
    CreateWebhookEndpointResponse created = accounts().createWebhookEndpoint(creation(orgId, "hook-1"));
    String secret = created.getSecret();
    assertEquals(32, WebhookSignature.key(secret).length);
    assertFalse(created.getReplayed());
    WebhookEndpoint endpoint = created.getEndpoint();
    assertTrue(endpoint.getEndpointId().matches("we_[0-9a-f]{24}"), endpoint.getEndpointId());
    assertEquals(orgId, endpoint.getOrgId());
    assertEquals(URL, endpoint.getUrl());
    assertTrue(endpoint.getEnabled());
    // Enum order, whatever order they were given in.
    assertEquals(List.of(WebhookEventType.WEBHOOK_EVENT_TYPE_USAGE_THRESHOLD_REACHED, WebhookEventType.WEBHOOK_EVENT_TYPE_CREDITS_GRANTED),
        endpoint.getEventTypesList());

    ListWebhookEndpointsResponse listed =
        accounts().listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build());
    assertEquals(List.of(endpoint), listed.getEndpointsList());
    assertFalse(listed.toString().contains(secret.substring(WebhookSignature.SECRET_PREFIX.length(), 20)), "the list shows the secret");
    assertEquals(hintOf(secret), listed.getEndpoints(0).getSecrets(0).getHint());
    assertFalse(listed.getEndpoints(0).getSecrets(0).hasExpiresAt());

    WebhookEndpoint changed = accounts().updateWebhookEndpoint(UpdateWebhookEndpointRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpoint.getEndpointId()).setUrl(OTHER_URL).setEnabled(false)
        .setEventTypes(WebhookEventTypes.getDefaultInstance()).build()).getEndpoint();
    assertEquals(OTHER_URL, changed.getUrl());
    assertFalse(changed.getEnabled());
    assertEquals(List.of(), changed.getEventTypesList()); // every type
    assertEquals("billing back end", changed.getDescription());
    assertEquals(List.of(changed), list(orgId));

    WebhookEndpoint deleted = accounts().deleteWebhookEndpoint(DeleteWebhookEndpointRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpoint.getEndpointId()).build()).getEndpoint();
    assertEquals(changed, deleted);
    assertEquals(List.of(), list(orgId));
    ErrorDetails.expect(Code.NOT_FOUND, "WEBHOOK_ENDPOINT_NOT_FOUND", () -> accounts().deleteWebhookEndpoint(
        DeleteWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(endpoint.getEndpointId()).build()));
    ErrorDetails.expect(Code.NOT_FOUND, "WEBHOOK_ENDPOINT_NOT_FOUND", () -> accounts().updateWebhookEndpoint(
        UpdateWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(endpoint.getEndpointId()).setEnabled(true).build()));
  }

  @Test
  void aResentCreationAnswersTheSameEndpointWithoutTheSecretAndAReusedRequestIdIsRefused() {
    String orgId = newOrg();
    CreateWebhookEndpointResponse first = accounts().createWebhookEndpoint(creation(orgId, "hook-1"));
    CreateWebhookEndpointResponse again = accounts().createWebhookEndpoint(creation(orgId, "hook-1"));
    assertTrue(again.getReplayed());
    assertEquals("", again.getSecret());
    assertEquals(first.getEndpoint().getEndpointId(), again.getEndpoint().getEndpointId());
    ErrorDetails reused = ErrorDetails.expect(Code.ALREADY_EXISTS, "IDEMPOTENCY_MISMATCH",
        () -> accounts().createWebhookEndpoint(creation(orgId, "hook-1").toBuilder().setUrl(OTHER_URL).build()));
    assertEquals(first.getEndpoint().getEndpointId(), reused.info().getMetadataOrThrow("endpoint_id"));
    assertEquals(1, list(orgId).size());
  }

  @Test
  void aRotationShowsTheNewSecretOnceAndKeepsTheOldOneForTheOverlap() {
    String orgId = newOrg();
    CreateWebhookEndpointResponse created = accounts().createWebhookEndpoint(creation(orgId, "hook-1"));
    String endpointId = created.getEndpoint().getEndpointId();
    RotateWebhookSecretRequest rotation = RotateWebhookSecretRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setRequestId("rotate-1").build();
    RotateWebhookSecretResponse rotated = accounts().rotateWebhookSecret(rotation);
    assertNotEquals(created.getSecret(), rotated.getSecret());
    assertEquals(32, WebhookSignature.key(rotated.getSecret()).length);
    WebhookEndpoint listed = list(orgId).get(0);
    assertEquals(List.of(hintOf(rotated.getSecret()), hintOf(created.getSecret())),
        listed.getSecretsList().stream().map(s -> s.getHint()).toList());
    long overlap = Timestamps.between(listed.getSecrets(0).getCreatedAt(), listed.getSecrets(1).getExpiresAt()).getSeconds();
    assertEquals(Duration.ofHours(24).toSeconds(), overlap);

    RotateWebhookSecretResponse resent = accounts().rotateWebhookSecret(rotation);
    assertTrue(resent.getReplayed());
    assertEquals("", resent.getSecret());
    assertEquals(2, list(orgId).get(0).getSecretsCount());

    RotateWebhookSecretResponse now = accounts().rotateWebhookSecret(rotation.toBuilder()
        .setRequestId("rotate-2").setOverlap(Durations.fromSeconds(0)).build());
    assertEquals(List.of(hintOf(now.getSecret())),
        list(orgId).get(0).getSecretsList().stream().map(s -> s.getHint()).toList());
    ErrorDetails.expect(Code.NOT_FOUND, "WEBHOOK_ENDPOINT_NOT_FOUND", () -> accounts().rotateWebhookSecret(
        rotation.toBuilder().setEndpointId("we_000000000000000000000000").setRequestId("rotate-3").build()));
  }

  @Test
  void theOperatorsEndpointsForEveryOrgAreApartFromAnyOrgs() {
    String orgId = newOrg();
    String operatorsId = accounts().createWebhookEndpoint(creation("*", "operator-" + UUID.randomUUID()))
        .getEndpoint().getEndpointId();
    accounts().createWebhookEndpoint(creation(orgId, "hook-1"));
    assertTrue(list("*").stream().anyMatch(e -> e.getEndpointId().equals(operatorsId) && e.getOrgId().equals("*")));
    assertTrue(list(orgId).stream().noneMatch(e -> e.getEndpointId().equals(operatorsId)));
    ErrorDetails.expect(Code.NOT_FOUND, "WEBHOOK_ENDPOINT_NOT_FOUND", () -> accounts().deleteWebhookEndpoint(
        DeleteWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(operatorsId).build()));
    accounts().deleteWebhookEndpoint(DeleteWebhookEndpointRequest.newBuilder().setOrgId("*").setEndpointId(operatorsId).build());
    assertTrue(list("*").stream().noneMatch(e -> e.getEndpointId().equals(operatorsId)));
  }

  @Test
  void anOrgsOwnKeysReadItsEndpointsWithoutTheUrlsQueryAndTheirLogsButChangeNothing() {
    String orgId = newOrg();
    String tokenUrl = URL + "?token=s3cret-of-the-receiver";
    String endpointId = accounts().createWebhookEndpoint(creation(orgId, "hook-1").toBuilder().setUrl(tokenUrl).build())
        .getEndpoint().getEndpointId();
    for (String role : List.of("metering", "reader", "owner")) {
      AccountsGrpc.AccountsBlockingStub caller = accountsAs(role, orgId);
      ListWebhookEndpointsResponse listed = caller.listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build());
      assertEquals(1, listed.getEndpointsCount(), role);
      assertEquals(URL + "?…", listed.getEndpoints(0).getUrl(), role);
      assertFalse(listed.toString().contains("s3cret"), role);
      assertEquals(endpointId, listed.getEndpoints(0).getEndpointId());
      assertEquals(0, caller.listWebhookDeliveries(ListWebhookDeliveriesRequest.newBuilder().setOrgId(orgId)
          .setEndpointId(endpointId).build()).getAttemptsCount(), "nothing was sent to it");

      everyChangeRefused(caller, orgId, endpointId);
      ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.replayWebhookEvents(
          ReplayWebhookEventsRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId).setEventId("evt_1_0_" + orgId).build()));
      // The operator's endpoints carry every org's events.
      ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
          () -> caller.listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId("*").build()));
      ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.listWebhookDeliveries(
          ListWebhookDeliveriesRequest.newBuilder().setOrgId("*").setEndpointId(endpointId).build()));
    }
    WebhookEndpoint untouched = list(orgId).get(0);
    assertEquals(tokenUrl, untouched.getUrl(), "the operator sees all of it");
    assertTrue(untouched.getEnabled());
    assertEquals(1, untouched.getSecretsCount());
  }

  @Test
  void anotherOrgsKeysAreRefusedAndSeeNothing() {
    String orgId = newOrg();
    String otherOrg = newOrg();
    String endpointId = accounts().createWebhookEndpoint(creation(orgId, "hook-1")).getEndpoint().getEndpointId();
    for (String role : List.of("metering", "reader", "owner")) {
      AccountsGrpc.AccountsBlockingStub caller = accountsAs(role, otherOrg);
      ErrorDetails listed = ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
          () -> caller.listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build()));
      assertFalse(listed.status().toString().contains(endpointId));
      ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.listWebhookDeliveries(
          ListWebhookDeliveriesRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId).build()));
      // Its own org holds no such endpoint: the id alone reaches nothing.
      ErrorDetails.expect(Code.NOT_FOUND, "WEBHOOK_ENDPOINT_NOT_FOUND", () -> caller.listWebhookDeliveries(
          ListWebhookDeliveriesRequest.newBuilder().setOrgId(otherOrg).setEndpointId(endpointId).build()));
      everyChangeRefused(caller, orgId, endpointId);
      assertEquals(List.of(), caller.listWebhookEndpoints(ListWebhookEndpointsRequest.newBuilder().setOrgId(otherOrg).build())
          .getEndpointsList());
    }
    WebhookEndpoint untouched = list(orgId).get(0);
    assertTrue(untouched.getEnabled());
    assertEquals(1, untouched.getSecretsCount());
    assertEquals(List.of(), list(otherOrg));
  }

  /** The caller may create, change, rotate the secret of and delete none of the org's endpoints. */
  void everyChangeRefused(AccountsGrpc.AccountsBlockingStub caller, String orgId, String endpointId) {
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.createWebhookEndpoint(creation(orgId, "mine")));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.updateWebhookEndpoint(
        UpdateWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId).setEnabled(false).build()));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.rotateWebhookSecret(
        RotateWebhookSecretRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId).setRequestId("steal").build()));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> caller.deleteWebhookEndpoint(
        DeleteWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId(endpointId).build()));
  }

  static List<String> fieldsOf(ErrorDetails details) {
    return details.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList();
  }

  ErrorDetails invalid(CreateWebhookEndpointRequest request) {
    return ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> accounts().createWebhookEndpoint(request));
  }

  @Test
  void badUrlsPrivateAddressesAndUnknownEventTypesAreRefusedNamingTheField() {
    String orgId = newOrg();
    CreateWebhookEndpointRequest good = creation(orgId, "hook-1");
    assertEquals(List.of("url"), fieldsOf(invalid(good.toBuilder().setUrl("ftp://93.184.215.14/").build())));
    assertEquals(List.of("url"), fieldsOf(invalid(good.toBuilder().setUrl("https://user:pw@93.184.215.14/").build())));
    for (String internal : List.of("http://127.0.0.1:8080/", "http://10.0.0.1/", "http://169.254.169.254/", "http://[::1]/",
        "http://[::ffff:192.168.0.1]/", "http://2130706433/", "http://localhost/")) {
      ErrorDetails refused = invalid(good.toBuilder().setUrl(internal).build());
      assertEquals(List.of("url"), fieldsOf(refused), internal);
    }
    assertTrue(invalid(good.toBuilder().setUrl("http://10.0.0.1/").build()).status().getMessage().contains("TALLY_WEBHOOKS_ALLOW_PRIVATE"));
    assertEquals(List.of("event_types[1]"), fieldsOf(invalid(good.toBuilder().clearEventTypes()
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_GRANT_EXPIRED).addEventTypesValue(99).build())));
    assertEquals(List.of("event_types[0]"), fieldsOf(invalid(good.toBuilder().clearEventTypes()
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_UNSPECIFIED).build())));
    assertEquals(List.of("event_types[1]"), fieldsOf(invalid(good.toBuilder().clearEventTypes()
        .addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_GRANT_EXPIRED).addEventTypes(WebhookEventType.WEBHOOK_EVENT_TYPE_GRANT_EXPIRED).build())));
    assertEquals(List.of("org_id"), fieldsOf(invalid(good.toBuilder().setOrgId("no spaces").build())));
    assertEquals(List.of("request_id"), fieldsOf(invalid(good.toBuilder().setRequestId("").build())));
    assertEquals(List.of("description"), fieldsOf(invalid(good.toBuilder().setDescription("x".repeat(257)).build())));
    assertEquals(List.of("endpoint_id"), fieldsOf(ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().deleteWebhookEndpoint(DeleteWebhookEndpointRequest.newBuilder().setOrgId(orgId).setEndpointId("hook-1").build()))));
    assertEquals(List.of("url"), fieldsOf(ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().updateWebhookEndpoint(UpdateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
            .setEndpointId("we_000000000000000000000000").setUrl("http://192.168.1.1/").build()))));
    assertEquals(List.of("overlap"), fieldsOf(ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().rotateWebhookSecret(RotateWebhookSecretRequest.newBuilder().setOrgId(orgId)
            .setEndpointId("we_000000000000000000000000").setRequestId("r").setOverlap(Durations.fromDays(8)).build()))));
    assertEquals(List.of(), list(orgId));
  }

  @Test
  void anOrgHasAtMostSixteenEndpointsAndAnUnknownOrgNone() {
    String orgId = newOrg();
    for (int i = 0; i < 16; i++) accounts().createWebhookEndpoint(creation(orgId, "hook-" + i));
    ErrorDetails full = ErrorDetails.expect(Code.FAILED_PRECONDITION, "WEBHOOK_ENDPOINTS_LIMIT",
        () -> accounts().createWebhookEndpoint(creation(orgId, "hook-16")));
    assertEquals("16", full.info().getMetadataOrThrow("bound"));
    assertEquals(16, list(orgId).size());
    ErrorDetails.expect(Code.NOT_FOUND, "ORG_NOT_FOUND",
        () -> accounts().createWebhookEndpoint(creation("no-such-org-" + UUID.randomUUID(), "hook-1")));
    ErrorDetails.expect(Code.NOT_FOUND, "ORG_NOT_FOUND", () -> list("no-such-org-" + UUID.randomUUID()));
  }
}
