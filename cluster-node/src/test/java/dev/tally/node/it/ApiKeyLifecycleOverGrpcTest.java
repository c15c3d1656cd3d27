package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListApiKeysResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * API keys over gRPC on a node whose clock the test moves: rotation with its grace period, retried
 * CreateApiKey and RotateApiKey that make one key and never show it twice, ListApiKeys pages that
 * hold no key nor hash, and the fields of the key calls.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeyLifecycleOverGrpcTest {

  private InProcessNode node;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), "");
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void aRotatedKeyWorksBesideItsSuccessorForTheGracePeriodAndOnlyTheSuccessorWorksAfter() {
    String org = newOrg();
    CreateApiKeyResponse old = create(org, "metering", "chat service", UUID.randomUUID().toString());
    RotateApiKeyResponse rotated = rotate(old.getKeyId(), UUID.randomUUID().toString(), Duration.ofHours(1));
    String successor = rotated.getNewKey().getKey();
    assertTrue(successor.startsWith("tk_") && !successor.equals(old.getKey()), "a new key");
    // Cassandra keeps times to the millisecond: so does the rotation.
    assertEquals(node.clock().instant().truncatedTo(ChronoUnit.MILLIS).plus(Duration.ofHours(1)),
        Instant.ofEpochSecond(rotated.getOldKeyRevokedAt().getSeconds(), rotated.getOldKeyRevokedAt().getNanos()));

    assertEquals(Status.Code.OK, balanceWith(old.getKey(), org));
    assertEquals(Status.Code.OK, balanceWith(successor, org));
    node.clock().advance(Duration.ofHours(1).minusSeconds(1));
    assertEquals(Status.Code.OK, balanceWith(old.getKey(), org), "the old key works until the grace ends");
    assertEquals(Status.Code.OK, balanceWith(successor, org));
    node.clock().advance(Duration.ofSeconds(1));
    assertEquals(Status.Code.UNAUTHENTICATED, balanceWith(old.getKey(), org), "the old key stops when the grace ends");
    assertEquals(Status.Code.OK, balanceWith(successor, org));

    List<ApiKeyInfo> keys = listAll(org, 10);
    assertEquals(Set.of(old.getKeyId(), rotated.getNewKey().getKeyId()), keyIds(keys));
    ApiKeyInfo successorInfo = keys.stream().filter(k -> k.getKeyId().equals(rotated.getNewKey().getKeyId())).findFirst().orElseThrow();
    assertEquals("metering", successorInfo.getRole());
    assertEquals(org, successorInfo.getOrgId());
    assertEquals("chat service", successorInfo.getLabel());
    assertFalse(successorInfo.hasRevokedAt());
  }

  @Test
  void revokingAKeyInItsGracePeriodStopsItAtOnce() {
    String org = newOrg();
    CreateApiKeyResponse old = create(org, "reader", "", UUID.randomUUID().toString());
    rotate(old.getKeyId(), UUID.randomUUID().toString(), Duration.ofDays(7));
    assertEquals(Status.Code.OK, balanceWith(old.getKey(), org));

    node.accounts().revokeApiKey(RevokeApiKeyRequest.newBuilder().setKeyId(old.getKeyId()).build());
    assertEquals(Status.Code.UNAUTHENTICATED, balanceWith(old.getKey(), org));
  }

  @Test
  void aRotationWithNoGracePeriodNamedLetsTheOldKeyWorkForADay() {
    CreateApiKeyResponse old = create(newOrg(), "reader", "", UUID.randomUUID().toString());
    RotateApiKeyResponse rotated = node.accounts().rotateApiKey(RotateApiKeyRequest.newBuilder()
        .setKeyId(old.getKeyId()).setRequestId(UUID.randomUUID().toString()).build());
    assertEquals(Timestamps.add(Timestamps.fromMillis(node.clock().millis()), Durations.fromHours(24)),
        rotated.getOldKeyRevokedAt());
  }

  @Test
  void aRetriedCreateApiKeyMakesOneKeyAndAnswersWithItsIdButNotTheKeyAgain() {
    String org = newOrg();
    String requestId = UUID.randomUUID().toString();
    CreateApiKeyResponse first = create(org, "metering", "billing", requestId);
    CreateApiKeyResponse retry = create(org, "metering", "billing", requestId);

    assertFalse(first.getReplayed());
    assertTrue(retry.getReplayed());
    assertEquals("", retry.getKey(), "the key is shown once");
    assertEquals(first.getKeyId(), retry.getKeyId());
    assertEquals(first.getHint(), retry.getHint());
    assertEquals(Set.of(first.getKeyId()), keyIds(listAll(org, 10)), "one key made");
    assertEquals(Status.Code.OK, balanceWith(first.getKey(), org));

    ErrorDetails.expect(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_MISMATCH", () -> create(org, "metering", "other label", requestId));
    ErrorDetails.expect(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_MISMATCH",
        () -> rotate(first.getKeyId(), requestId, Duration.ofHours(1)));
  }

  @Test
  void aRetriedRotateApiKeyMakesOneSuccessorAndARotatedKeyCannotBeRotatedAgain() {
    String org = newOrg();
    CreateApiKeyResponse old = create(org, "metering", "", UUID.randomUUID().toString());
    String requestId = UUID.randomUUID().toString();
    RotateApiKeyResponse first = rotate(old.getKeyId(), requestId, Duration.ofMinutes(30));
    RotateApiKeyResponse retry = rotate(old.getKeyId(), requestId, Duration.ofMinutes(30));

    assertTrue(retry.getNewKey().getReplayed());
    assertEquals("", retry.getNewKey().getKey());
    assertEquals(first.getNewKey().getKeyId(), retry.getNewKey().getKeyId());
    assertEquals(first.getOldKeyRevokedAt(), retry.getOldKeyRevokedAt());
    assertEquals(Set.of(old.getKeyId(), first.getNewKey().getKeyId()), keyIds(listAll(org, 10)));

    ErrorDetails.expect(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_MISMATCH",
        () -> rotate(old.getKeyId(), requestId, Duration.ofMinutes(31)));
    ErrorDetails refused = ErrorDetails.expect(Status.Code.FAILED_PRECONDITION, "API_KEY_REVOKED",
        () -> rotate(old.getKeyId(), UUID.randomUUID().toString(), Duration.ofMinutes(30)));
    assertTrue(refused.info().containsMetadata("revoked_at"), refused.status()::toString);
    ErrorDetails.expect(Status.Code.NOT_FOUND, "API_KEY_NOT_FOUND",
        () -> rotate("key_" + "f".repeat(24), UUID.randomUUID().toString(), Duration.ofMinutes(30)));
  }

  @Test
  void rotationsOfOneKeyRacingEachOtherMakeExactlyOneSuccessor() throws Exception {
    String org = newOrg();
    CreateApiKeyResponse old = create(org, "metering", "", UUID.randomUUID().toString());
    int racers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<RotateApiKeyResponse>> rotations = new ArrayList<>();
    try {
      for (int i = 0; i < racers; i++) {
        rotations.add(pool.submit(() -> {
          go.await();
          return rotate(old.getKeyId(), UUID.randomUUID().toString(), Duration.ofMinutes(30));
        }));
      }
      go.countDown();
      List<String> successors = new ArrayList<>();
      for (Future<RotateApiKeyResponse> rotation : rotations) {
        try {
          successors.add(rotation.get(1, TimeUnit.MINUTES).getNewKey().getKeyId());
        } catch (ExecutionException refused) {
          StatusRuntimeException status = (StatusRuntimeException) refused.getCause();
          assertEquals(Status.Code.FAILED_PRECONDITION, status.getStatus().getCode(), status::toString);
        }
      }
      assertEquals(1, successors.size(), "one rotation wins, the others are refused API_KEY_REVOKED: " + successors);
      assertEquals(Set.of(old.getKeyId(), successors.get(0)), keyIds(listAll(org, 20)),
          "the org has the old key and one successor, nothing else");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void listApiKeysPagesThroughOneOrgOrEveryKeyAndNeverShowsAKeyOrItsHash() {
    String org = newOrg();
    List<CreateApiKeyResponse> made = new ArrayList<>();
    for (int i = 0; i < 5; i++) made.add(create(org, i % 2 == 0 ? "metering" : "reader", "key " + i, UUID.randomUUID().toString()));
    CreateApiKeyResponse admin = create("", "admin", "ops", UUID.randomUUID().toString());

    List<ListApiKeysResponse> pages = pages(org, 2);
    assertEquals(List.of(2, 2, 1), pages.stream().map(ListApiKeysResponse::getKeysCount).toList());
    Set<String> listed = keyIds(pages.stream().flatMap(page -> page.getKeysList().stream()).toList());
    assertEquals(keyIds(made), listed);
    for (CreateApiKeyResponse key : made) {
      for (ListApiKeysResponse page : pages) {
        assertFalse(page.toString().contains(key.getKey()), "a listing shows no key");
        assertFalse(page.toString().contains(TestKeys.sha256(key.getKey())), "a listing shows no key hash");
      }
    }

    List<ApiKeyInfo> every = listAll("", 1000);
    assertTrue(keyIds(every).containsAll(listed), "every org's keys are listed without an org");
    ApiKeyInfo adminInfo = every.stream().filter(k -> k.getKeyId().equals(admin.getKeyId())).findFirst().orElseThrow();
    assertEquals("admin", adminInfo.getRole());
    assertEquals("", adminInfo.getOrgId());
    assertEquals(admin.getHint(), adminInfo.getHint());
    assertTrue(adminInfo.hasCreatedAt() && !adminInfo.hasExpiresAt() && !adminInfo.hasRevokedAt(), adminInfo::toString);
  }

  @Test
  void theKeyCallsRefuseFieldsOutOfTheirRanges() {
    AccountsGrpc.AccountsBlockingStub accounts = node.accounts();
    ListApiKeysRequest list = ListApiKeysRequest.getDefaultInstance();
    assertEquals(List.of("page_size"), violations(() -> accounts.listApiKeys(list.toBuilder().setPageSize(-1).build())));
    assertEquals(List.of("page_size"), violations(() -> accounts.listApiKeys(list.toBuilder().setPageSize(1001).build())));
    assertEquals(List.of("page_token"), violations(() -> accounts.listApiKeys(list.toBuilder().setPageToken("next").build())));
    assertEquals(List.of("org_id"), violations(() -> accounts.listApiKeys(list.toBuilder().setOrgId("no org!").build())));

    RotateApiKeyRequest rotate = RotateApiKeyRequest.newBuilder()
        .setKeyId("key_" + "a".repeat(24)).setRequestId("r-1").setGracePeriod(Durations.fromHours(1)).build();
    assertEquals(List.of("key_id"), violations(() -> accounts.rotateApiKey(rotate.toBuilder().clearKeyId().build())));
    assertEquals(List.of("key_id"), violations(() -> accounts.rotateApiKey(
        rotate.toBuilder().setKeyId(TestKeys.sha256(TestKeys.ADMIN)).build())));
    assertEquals(List.of("request_id"), violations(() -> accounts.rotateApiKey(rotate.toBuilder().clearRequestId().build())));
    assertEquals(List.of("request_id"), violations(() -> accounts.rotateApiKey(
        rotate.toBuilder().setRequestId("x".repeat(129)).build())));
    assertEquals(List.of("grace_period"), violations(() -> accounts.rotateApiKey(
        rotate.toBuilder().setGracePeriod(Durations.fromSeconds(-1)).build())));
    assertEquals(List.of("grace_period"), violations(() -> accounts.rotateApiKey(
        rotate.toBuilder().setGracePeriod(Durations.fromDays(7).toBuilder().setNanos(1).build()).build())));
    assertEquals(List.of("grace_period"), violations(() -> accounts.rotateApiKey(
        rotate.toBuilder().setGracePeriod(com.google.protobuf.Duration.newBuilder().setSeconds(1).setNanos(-1)).build())));
  }

  private String newOrg() {
    String org = "keys-" + UUID.randomUUID();
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString()).build());
    return org;
  }

  private CreateApiKeyResponse create(String org, String role, String label, String requestId) {
    return node.accounts().createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole(role).setOrgId(org).setLabel(label).setRequestId(requestId).build());
  }

  private RotateApiKeyResponse rotate(String keyId, String requestId, Duration grace) {
    return node.accounts().rotateApiKey(RotateApiKeyRequest.newBuilder()
        .setKeyId(keyId).setRequestId(requestId).setGracePeriod(Durations.fromMillis(grace.toMillis())).build());
  }

  /** What GetBalance of {@code org} with {@code key} ends with: OK, or the refusal's code. */
  private Status.Code balanceWith(String key, String org) {
    try {
      MeteringGrpc.newBlockingStub(node.channel(key)).withDeadlineAfter(1, TimeUnit.MINUTES)
          .getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private List<ListApiKeysResponse> pages(String org, int pageSize) {
    List<ListApiKeysResponse> pages = new ArrayList<>();
    String token = "";
    do {
      ListApiKeysResponse page = node.accounts().listApiKeys(
          ListApiKeysRequest.newBuilder().setOrgId(org).setPageSize(pageSize).setPageToken(token).build());
      assertTrue(page.getKeysCount() <= pageSize, "a page holds at most page_size keys");
      pages.add(page);
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return pages;
  }

  private List<ApiKeyInfo> listAll(String org, int pageSize) {
    return pages(org, pageSize).stream().flatMap(page -> page.getKeysList().stream()).toList();
  }

  private static Set<String> keyIds(List<?> keys) {
    Set<String> ids = new TreeSet<>();
    for (Object key : keys) {
      ids.add(key instanceof ApiKeyInfo info ? info.getKeyId() : ((CreateApiKeyResponse) key).getKeyId());
    }
    return ids;
  }

  private static List<String> violations(Supplier<?> call) {
    ErrorDetails invalid = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", call::get);
    return invalid.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList();
  }
}
