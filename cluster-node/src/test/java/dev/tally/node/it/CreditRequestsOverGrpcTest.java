package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreditRequest;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestRequest.Decision;
import dev.tally.v1.DecideCreditRequestResponse;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.FileCreditRequestResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListCreditRequestsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Credit requests over gRPC on a real node and Cassandra: an org files with its own key once past the
 * threshold, an operator lists every org's and decides, an approval grants once, and an org's key
 * reaches only its own requests.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditRequestsOverGrpcTest {

  /** What each org here is granted: its alert base (payg has no allocation). */
  static final long GRANTED = 100_000_000L;
  static final long ASKED = 40_000_000L;

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

  /** The Accounts service as a caller with {@code role}'s key of {@code orgId} sees it. */
  AccountsGrpc.AccountsBlockingStub accountsAs(String role, String orgId) {
    String key = accounts().createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole(role).setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).build()).getKey();
    return AccountsGrpc.newBlockingStub(ClientInterceptors.intercept(plain, TestKeys.bearer(key)))
        .withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  /** A payg org granted {@link #GRANTED} that has used {@code usedPercent} % of it this period. */
  String orgThatUsed(int usedPercent) {
    String orgId = "asker-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
    accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId("bought")
        .setKind(GrantKind.PURCHASE).setAmount(GRANTED).build());
    MeteringGrpc.newBlockingStub(admin).withDeadlineAfter(1, TimeUnit.MINUTES).charge(ChargeRequest.newBuilder()
        .setOrgId(orgId).setRequestId("used").setAmount(GRANTED / 100 * usedPercent).build());
    return orgId;
  }

  static FileCreditRequestRequest filing(String orgId, String requestId) {
    return FileCreditRequestRequest.newBuilder()
        .setOrgId(orgId).setRequestId(requestId).setAmount(ASKED).setReason("launch week").build();
  }

  static DecideCreditRequestRequest decision(String orgId, long number, Decision decision) {
    return DecideCreditRequestRequest.newBuilder().setOrgId(orgId).setNumber(number).setDecision(decision).setNote("enjoy").build();
  }

  long available(String orgId) {
    return MeteringGrpc.newBlockingStub(admin).withDeadlineAfter(1, TimeUnit.MINUTES)
        .getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }

  List<LedgerEntry> promotionGrantsIn(String orgId) {
    return accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList().stream()
        .filter(entry -> entry.getType().equals("CREDITS_GRANTED") && entry.getGrantId().startsWith("credit-request:"))
        .toList();
  }

  /** Every org's requests of {@code status} in the operators' listing, read a page of {@code pageSize} at a time. */
  List<CreditRequest> operatorsListing(CreditRequest.Status status, int pageSize) {
    List<CreditRequest> all = new ArrayList<>();
    String token = "";
    do {
      ListCreditRequestsResponse page = accounts().listCreditRequests(ListCreditRequestsRequest.newBuilder()
          .setStatus(status).setPageSize(pageSize).setPageToken(token).build());
      assertTrue(page.getRequestsCount() <= pageSize);
      all.addAll(page.getRequestsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  boolean listedAs(String orgId, long number, CreditRequest.Status status) {
    return operatorsListing(CreditRequest.Status.STATUS_UNSPECIFIED, 100).stream()
        .anyMatch(r -> r.getOrgId().equals(orgId) && r.getNumber() == number && r.getStatus() == status);
  }

  @Test
  void anOrgFilesWithItsOwnKeyAnOperatorApprovesOnceAndTheOrgSeesTheOutcome() throws InterruptedException {
    String orgId = orgThatUsed(85);
    AccountsGrpc.AccountsBlockingStub org = accountsAs("metering", orgId);

    FileCreditRequestResponse filed = org.fileCreditRequest(filing(orgId, "ask-1"));
    // Filed before the approval: the promotion raises the alert base of an org without an allocation.
    long denied = org.fileCreditRequest(filing(orgId, "ask-2")).getRequest().getNumber();
    CreditRequest request = filed.getRequest();
    assertEquals(CreditRequest.Status.OPEN, request.getStatus());
    assertEquals(85_000_000L, request.getChargedWhenFiled());
    assertEquals(GRANTED, request.getBaseWhenFiled());
    assertFalse(filed.getReplayed());
    assertTrue(org.fileCreditRequest(filing(orgId, "ask-1")).getReplayed(), "a resent filing files nothing");
    Eventually.await("the operators see it open", Duration.ofSeconds(30), () -> listedAs(orgId, request.getNumber(), CreditRequest.Status.OPEN));
    long before = available(orgId);

    DecideCreditRequestResponse approved = accounts().decideCreditRequest(decision(orgId, request.getNumber(), Decision.APPROVE));
    DecideCreditRequestResponse again = accounts().decideCreditRequest(decision(orgId, request.getNumber(), Decision.APPROVE));

    assertEquals(CreditRequest.Status.APPROVED, approved.getRequest().getStatus());
    assertFalse(approved.getReplayed());
    assertTrue(again.getReplayed());
    List<LedgerEntry> grants = promotionGrantsIn(orgId);
    System.out.printf("credit request approvals: 2 attempts, %d grants, %d µcr granted, balance %d -> %d µcr%n",
        grants.size(), grants.stream().mapToLong(LedgerEntry::getAmount).sum(), before, available(orgId));
    assertEquals(1, grants.size(), "a double approval grants once");
    assertEquals("credit-request:" + request.getNumber(), grants.get(0).getGrantId());
    assertEquals(ASKED, grants.get(0).getAmount());
    assertEquals(before + ASKED, available(orgId));
    ErrorDetails decided = ErrorDetails.expect(Code.FAILED_PRECONDITION, "CREDIT_REQUEST_DECIDED",
        () -> accounts().decideCreditRequest(decision(orgId, request.getNumber(), Decision.DENY)));
    assertEquals("APPROVED", decided.info().getMetadataOrThrow("status"));

    CreditRequest seen = org.listCreditRequests(ListCreditRequestsRequest.newBuilder().setOrgId(orgId)
        .setStatus(CreditRequest.Status.APPROVED).build()).getRequests(0);
    assertEquals(CreditRequest.Status.APPROVED, seen.getStatus());
    assertEquals("enjoy", seen.getNote());
    assertTrue(seen.hasDecidedAt());
    Eventually.await("the operators see it approved", Duration.ofSeconds(30),
        () -> listedAs(orgId, request.getNumber(), CreditRequest.Status.APPROVED));

    assertEquals(CreditRequest.Status.DENIED,
        accounts().decideCreditRequest(decision(orgId, denied, Decision.DENY)).getRequest().getStatus());
    assertEquals(before + ASKED, available(orgId), "a denial grants nothing");
    assertEquals(List.of(CreditRequest.Status.DENIED),
        org.listCreditRequests(ListCreditRequestsRequest.newBuilder().setOrgId(orgId).setStatus(CreditRequest.Status.DENIED).build())
            .getRequestsList().stream().map(CreditRequest::getStatus).toList());
  }

  @Test
  void aRequestBeforeTheThresholdIsRefusedWithTheUsageItWasMeasuredBy() {
    String orgId = orgThatUsed(50);
    ErrorDetails below = ErrorDetails.expect(Code.FAILED_PRECONDITION, "CREDIT_REQUEST_BELOW_THRESHOLD",
        () -> accountsAs("metering", orgId).fileCreditRequest(filing(orgId, "early")));
    assertEquals(Long.toString(50_000_000L), below.info().getMetadataOrThrow("charged"));
    assertEquals(Long.toString(GRANTED), below.info().getMetadataOrThrow("base"));
    assertEquals("80", below.info().getMetadataOrThrow("percent"));
    assertEquals(0, accounts().listCreditRequests(ListCreditRequestsRequest.newBuilder().setOrgId(orgId).build()).getRequestsCount());
  }

  @Test
  void anOrgMayHaveThreeRequestsOpen() {
    String orgId = orgThatUsed(90);
    for (int i = 0; i < 3; i++) accounts().fileCreditRequest(filing(orgId, "ask-" + i));
    ErrorDetails limit = ErrorDetails.expect(Code.FAILED_PRECONDITION, "CREDIT_REQUESTS_OPEN_LIMIT",
        () -> accounts().fileCreditRequest(filing(orgId, "ask-3")));
    assertEquals("3", limit.info().getMetadataOrThrow("bound"));
    ErrorDetails.expect(Code.NOT_FOUND, "CREDIT_REQUEST_NOT_FOUND",
        () -> accounts().decideCreditRequest(decision(orgId, 99, Decision.APPROVE)));
    ErrorDetails.expect(Code.ALREADY_EXISTS, "IDEMPOTENCY_MISMATCH",
        () -> accounts().fileCreditRequest(filing(orgId, "ask-0").toBuilder().setAmount(1).build()));
  }

  @Test
  void anOrgsKeysReachOnlyItsOwnRequestsAndCannotDecide() {
    String orgId = orgThatUsed(90);
    String otherOrg = orgThatUsed(90);
    long number = accounts().fileCreditRequest(filing(otherOrg, "theirs")).getRequest().getNumber();
    AccountsGrpc.AccountsBlockingStub metering = accountsAs("metering", orgId);
    AccountsGrpc.AccountsBlockingStub reader = accountsAs("reader", orgId);

    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> metering.listCreditRequests(ListCreditRequestsRequest.newBuilder().setOrgId(otherOrg).build()));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> metering.listCreditRequests(ListCreditRequestsRequest.getDefaultInstance()));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> metering.fileCreditRequest(filing(otherOrg, "for-them")));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> metering.decideCreditRequest(decision(otherOrg, number, Decision.APPROVE)));
    long own = metering.fileCreditRequest(filing(orgId, "mine")).getRequest().getNumber();
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> metering.decideCreditRequest(decision(orgId, own, Decision.APPROVE)));
    ErrorDetails.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> reader.fileCreditRequest(filing(orgId, "reader")));
    assertEquals(1, reader.listCreditRequests(ListCreditRequestsRequest.newBuilder().setOrgId(orgId).build()).getRequestsCount());
    assertEquals(CreditRequest.Status.OPEN,
        accounts().listCreditRequests(ListCreditRequestsRequest.newBuilder().setOrgId(otherOrg).build()).getRequests(0).getStatus());
  }

  @Test
  void theOperatorsListingPagesThroughOpenRequestsBeforeDecidedOnes() throws InterruptedException {
    String orgId = orgThatUsed(95);
    long decided = accounts().fileCreditRequest(filing(orgId, "first")).getRequest().getNumber();
    accounts().decideCreditRequest(decision(orgId, decided, Decision.DENY));
    long open = accounts().fileCreditRequest(filing(orgId, "second")).getRequest().getNumber();
    Eventually.await("both are listed", Duration.ofSeconds(30),
        () -> listedAs(orgId, open, CreditRequest.Status.OPEN) && listedAs(orgId, decided, CreditRequest.Status.DENIED));

    List<CreditRequest> everything = operatorsListing(CreditRequest.Status.STATUS_UNSPECIFIED, 1);
    List<CreditRequest.Status> order = everything.stream().map(CreditRequest::getStatus).toList();
    assertEquals(order.stream().sorted().toList(), order, "open first, then granting, approved and denied");
    List<Long> ours = everything.stream().filter(r -> r.getOrgId().equals(orgId)).map(CreditRequest::getNumber).toList();
    assertEquals(List.of(open, decided), ours, "each once, the open one first");
    assertTrue(operatorsListing(CreditRequest.Status.OPEN, 2).stream().noneMatch(r -> r.getStatus() != CreditRequest.Status.OPEN));
  }

  @Test
  void badRequestsNameEachWrongField() {
    String orgId = orgThatUsed(90);
    assertEquals(List.of("amount", "reason"), violatedFields(() -> accounts().fileCreditRequest(
        filing(orgId, "bad").toBuilder().setAmount(0).setReason("").build())));
    assertEquals(List.of("reason"), violatedFields(() -> accounts().fileCreditRequest(
        filing(orgId, "bad").toBuilder().setReason("more\u0007please").build())));
    assertEquals(List.of("request_id"), violatedFields(() -> accounts().fileCreditRequest(
        filing(orgId, "").toBuilder().build())));
    assertEquals(List.of("number", "decision"), violatedFields(() -> accounts().decideCreditRequest(
        DecideCreditRequestRequest.newBuilder().setOrgId(orgId).build())));
    assertEquals(List.of("note"), violatedFields(() -> accounts().decideCreditRequest(
        decision(orgId, 1, Decision.DENY).toBuilder().setNote("a\u202eb").build())));
    assertEquals(List.of("page_size"), violatedFields(() -> accounts().listCreditRequests(
        ListCreditRequestsRequest.newBuilder().setPageSize(101).build())));
    assertEquals(List.of("page_token"), violatedFields(() -> accounts().listCreditRequests(
        ListCreditRequestsRequest.newBuilder().setPageToken("not a token").build())));
    assertEquals(List.of("page_token"), violatedFields(() -> accounts().listCreditRequests(
        ListCreditRequestsRequest.newBuilder().setOrgId(orgId).setPageToken("-3").build())));
    assertEquals(List.of("status"), violatedFields(() -> accounts().listCreditRequests(
        ListCreditRequestsRequest.newBuilder().setStatusValue(17).build())));
  }

  private static List<String> violatedFields(org.junit.jupiter.api.function.Executable call) {
    ErrorDetails invalid = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", call);
    return invalid.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).distinct().toList();
  }
}
