package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.RetryInfo;
import dev.tally.node.code.RedemptionCode;
import dev.tally.node.code.WrongCodeThrottle;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Redemption codes over gRPC on a real node and Cassandra: a code is redeemed once, however many orgs race for it. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedemptionCodesOverGrpcTest {

  static final long CREDITS = 5_000_000_000L;

  NodeProcess node;
  ManagedChannel channel;

  @BeforeAll
  void takeTheNode() {
    node = TestNode.node();
    channel = node.channel();
  }


  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  String newOrg() {
    String orgId = "redeemer-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).setPlan("payg").build());
    return orgId;
  }

  CreateRedemptionCodesResponse generate(String requestId, int count) {
    return accounts().createRedemptionCodes(CreateRedemptionCodesRequest.newBuilder()
        .setRequestId(requestId).setCount(count).setCredits(CREDITS).setLabel("launch week").build());
  }

  RedeemCodeResponse redeem(String orgId, String code) {
    return accounts().redeemCode(RedeemCodeRequest.newBuilder()
        .setOrgId(orgId).setCode(code).setRequestId(UUID.randomUUID().toString()).build());
  }

  long available(String orgId) {
    return MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
        .getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }

  List<LedgerEntry> redemptionGrantsIn(String orgId) {
    return accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList().stream()
        .filter(entry -> entry.getType().equals("CREDITS_GRANTED") && entry.getGrantId().startsWith("code:"))
        .toList();
  }

  @Test
  void fiftyOrgsRacingToRedeemOneCodeLeaveExactlyOneGrantInAllLedgers() throws Exception {
    int racers = 50;
    List<String> orgs = IntStream.range(0, racers).mapToObj(i -> newOrg()).toList();
    String code = generate("batch-" + UUID.randomUUID(), 1).getCodes(0);
    ExecutorService clients = Executors.newFixedThreadPool(racers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<CompletableFuture<Object>> answers = orgs.stream()
          .map(orgId -> CompletableFuture.supplyAsync(() -> {
            try {
              start.await();
              return (Object) redeem(orgId, code);
            } catch (StatusRuntimeException refused) {
              return ErrorDetails.of(refused).info().getReason();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }, clients))
          .toList();
      start.countDown();
      List<Object> outcomes = answers.stream().map(CompletableFuture::join).toList();

      List<RedeemCodeResponse> won = outcomes.stream()
          .filter(RedeemCodeResponse.class::isInstance).map(RedeemCodeResponse.class::cast).toList();
      long usedUp = outcomes.stream().filter("REDEMPTION_CODE_USED_UP"::equals).count();
      long grants = orgs.stream().mapToLong(orgId -> redemptionGrantsIn(orgId).size()).sum();
      long balances = orgs.stream().mapToLong(this::available).sum();
      System.out.printf("redemption race: %d attempts, %d redeemed, %d used up, %d grants in all ledgers, %d µcr in all balances%n",
          racers, won.size(), usedUp, grants, balances);

      assertEquals(1, won.size(), outcomes.toString());
      assertEquals(racers - 1, usedUp, outcomes.toString());
      assertEquals(1, grants);
      assertEquals(CREDITS, balances);
      assertEquals(CREDITS, available(won.get(0).getOrgId()));
      assertFalse(won.get(0).getReplayed());
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void theWinnerRedeemingAgainIsAnsweredItsRedemptionAndGrantedNothingMore() {
    String orgId = newOrg();
    String code = generate("batch-" + UUID.randomUUID(), 1).getCodes(0);

    RedeemCodeResponse first = redeem(orgId, code);
    RedeemCodeResponse again = redeem(orgId, code);

    assertFalse(first.getReplayed());
    assertTrue(again.getReplayed());
    assertEquals(first.getGrantId(), again.getGrantId());
    assertEquals(1, redemptionGrantsIn(orgId).size());
    assertEquals(CREDITS, available(orgId));
    assertEquals(RedemptionCode.FORMAT.hint(code), first.getHint());
  }

  @Test
  void aRetriedBatchRequestMakesNoSecondBatchAndShowsNoCodes() {
    String requestId = "batch-" + UUID.randomUUID();
    CreateRedemptionCodesResponse made = generate(requestId, 3);
    CreateRedemptionCodesResponse retried = generate(requestId, 3);

    assertEquals(3, made.getCodesCount());
    assertFalse(made.getReplayed());
    made.getCodesList().forEach(code -> assertTrue(RedemptionCode.FORMAT.wellFormed(code), code));
    assertTrue(retried.getReplayed());
    assertEquals(0, retried.getCodesCount());
    assertEquals(made.getHintsList(), retried.getHintsList());
  }

  @Test
  void aWrongCodeIsNotFoundAndAnOrgGuessingPastItsAllowanceIsRateLimitedEvenWithARealCode() {
    String guesser = newOrg();
    String realCode = generate("batch-" + UUID.randomUUID(), 1).getCodes(0);
    for (int i = 0; i < WrongCodeThrottle.WRONG_CODES_PER_MINUTE; i++) {
      String guess = RedemptionCode.FORMAT.generate();
      ErrorDetails.expect(Code.NOT_FOUND, "REDEMPTION_CODE_NOT_FOUND", () -> redeem(guesser, guess));
    }

    ErrorDetails limited = ErrorDetails.expect(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED", () -> redeem(guesser, realCode));
    assertTrue(limited.detail(RetryInfo.class).isPresent(), limited.status().toString());
    assertEquals(0, available(guesser));
    String honest = newOrg();
    assertFalse(redeem(honest, realCode).getReplayed(), "the code was left for an org that did not guess");
  }

  @Test
  void aMistypedCodeIsNotFound() {
    String orgId = newOrg();
    String code = generate("batch-" + UUID.randomUUID(), 1).getCodes(0);
    String typo = code.substring(0, code.length() - 1) + (code.endsWith("a") ? "b" : "a");

    ErrorDetails.expect(Code.NOT_FOUND, "REDEMPTION_CODE_NOT_FOUND", () -> redeem(orgId, typo));
    assertEquals(0, available(orgId));
  }

  /** The fields a call was refused for: INVALID_ARGUMENT with a BadRequest. */
  static List<String> refusedFields(org.junit.jupiter.api.function.Executable call) {
    return ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", call).detail(com.google.rpc.BadRequest.class)
        .orElseThrow().getFieldViolationsList().stream().map(com.google.rpc.BadRequest.FieldViolation::getField).toList();
  }

  @Test
  void aBatchIdThatCannotNameAnEntityIsRefusedWithItsFieldNotLeftToTimeOut() {
    // '|' is Pekko's separator in persistence ids: a batch named with it could never start, and each
    // call asking for it waited out its timeout (found by EveryRpcFuzzTest)
    for (String id : List.of("a|b", "batch one", "ü")) {
      assertEquals(List.of("request_id"), refusedFields(() -> generate(id, 1)), id);
      assertEquals(List.of("batch_id"), refusedFields(() -> accounts().listRedemptionCodes(
          dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setBatchId(id).build())), id);
      assertEquals(List.of("batch_id"), refusedFields(() -> accounts().voidRedemptionBatch(
          dev.tally.v1.VoidRedemptionBatchRequest.newBuilder().setBatchId(id).build())), id);
    }
  }

  @Test
  void theLargestBatchIsMadeInOneCallAndListedAndVoidedAPageACall() {
    String batch = "largest-" + UUID.randomUUID();
    CreateRedemptionCodesResponse made = generate(batch, dev.tally.node.code.CodeBatch.MAX_CODES);
    assertEquals(dev.tally.node.code.CodeBatch.MAX_CODES, made.getCodesCount());
    assertEquals(dev.tally.node.code.CodeBatch.MAX_CODES, made.getCodesList().stream().distinct().count());

    List<dev.tally.v1.RedemptionCodeInfo> listed =
        listAll(dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setBatchId(batch), 100);
    assertEquals(made.getHintsList(), listed.stream().map(dev.tally.v1.RedemptionCodeInfo::getHint).toList());

    int voided = 0;
    String token = "";
    do {
      var page = accounts().voidRedemptionBatch(dev.tally.v1.VoidRedemptionBatchRequest.newBuilder()
          .setBatchId(batch).setPageToken(token).build());
      voided += page.getVoided();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertEquals(dev.tally.node.code.CodeBatch.MAX_CODES, voided);
    String orgId = newOrg();
    ErrorDetails.expect(Code.FAILED_PRECONDITION, "REDEMPTION_CODE_VOIDED", () -> redeem(orgId, made.getCodes(999)));
  }

  // ---- listing and voiding

  CreateRedemptionCodesResponse generate(String requestId, int count, String label) {
    return accounts().createRedemptionCodes(CreateRedemptionCodesRequest.newBuilder()
        .setRequestId(requestId).setCount(count).setCredits(CREDITS).setLabel(label).build());
  }

  /** Every page of a listing, {@code pageSize} codes a call. */
  List<dev.tally.v1.RedemptionCodeInfo> listAll(dev.tally.v1.ListRedemptionCodesRequest.Builder request, int pageSize) {
    List<dev.tally.v1.RedemptionCodeInfo> codes = new java.util.ArrayList<>();
    String token = "";
    do {
      dev.tally.v1.ListRedemptionCodesResponse page =
          accounts().listRedemptionCodes(request.setPageSize(pageSize).setPageToken(token).build());
      assertTrue(page.getCodesCount() <= pageSize);
      codes.addAll(page.getCodesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return codes;
  }

  static String sha256(String code) throws Exception {
    return java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(code.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void aBatchListsPageByPageWithIdsHintsAndRedemptionsButNeverTheCodes() throws Exception {
    String batch = "list-" + UUID.randomUUID();
    CreateRedemptionCodesResponse made = generate(batch, 5, "listing " + batch);
    redeem(newOrg(), made.getCodes(1));

    List<dev.tally.v1.RedemptionCodeInfo> listed =
        listAll(dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setBatchId(batch), 2);

    assertEquals(made.getHintsList(), listed.stream().map(dev.tally.v1.RedemptionCodeInfo::getHint).toList());
    for (int i = 0; i < 5; i++) {
      assertEquals(sha256(made.getCodes(i)), listed.get(i).getCodeId());
      assertEquals(batch, listed.get(i).getBatchId());
      assertEquals(CREDITS, listed.get(i).getCredits());
      String text = listed.get(i).toString();
      made.getCodesList().forEach(code -> assertFalse(text.contains(code.substring(3)), "never a code: " + text));
    }
    assertEquals(List.of(0, 1, 0, 0, 0), listed.stream().map(dev.tally.v1.RedemptionCodeInfo::getRedemptions).toList());
  }

  @Test
  void aLabelListsTheCodesOfEachOfItsBatchesOldestBatchFirst() {
    String label = "label-" + UUID.randomUUID();
    CreateRedemptionCodesResponse first = generate("first-" + UUID.randomUUID(), 3, label);
    CreateRedemptionCodesResponse second = generate("second-" + UUID.randomUUID(), 2, label);

    List<dev.tally.v1.RedemptionCodeInfo> listed =
        listAll(dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setLabel(label), 2);

    List<String> hints = new java.util.ArrayList<>(first.getHintsList());
    hints.addAll(second.getHintsList());
    assertEquals(hints, listed.stream().map(dev.tally.v1.RedemptionCodeInfo::getHint).toList());
    assertEquals(List.of(), listAll(dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setLabel("none-" + label), 100));
  }

  @Test
  void aVoidedCodeIsNeverRedeemedAndABatchIsVoidedAPageACall() throws Exception {
    String batch = "void-" + UUID.randomUUID();
    CreateRedemptionCodesResponse made = generate(batch, 5, "voiding");
    String org = newOrg();

    dev.tally.v1.VoidRedemptionCodeResponse one = accounts().voidRedemptionCode(
        dev.tally.v1.VoidRedemptionCodeRequest.newBuilder().setCodeId(sha256(made.getCodes(0))).build());
    assertTrue(one.hasVoidedAt());
    ErrorDetails.expect(Code.FAILED_PRECONDITION, "REDEMPTION_CODE_VOIDED", () -> redeem(org, made.getCodes(0)));

    List<dev.tally.v1.VoidRedemptionBatchResponse> pages = new java.util.ArrayList<>();
    String token = "";
    do {
      dev.tally.v1.VoidRedemptionBatchResponse page = accounts().voidRedemptionBatch(dev.tally.v1.VoidRedemptionBatchRequest
          .newBuilder().setBatchId(batch).setPageSize(2).setPageToken(token).build());
      pages.add(page);
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertEquals(List.of(2, 2, 1), pages.stream().map(dev.tally.v1.VoidRedemptionBatchResponse::getVoided).toList());
    assertEquals(5, pages.get(0).getBatchCodes());
    for (String code : made.getCodesList()) {
      ErrorDetails.expect(Code.FAILED_PRECONDITION, "REDEMPTION_CODE_VOIDED", () -> redeem(org, code));
    }
    assertTrue(listAll(dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setBatchId(batch), 100).stream()
        .allMatch(dev.tally.v1.RedemptionCodeInfo::hasVoidedAt));
    assertEquals(0, available(org));
    ErrorDetails.expect(Code.NOT_FOUND, "REDEMPTION_BATCH_NOT_FOUND", () -> accounts().voidRedemptionBatch(
        dev.tally.v1.VoidRedemptionBatchRequest.newBuilder().setBatchId("no-such-" + batch).build()));
    ErrorDetails.expect(Code.NOT_FOUND, "REDEMPTION_BATCH_NOT_FOUND", () -> accounts().listRedemptionCodes(
        dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setBatchId("no-such-" + batch).build()));
    ErrorDetails.expect(Code.NOT_FOUND, "REDEMPTION_CODE_NOT_FOUND", () -> accounts().voidRedemptionCode(
        dev.tally.v1.VoidRedemptionCodeRequest.newBuilder().setCodeId("0".repeat(64)).build()));
  }
}
