package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.tally.node.auth.ApiKey;
import dev.tally.node.auth.CallRules;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.ListPlansRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.RevokeApiKeyRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may call what, over real gRPC on a node process: every method of Metering and Accounts, taken
 * from the generated service descriptors, against every kind of caller. The expected roles are
 * written here, apart from the node's table, so a changed rule or a new RPC without one fails.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {

  enum Caller { NO_KEY, MALFORMED_KEY, UNKNOWN_KEY, REVOKED_KEY, EXPIRED_KEY, METERING_OF_THE_ORG,
    METERING_OF_ANOTHER_ORG, READER_OF_THE_ORG, OWNER_OF_THE_ORG, OWNER_OF_ANOTHER_ORG, ADMIN }

  /**
   * Calls whose request names no org: the catalog (the same for every org), and a key named by its id, whose
   * org the call itself checks (another org's key is not found). Another org's key passes the rule for these.
   */
  private static final Set<String> NO_ORG_IN_THE_REQUEST = Set.of("tally.v1.Accounts/ListPlans",
      "tally.v1.Accounts/ListPriceBooks", "tally.v1.Accounts/ListPackages", "tally.v1.Accounts/RevokeApiKey",
      "tally.v1.Accounts/RotateApiKey");

  /** ALLOWED: any answer but a refusal; NO_ANSWER: a unary call that got none before its deadline. */
  enum Outcome { UNAUTHENTICATED, PERMISSION_DENIED, ALLOWED, NO_ANSWER }

  /** The roles that may make each call for their org: the documented contract (issue 15). */
  private static final Map<String, Set<String>> ROLES = Map.ofEntries(
      Map.entry("tally.v1.Metering/Reserve", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Metering/Commit", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Metering/Release", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Metering/Charge", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Metering/ExtendReservation", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Metering/GetBalance", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/CreateOrg", Set.of("admin")),
      Map.entry("tally.v1.Accounts/GetOrg", Set.of("reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/GrantCredits", Set.of("admin")),
      Map.entry("tally.v1.Accounts/VoidGrant", Set.of("admin")),
      Map.entry("tally.v1.Accounts/ListLedger", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/ListGrants", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/SetPlan", Set.of("admin")),
      Map.entry("tally.v1.Accounts/SetOverrides", Set.of("admin")),
      Map.entry("tally.v1.Accounts/ListPlans", Set.of("reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/ListPriceBooks", Set.of("reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/ListPackages", Set.of("reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/PurchasePackage", Set.of("admin")),
      Map.entry("tally.v1.Accounts/CreateRedemptionCodes", Set.of("admin")),
      Map.entry("tally.v1.Accounts/RedeemCode", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Accounts/FileCreditRequest", Set.of("metering", "owner", "admin")),
      Map.entry("tally.v1.Accounts/ListCreditRequests", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/DecideCreditRequest", Set.of("admin")),
      Map.entry("tally.v1.Accounts/ListRedemptionCodes", Set.of("admin")),
      Map.entry("tally.v1.Accounts/VoidRedemptionCode", Set.of("admin")),
      Map.entry("tally.v1.Accounts/VoidRedemptionBatch", Set.of("admin")),
      Map.entry("tally.v1.Accounts/WatchAlerts", Set.of("metering", "reader", "owner", "admin")),
      // An org's past alerts are its own (issue 20).
      Map.entry("tally.v1.Accounts/ListAlerts", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/CreateApiKey", Set.of("owner", "admin")),
      Map.entry("tally.v1.Accounts/RevokeApiKey", Set.of("owner", "admin")),
      Map.entry("tally.v1.Accounts/LeaveCluster", Set.of("admin")),
      Map.entry("tally.v1.Accounts/ListClusterMembers", Set.of("admin")),
      Map.entry("tally.v1.Accounts/RotateApiKey", Set.of("owner", "admin")),
      Map.entry("tally.v1.Accounts/ListApiKeys", Set.of("owner", "admin")),
      Map.entry("tally.v1.Accounts/ListOrgs", Set.of("admin")),
      Map.entry("tally.v1.Accounts/TopOrgs", Set.of("admin")),
      // An org's usage and statements are its own (issue 18 items 1 and 2).
      Map.entry("tally.v1.Accounts/GetUsage", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/ListStatements", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/GetStatement", Set.of("metering", "reader", "owner", "admin")),
      // Webhook endpoints receive an org's events: the operator registers and changes them (issue 19 item 1);
      // the org's own keys read them and their delivery logs (issue 20 item 1).
      Map.entry("tally.v1.Accounts/CreateWebhookEndpoint", Set.of("admin")),
      Map.entry("tally.v1.Accounts/ListWebhookEndpoints", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/UpdateWebhookEndpoint", Set.of("admin")),
      Map.entry("tally.v1.Accounts/DeleteWebhookEndpoint", Set.of("admin")),
      Map.entry("tally.v1.Accounts/RotateWebhookSecret", Set.of("admin")),
      Map.entry("tally.v1.Accounts/ListWebhookDeliveries", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/ReplayWebhookEvents", Set.of("admin")),
      // An org's referral data is its own; moving rewards changes its credits (issue 17 item 4).
      Map.entry("tally.v1.Accounts/GetReferral", Set.of("metering", "reader", "owner", "admin")),
      Map.entry("tally.v1.Accounts/TransferRewards", Set.of("metering", "owner", "admin")));

  private final String org = "authz-" + UUID.randomUUID();
  private final String otherOrg = "authz-other-" + UUID.randomUUID();
  private final Map<Caller, String> keys = new EnumMap<>(Caller.class);
  private NodeProcess node;
  private ManagedChannel channel;
  private CqlSession cql;

  @BeforeAll
  void startNodeWithKeys() throws Exception {
    node = TestNode.node();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", node.grpcPort()).usePlaintext().build();
    cql = TestCassandra.server().newSession();
    Instant hourAgo = Instant.now().minusSeconds(3600);
    keys.put(Caller.MALFORMED_KEY, "tk_not-a-key");
    keys.put(Caller.UNKNOWN_KEY, ApiKey.generate().secret());
    keys.put(Caller.REVOKED_KEY, store("metering", org, null, hourAgo));
    keys.put(Caller.EXPIRED_KEY, store("metering", org, hourAgo, null));
    keys.put(Caller.METERING_OF_THE_ORG, store("metering", org, null, null));
    keys.put(Caller.METERING_OF_ANOTHER_ORG, store("metering", otherOrg, null, null));
    keys.put(Caller.READER_OF_THE_ORG, store("reader", org, null, null));
    keys.put(Caller.OWNER_OF_THE_ORG, store("owner", org, null, null));
    keys.put(Caller.OWNER_OF_ANOTHER_ORG, store("owner", otherOrg, null, null));
    keys.put(Caller.ADMIN, TestKeys.ADMIN);
  }

  @AfterAll
  void stop() throws Exception {
    cql.close();
    channel.shutdownNow();
  }

  @Test
  void everyMethodOfMeteringAndAccountsHasARuleHereAndOnTheNode() {
    Set<String> methods = new TreeSet<>();
    guardedMethods().forEach(method -> methods.add(method.getFullMethodName()));
    assertEquals(methods, new TreeSet<>(ROLES.keySet()), "a method without an expected rule here, or a rule for none");
    for (String method : methods) assertTrue(CallRules.of(method).isPresent(), method + " has no rule in CallRules");
  }

  @Test
  void eachCallerGetsExactlyTheDocumentedOutcomeOfEveryMethod() {
    List<String> wrong = new ArrayList<>();
    guardedMethods().forEach(method -> {
      for (Caller caller : Caller.values()) {
        Outcome expected = expected(caller, method.getFullMethodName());
        Outcome seen = call(method, org, keys.get(caller));
        if (seen != expected) wrong.add(method.getFullMethodName() + " by " + caller + ": " + seen + ", expected " + expected);
      }
    });
    assertEquals(List.of(), wrong);
  }

  @Test
  void onlyAnAdminKeyMayWatchTheAlertsOfEveryOrg() {
    MethodDescriptor<?, ?> watch = AccountsGrpc.getWatchAlertsMethod();
    assertEquals(Outcome.PERMISSION_DENIED, call(watch, "", keys.get(Caller.METERING_OF_THE_ORG)));
    assertEquals(Outcome.PERMISSION_DENIED, call(watch, "", keys.get(Caller.READER_OF_THE_ORG)));
    assertEquals(Outcome.PERMISSION_DENIED, call(watch, "", keys.get(Caller.OWNER_OF_THE_ORG)));
    assertEquals(Outcome.ALLOWED, call(watch, "", keys.get(Caller.ADMIN)));
  }

  @Test
  void onlyAnAdminKeyMayListTheCreditRequestsOfEveryOrg() {
    MethodDescriptor<?, ?> list = AccountsGrpc.getListCreditRequestsMethod();
    assertEquals(Outcome.PERMISSION_DENIED, call(list, "", keys.get(Caller.METERING_OF_THE_ORG)));
    assertEquals(Outcome.PERMISSION_DENIED, call(list, "", keys.get(Caller.READER_OF_THE_ORG)));
    assertEquals(Outcome.PERMISSION_DENIED, call(list, "", keys.get(Caller.OWNER_OF_THE_ORG)));
    assertEquals(Outcome.ALLOWED, call(list, "", keys.get(Caller.ADMIN)));
  }

  @Test
  void healthStaysOpenWithoutAKey() {
    assertEquals(ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  @Test
  void aRevokedKeyStopsWorkingWithinTheKeyCacheTtl() throws Exception {
    String key = store("reader", org, null, null);
    assertEquals(Outcome.ALLOWED, call(AccountsGrpc.getListPlansMethod(), org, key));
    cql.execute("UPDATE tally.api_keys SET revoked_at = toTimestamp(now()) WHERE key_sha256 = '" + TestKeys.sha256(key) + "'");
    // tally.auth.key-cache-ttl is 5 s; the margin is for a slow machine.
    Eventually.await("the revoked key is refused", Duration.ofSeconds(15),
        () -> call(AccountsGrpc.getListPlansMethod(), org, key) == Outcome.UNAUTHENTICATED);
  }

  @Test
  void noKeyNorItsHashAppearsInTheNodesLogOrInARefusal() {
    for (Caller caller : Caller.values()) {
      if (caller == Caller.NO_KEY) continue;
      StatusRuntimeException refused = callFailure(AccountsGrpc.getSetPlanMethod(), otherOrg, keys.get(caller));
      assertFalse(String.valueOf(refused.getStatus().getDescription()).contains(keys.get(caller)), caller.name());
    }
    String log = node.log();
    keys.forEach((caller, key) -> {
      if (key == null) return;
      assertFalse(log.contains(key), caller + "'s key is in the node's log");
      assertFalse(log.contains(TestKeys.sha256(key)), caller + "'s key hash is in the node's log");
    });
  }

  @Test
  void aKeyMadeWithCreateApiKeyActsForItsOrgUntilRevokeApiKey() {
    AccountsGrpc.AccountsBlockingStub admin = AccountsGrpc.newBlockingStub(
        ClientInterceptors.intercept(channel, TestKeys.bearer(TestKeys.ADMIN))).withDeadlineAfter(1, TimeUnit.MINUTES);
    CreateApiKeyResponse created = admin.createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole("metering").setOrgId(org).setLabel("matrix test").setRequestId(UUID.randomUUID().toString()).build());
    assertTrue(ApiKey.parse(created.getKey()).isPresent(), "a key in the documented format");
    assertEquals("tk_..." + created.getKey().substring(created.getKey().length() - 4), created.getHint());
    assertTrue(created.getKeyId().matches("key_[0-9a-f]{24}"), created.getKeyId());
    assertFalse(created.getKeyId().contains(TestKeys.sha256(created.getKey()).substring(0, 24)), "the key id is not the key's hash");

    assertEquals(Outcome.ALLOWED, call(MeteringGrpc.getGetBalanceMethod(), org, created.getKey()));
    assertEquals(Outcome.PERMISSION_DENIED, call(MeteringGrpc.getGetBalanceMethod(), otherOrg, created.getKey()));
    admin.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(created.getKeyId()).build());
    // The node that revoked it forgets it at once; others within tally.auth.key-cache-ttl.
    assertEquals(Outcome.UNAUTHENTICATED, call(MeteringGrpc.getGetBalanceMethod(), org, created.getKey()));
  }

  @Test
  void createApiKeyAndRevokeApiKeyCheckTheirFields() {
    AccountsGrpc.AccountsBlockingStub admin = AccountsGrpc.newBlockingStub(
        ClientInterceptors.intercept(channel, TestKeys.bearer(TestKeys.ADMIN))).withDeadlineAfter(1, TimeUnit.MINUTES);
    CreateApiKeyRequest reader = CreateApiKeyRequest.newBuilder().setRole("reader").setOrgId(org).setRequestId("r-1").build();
    assertEquals(List.of("role"), violatedFields(() -> admin.createApiKey(reader.toBuilder().setRole("root").build())));
    assertEquals(List.of("org_id"), violatedFields(() -> admin.createApiKey(reader.toBuilder().clearOrgId().build())));
    assertEquals(List.of("org_id"), violatedFields(() -> admin.createApiKey(reader.toBuilder().setRole("admin").build())));
    assertEquals(List.of("expires_at"), violatedFields(() -> admin.createApiKey(
        reader.toBuilder().setExpiresAt(Timestamps.fromSeconds(1)).build())));
    assertEquals(List.of("request_id"), violatedFields(() -> admin.createApiKey(reader.toBuilder().clearRequestId().build())));
    assertEquals(List.of("label"), violatedFields(() -> admin.createApiKey(reader.toBuilder().setLabel("a\u202eb").build())));
    assertEquals(List.of("key_id"), violatedFields(() -> admin.revokeApiKey(
        RevokeApiKeyRequest.newBuilder().setKeyId("tk_...7sFA").build())));
    assertEquals(List.of("key_id"), violatedFields(() -> admin.revokeApiKey(
        RevokeApiKeyRequest.newBuilder().setKeyId(TestKeys.sha256("a key's hash is not its id")).build())));

    StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
        () -> admin.revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId("key_" + "0".repeat(24)).build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertEquals("API_KEY_NOT_FOUND", reason(unknown));
  }

  private static List<String> violatedFields(Runnable call) {
    StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
    com.google.rpc.Status status = StatusProto.fromThrowable(invalid);
    return status.getDetailsList().stream().filter(any -> any.is(BadRequest.class))
        .flatMap(any -> unpack(any, BadRequest.class).getFieldViolationsList().stream())
        .map(BadRequest.FieldViolation::getField)
        .toList();
  }

  private static String reason(StatusRuntimeException failure) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    return status == null ? "" : status.getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(any -> unpack(any, ErrorInfo.class).getReason())
        .findFirst().orElse("");
  }

  private static <T extends Message> T unpack(com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Outcome expected(Caller caller, String method) {
    Set<String> roles = ROLES.get(method);
    return switch (caller) {
      case NO_KEY, MALFORMED_KEY, UNKNOWN_KEY, REVOKED_KEY, EXPIRED_KEY -> Outcome.UNAUTHENTICATED;
      case METERING_OF_THE_ORG -> roles.contains("metering") ? Outcome.ALLOWED : Outcome.PERMISSION_DENIED;
      // Every call acts on an org or is closed to metering keys: another org's key gets nothing.
      case METERING_OF_ANOTHER_ORG -> Outcome.PERMISSION_DENIED;
      case READER_OF_THE_ORG -> roles.contains("reader") ? Outcome.ALLOWED : Outcome.PERMISSION_DENIED;
      case OWNER_OF_THE_ORG -> roles.contains("owner") ? Outcome.ALLOWED : Outcome.PERMISSION_DENIED;
      case OWNER_OF_ANOTHER_ORG -> roles.contains("owner") && NO_ORG_IN_THE_REQUEST.contains(method)
          ? Outcome.ALLOWED : Outcome.PERMISSION_DENIED;
      case ADMIN -> Outcome.ALLOWED;
    };
  }

  private static Stream<MethodDescriptor<?, ?>> guardedMethods() {
    return Stream.concat(
        MeteringGrpc.getServiceDescriptor().getMethods().stream(),
        AccountsGrpc.getServiceDescriptor().getMethods().stream());
  }

  /** The call's outcome as far as keys go: a refusal with its ErrorInfo reason, or anything else. */
  private Outcome call(MethodDescriptor<?, ?> method, String orgId, String key) {
    StatusRuntimeException failure = callFailure(method, orgId, key);
    if (failure == null) return Outcome.ALLOWED;
    Status.Code code = failure.getStatus().getCode();
    if (code == Status.Code.DEADLINE_EXCEEDED && method.getType() == MethodDescriptor.MethodType.UNARY) {
      return Outcome.NO_ANSWER;
    }
    if (code != Status.Code.UNAUTHENTICATED && code != Status.Code.PERMISSION_DENIED) return Outcome.ALLOWED;
    assertEquals(code.name(), reason(failure), "the ErrorInfo reason of " + method.getFullMethodName());
    return Outcome.valueOf(code.name());
  }

  /** Calls {@code method} for {@code orgId} (an otherwise empty request) with {@code key}; the failure, null if none. */
  @SuppressWarnings("unchecked")
  private StatusRuntimeException callFailure(MethodDescriptor<?, ?> method, String orgId, String key) {
    MethodDescriptor<Message, Message> typed = (MethodDescriptor<Message, Message>) method;
    Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller()).getMessagePrototype();
    Message.Builder request = prototype.toBuilder();
    FieldDescriptor orgField = prototype.getDescriptorForType().findFieldByName("org_id");
    if (orgField != null) request.setField(orgField, orgId);
    Channel withKey = key == null ? channel : ClientInterceptors.intercept(channel, TestKeys.bearer(key));
    try {
      if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
        // An allowed watch waits for alerts; refusals come at once — once the key is known: a unary call
        // first (any answer) has the node look the key up and cache it, so a slow table read under load
        // cannot make a refusal come after the watch's short deadline and pass for an allowed watch.
        if (key != null) {
          try {
            AccountsGrpc.newBlockingStub(withKey).withDeadlineAfter(30, TimeUnit.SECONDS).listPlans(ListPlansRequest.getDefaultInstance());
          } catch (StatusRuntimeException keyLookedUp) {
            // refused or not, the node has looked the key up
          }
        }
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
        ClientCalls.blockingServerStreamingCall(withKey, typed, options, request.build()).hasNext();
      } else {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
        ClientCalls.blockingUnaryCall(withKey, typed, options, request.build());
      }
      return null;
    } catch (StatusRuntimeException e) {
      return e;
    }
  }

  /** A key of {@code role} for {@code orgId}, written to tally.api_keys as an operator's tool would. */
  private String store(String role, String orgId, Instant expiresAt, Instant revokedAt) {
    ApiKey key = ApiKey.generate();
    cql.execute(cql.prepare("INSERT INTO tally.api_keys (key_sha256, role, org_id, label, hint, created_at, expires_at, revoked_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(key.sha256(), role, orgId, "test " + role, key.hint(), Instant.now(), expiresAt, revokedAt));
    return key.secret();
  }
}
