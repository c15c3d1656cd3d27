package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Balance;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Draw;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.GrantStatement;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListGrantsRequest;
import dev.tally.v1.ListGrantsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import dev.tally.v1.VoidGrantRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/** The node as a client meets it: a real node process, real gRPC over a socket, real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MeteringOverGrpcTest {

  NodeProcess node;
  MeteringGrpc.MeteringBlockingStub metering;
  MeteringGrpc.MeteringFutureStub meteringAsync;
  AccountsGrpc.AccountsBlockingStub accounts;
  HealthGrpc.HealthBlockingStub health;

  @BeforeAll
  void takeTheNode() {
    node = TestNode.node();
    ManagedChannel channel = node.channel();
    metering = MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
    meteringAsync = MeteringGrpc.newFutureStub(channel);
    accounts = AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
    health = HealthGrpc.newBlockingStub(channel);
  }


  String orgWith(long credits) {
    String orgId = "org-" + UUID.randomUUID();
    accounts.createOrg(CreateOrgRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setDisplayName("Acme").setPlan("payg").build());
    if (credits > 0) {
      accounts.grantCredits(GrantCreditsRequest.newBuilder()
          .setOrgId(orgId).setRequestId(id()).setKind(GrantKind.PURCHASE).setAmount(credits).build());
    }
    return orgId;
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  ReserveResponse reserve(String orgId, long amount) {
    return metering.reserve(ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(amount).build());
  }

  Balance balance(String orgId) {
    return metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance();
  }

  List<LedgerEntry> ledger(String orgId) {
    List<LedgerEntry> entries = new ArrayList<>();
    String token = "";
    do {
      ListLedgerResponse page = accounts.listLedger(
          ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(3).setPageToken(token).build());
      entries.addAll(page.getEntriesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return entries;
  }

  @Test
  void aRequestFarLargerThanAnyTallyRequestIsRefusedBeforeItIsRead() {
    String huge = "x".repeat(100_000);
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> accounts.createOrg(
        CreateOrgRequest.newBuilder().setOrgId("huge").setRequestId(id()).setDisplayName(huge).build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
  }

  @Test
  void twoHundredConcurrentReservesOfOneCreditAgainstFiftyCreditsExactlyFiftySucceed() throws Exception {
    String orgId = orgWith(50 * MICROS_PER_CREDIT);
    List<ListenableFuture<ReserveResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(meteringAsync.withDeadlineAfter(1, TimeUnit.MINUTES).reserve(
          ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build()));
    }
    int succeeded = 0;
    int exhausted = 0;
    for (ListenableFuture<ReserveResponse> call : calls) {
      try {
        call.get();
        succeeded++;
      } catch (ExecutionException e) {
        ErrorDetails details = ErrorDetails.of(e.getCause());
        assertEquals(Code.RESOURCE_EXHAUSTED, details.code());
        assertEquals("CREDITS_EXHAUSTED", details.info().getReason());
        exhausted++;
      }
    }
    assertEquals(50, succeeded);
    assertEquals(150, exhausted);
    Balance balance = balance(orgId);
    assertEquals(0, balance.getAvailable());
    assertEquals(50 * MICROS_PER_CREDIT, balance.getHeld());
    assertEquals(50, balance.getOpenReservations());
  }

  @Test
  void chargesDrawTheTrialThenThePackExpiringTomorrowThenTheNeverExpiringAllocationUnlessAPriorityOverrides() {
    String orgId = orgWith(0);
    Timestamp now = Timestamps.fromMillis(System.currentTimeMillis());
    grant(orgId, "allocation", GrantKind.SUBSCRIPTION, null, null);
    grant(orgId, "pack", GrantKind.PURCHASE, Timestamps.add(now, Durations.fromDays(1)), null);
    grant(orgId, "trial", GrantKind.TRIAL, Timestamps.add(now, Durations.fromDays(30)), null);
    grant(orgId, "fix", GrantKind.ADJUSTMENT, null, 0);

    ChargeResponse charged = metering.charge(
        ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(7 * MICROS_PER_CREDIT).build());

    assertEquals(List.of(draw("fix", 2), draw("trial", 2), draw("pack", 2), draw("allocation", 1)), charged.getDrawsList());
  }

  @Test
  void aStreamedCallWhoseOrgGoesNegativeUnderItStillExtendsAndIsBilledInFull() {
    String orgId = orgWith(10 * MICROS_PER_CREDIT);
    ReserveResponse stream = reserve(orgId, 4 * MICROS_PER_CREDIT);
    String other = reserve(orgId, 2 * MICROS_PER_CREDIT).getReservationId();
    metering.commit(CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId(other).setAmount(20 * MICROS_PER_CREDIT).build());
    assertEquals(-14 * MICROS_PER_CREDIT, balance(orgId).getAvailable(), "the other call's usage put the org in debt");

    ExtendReservationResponse extended = metering.extendReservation(ExtendReservationRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId(stream.getReservationId())
        .setTtl(Durations.fromMinutes(10)).build());
    assertTrue(Timestamps.compare(extended.getExpiresAt(), stream.getExpiresAt()) > 0, "the hold lives on");
    assertEquals(4 * MICROS_PER_CREDIT, extended.getHeld());

    CommitResponse committed = metering.commit(CommitRequest.newBuilder().setOrgId(orgId).setRequestId(id())
        .setReservationId(stream.getReservationId()).setAmount(7 * MICROS_PER_CREDIT).build());
    assertEquals(7 * MICROS_PER_CREDIT, committed.getCharged(), "billed in full");
    assertEquals(17 * MICROS_PER_CREDIT, balance(orgId).getDebt(), "27 credits used, 10 granted");
  }

  @Test
  void listGrantsPagesThroughActiveAndFinishedGrantsWithWhatBecameOfTheirCredits() {
    String orgId = orgWith(0);
    grant(orgId, "used", GrantKind.TRIAL, null, null);
    grant(orgId, "voided", GrantKind.PROMOTION, null, null);
    grant(orgId, "active", GrantKind.PURCHASE, null, null);
    metering.charge(ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(3 * MICROS_PER_CREDIT).build());
    accounts.voidGrant(VoidGrantRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setGrantId("voided").build());

    List<GrantStatement> listed = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListGrantsResponse page = accounts.listGrants(
          ListGrantsRequest.newBuilder().setOrgId(orgId).setPageSize(1).setPageToken(token).build());
      listed.addAll(page.getGrantsList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertEquals(3, pages);
    assertEquals(List.of("used", "voided", "active"), listed.stream().map(g -> g.getGrant().getGrantId()).toList());
    assertEquals(List.of(GrantStatement.State.USED_UP, GrantStatement.State.VOIDED, GrantStatement.State.ACTIVE),
        listed.stream().map(GrantStatement::getState).toList());
    GrantStatement voided = listed.get(1);
    assertEquals(List.of(MICROS_PER_CREDIT, 0L, MICROS_PER_CREDIT),
        List.of(voided.getUsed(), voided.getGrant().getRemaining(), voided.getVoided()));
    assertTrue(voided.hasEndedAt());
    assertEquals(2 * MICROS_PER_CREDIT, listed.get(2).getGrant().getRemaining());
    expectInvalid("page_token", () -> accounts.listGrants(
        ListGrantsRequest.newBuilder().setOrgId(orgId).setPageToken("not-a-token").build()));
    expectInvalid("page_size", () -> accounts.listGrants(
        ListGrantsRequest.newBuilder().setOrgId(orgId).setPageSize(101).build()));
  }

  void grant(String orgId, String grantId, GrantKind kind, Timestamp expiresAt, Integer priority) {
    GrantCreditsRequest.Builder grant = GrantCreditsRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setGrantId(grantId).setKind(kind).setAmount(2 * MICROS_PER_CREDIT);
    if (expiresAt != null) grant.setExpiresAt(expiresAt);
    if (priority != null) grant.setPriority(priority);
    accounts.grantCredits(grant.build());
  }

  static Draw draw(String grantId, long credits) {
    return Draw.newBuilder().setGrantId(grantId).setAmount(credits * MICROS_PER_CREDIT).build();
  }

  @Test
  void aRetriedCommitChargesOnceAndTheSameIdWithAnotherAmountIsRefused() {
    String orgId = orgWith(10 * MICROS_PER_CREDIT);
    String reservationId = reserve(orgId, 4 * MICROS_PER_CREDIT).getReservationId();
    CommitRequest commit = CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setAmount(3 * MICROS_PER_CREDIT).build();
    CommitResponse first = metering.commit(commit);
    CommitResponse retry = metering.commit(commit);
    assertEquals(first.getCharged(), retry.getCharged());
    assertEquals(first.getDrawsList(), retry.getDrawsList());
    assertEquals(7 * MICROS_PER_CREDIT, balance(orgId).getAvailable(), "charged once");

    ErrorDetails.expect(Code.ALREADY_EXISTS, "IDEMPOTENCY_MISMATCH",
        () -> metering.commit(commit.toBuilder().setAmount(MICROS_PER_CREDIT).build()));
    assertEquals(7 * MICROS_PER_CREDIT, balance(orgId).getAvailable());
    assertEquals(1, ledger(orgId).stream().filter(e -> e.getType().equals("RESERVATION_COMMITTED")).count());
  }

  @Test
  void badInputGetsTheDocumentedCodeAndReasonAndChangesNothing() {
    String orgId = orgWith(10 * MICROS_PER_CREDIT);
    String reservationId = reserve(orgId, MICROS_PER_CREDIT).getReservationId();
    Balance balanceBefore = balance(orgId);
    int ledgerBefore = ledger(orgId).size();

    ReserveRequest reserve = ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build();
    expectInvalid("amount", () -> metering.reserve(reserve.toBuilder().setAmount(-5).build()));
    expectInvalid("amount", () -> metering.reserve(reserve.toBuilder().setAmount(0).build()));
    expectInvalid("org_id", () -> metering.reserve(reserve.toBuilder().clearOrgId().build()));
    expectInvalid("request_id", () -> metering.reserve(reserve.toBuilder().clearRequestId().build()));
    expectInvalid("ttl", () -> metering.reserve(reserve.toBuilder().setTtl(Durations.fromHours(2)).build()));
    expectInvalid("amount", () -> metering.charge(
        ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(-1).build()));
    expectInvalid("reservation_id", () -> metering.commit(
        CommitRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(1).build()));
    expectInvalid("amount", () -> metering.commit(CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setAmount(-1).build()));
    expectInvalid("kind", () -> accounts.grantCredits(
        GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build()));

    ErrorDetails.expect(Code.NOT_FOUND, "ORG_NOT_FOUND",
        () -> metering.reserve(reserve.toBuilder().setOrgId("no-such-org-" + id()).build()));
    ErrorDetails.expect(Code.NOT_FOUND, "RESERVATION_NOT_FOUND", () -> metering.commit(CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId("rsv-404").setAmount(1).build()));
    ErrorDetails.expect(Code.NOT_FOUND, "RESERVATION_NOT_FOUND", () -> metering.release(
        ReleaseRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setReservationId("rsv-404").build()));

    assertEquals(balanceBefore, balance(orgId));
    assertEquals(ledgerBefore, ledger(orgId).size());
  }

  void expectInvalid(String field, Executable call) {
    ErrorDetails details = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", call);
    BadRequest badRequest = details.detail(BadRequest.class).orElseThrow();
    assertTrue(badRequest.getFieldViolationsList().stream().anyMatch(v -> v.getField().equals(field)),
        () -> "expected a violation of " + field + " in " + badRequest);
  }

  @Test
  void aResolvedReservationCannotBeResolvedAgain() {
    String orgId = orgWith(10 * MICROS_PER_CREDIT);
    String reservationId = reserve(orgId, MICROS_PER_CREDIT).getReservationId();
    metering.release(ReleaseRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).build());
    ErrorDetails details = ErrorDetails.expect(Code.FAILED_PRECONDITION, "RESERVATION_RESOLVED", () -> metering.commit(
        CommitRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setAmount(1).build()));
    assertEquals("released", details.info().getMetadataOrThrow("resolution"));
  }

  @Test
  void theLedgerListsEveryEventInOrderAcrossPages() {
    String orgId = orgWith(10 * MICROS_PER_CREDIT);
    String reservationId = reserve(orgId, 2 * MICROS_PER_CREDIT).getReservationId();
    metering.commit(CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setAmount(MICROS_PER_CREDIT).build());
    metering.charge(ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build());
    List<LedgerEntry> entries = ledger(orgId);
    assertEquals(List.of("ORG_CREATED", "PERIOD_OPENED", "CREDITS_GRANTED", "CREDITS_RESERVED", "RESERVATION_COMMITTED",
            "CREDITS_CHARGED"),
        entries.stream().map(LedgerEntry::getType).toList());
    assertEquals(List.of(true, false, true, true, true, true), entries.stream().map(e -> !e.getRequestId().isEmpty()).toList(),
        "every entry a request caused names it; the period the org opened with does not");
    for (int i = 0; i < entries.size(); i++) assertEquals(i + 1, entries.get(i).getSequenceNr());
  }

  @Test
  void theNodeExportsItsMetricsForPrometheus() throws Exception {
    String orgId = orgWith(MICROS_PER_CREDIT);
    reserve(orgId, MICROS_PER_CREDIT);
    ErrorDetails.expect(Code.RESOURCE_EXHAUSTED, "CREDITS_EXHAUSTED", () -> reserve(orgId, MICROS_PER_CREDIT));
    String metrics = NodeProcess.httpBody(node.metricsPort(), "/metrics");
    for (String expected : List.of(
        "tally_grpc_server_calls_seconds_count{code=\"OK\",method=\"tally.v1.Metering/Reserve\"}",
        "tally_grpc_server_calls_seconds_bucket{code=\"RESOURCE_EXHAUSTED\",method=\"tally.v1.Metering/Reserve\"",
        "tally_rejections_total{method=\"tally.v1.Metering/Reserve\",reason=\"CREDITS_EXHAUSTED\"}",
        "tally_group_commit_batch_size_count",
        "tally_journal_write_seconds_count",
        "tally_accounts_in_memory",
        "tally_reservations_expired_total",
        "jvm_gc_memory_allocated_bytes_total")) {
      assertTrue(metrics.contains(expected), () -> "no " + expected + " in\n" + metrics);
    }
  }

  @Test
  void aCallStartsNoThread() throws Exception {
    // With one thread in the common pool (a 2-core machine's default) every callback on a Pekko future
    // started a thread of its own: at least one for each reserve and each commit.
    String orgId = orgWith(1_000 * MICROS_PER_CREDIT);
    reserve(orgId, MICROS_PER_CREDIT);
    double before = threadsStarted();
    int pairs = 200;
    for (int i = 0; i < pairs; i++) {
      String reservationId = reserve(orgId, MICROS_PER_CREDIT).getReservationId();
      metering.commit(CommitRequest.newBuilder()
          .setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setAmount(1).build());
    }
    double started = threadsStarted() - before;
    assertTrue(started < pairs / 10.0, () -> started + " threads started for " + pairs + " reserves and commits");
  }

  private double threadsStarted() throws Exception {
    String name = "jvm_threads_started_threads_total ";
    return NodeProcess.httpBody(node.metricsPort(), "/metrics").lines().filter(line -> line.startsWith(name))
        .mapToDouble(line -> Double.parseDouble(line.substring(name.length()).trim())).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name.trim()));
  }

  @Test
  void theNodeIsAliveAndReadyOnItsManagementPort() {
    assertEquals(200, NodeProcess.httpStatus(node.managementPort(), "/alive"));
    assertEquals(200, NodeProcess.httpStatus(node.managementPort(), "/ready"));
  }

  @Test
  void theNodeReportsServingOnceItHasJoinedAndWarmedUp() {
    // Watch streams the status as it changes: NOT_SERVING while the node joins and warms up, then SERVING.
    var statuses = health.withDeadlineAfter(30, TimeUnit.SECONDS).watch(HealthCheckRequest.newBuilder().build());
    HealthCheckResponse.ServingStatus last = null;
    while (last != HealthCheckResponse.ServingStatus.SERVING && statuses.hasNext()) last = statuses.next().getStatus();
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, last);
  }

  @Test
  void theNodeServesReflection() throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(node.channel())
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse response) {
            answer.complete(response);
          }

          @Override
          public void onError(Throwable failure) {
            answer.completeExceptionally(failure);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> services = answer.get(1, TimeUnit.MINUTES).getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();
    requests.onCompleted();
    assertTrue(services.containsAll(List.of("tally.v1.Metering", "tally.v1.Accounts", "grpc.health.v1.Health")),
        () -> "services: " + services);
  }
}
