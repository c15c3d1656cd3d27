package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetReferralRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListPlansRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.PurchasePackageResponse;
import dev.tally.v1.Referral;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.TransferRewardsResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Referral rewards over gRPC on a real node and Cassandra (issue 17 item 4): a referred org's purchase
 * earns its referrer one reward however often it is notified; the reward is spendable only once
 * transferred, once; sign-ups earn nothing; an org cannot refer itself.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferralsOverGrpcTest {

  /** The standard package (1,000 credits) earns a payg referrer 10 % (tally.conf). */
  static final long PURCHASE = 1000 * MICROS_PER_CREDIT;
  static final long REWARD = 100 * MICROS_PER_CREDIT;

  NodeProcess node;
  ManagedChannel channel;

  @BeforeAll
  void startNode() throws Exception {
    node = NodeProcess.start(TestCassandra.server());
    channel = node.channel();
  }

  @AfterAll
  void stopNode() throws Exception {
    node.close();
  }

  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  String newOrg(String referralCode) {
    String orgId = "org-" + UUID.randomUUID();
    accounts().createOrg(createOrg(orgId, referralCode));
    return orgId;
  }

  static CreateOrgRequest createOrg(String orgId, String referralCode) {
    return CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create-" + orgId).setPlan("payg")
        .setReferralCode(referralCode).build();
  }

  Referral referral(String orgId) {
    return accounts().getReferral(GetReferralRequest.newBuilder().setOrgId(orgId).build());
  }

  PurchasePackageResponse buy(String orgId, String reference) {
    return accounts().purchasePackage(PurchasePackageRequest.newBuilder()
        .setOrgId(orgId).setPackageName("standard").setPaymentReference(reference).build());
  }

  TransferRewardsResponse transfer(String orgId, String requestId) {
    return accounts().transferRewards(TransferRewardsRequest.newBuilder().setOrgId(orgId).setRequestId(requestId).build());
  }

  long available(String orgId) {
    return MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
        .getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }

  @Test
  void aReferredOrgsPurchaseNotifiedThreeTimesAtOnceEarnsItsReferrerOneRewardNotSpendableUntilTransferredOnce() {
    String referrer = newOrg("");
    String code = referral(referrer).getReferralCode();
    String buyer = newOrg(code);
    String reference = "pay-" + UUID.randomUUID();
    ExecutorService notifier = Executors.newFixedThreadPool(3);
    try {
      List<PurchasePackageResponse> answers = IntStream.range(0, 3)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> buy(buyer, reference), notifier))
          .toList().stream().map(CompletableFuture::join).toList();
      assertEquals(1, answers.stream().filter(answer -> !answer.getReplayed()).count());
    } finally {
      notifier.shutdownNow();
    }

    Referral earned = referral(referrer);
    assertEquals(REWARD, earned.getRewardBalance());
    assertEquals(REWARD, earned.getRewardsEarned());
    assertEquals(1, earned.getRewardingOrgs());
    assertEquals(0, available(referrer), "a reward is not spendable");
    assertEquals(PURCHASE, available(buyer));
    assertTrue(referral(buyer).getReferred());
    assertEquals(0, referral(buyer).getRewardBalance(), "the buyer earns nothing from its own purchase");

    TransferRewardsResponse moved = transfer(referrer, "transfer-1");
    assertEquals(GrantKind.REFERRAL, moved.getGrant().getKind());
    assertEquals(REWARD, moved.getGrant().getAmount());
    assertEquals(REWARD, moved.getBalance().getAvailable());
    assertEquals(moved.getGrant(), transfer(referrer, "transfer-1").getGrant(), "a retry answers the same grant");
    ErrorDetails.expect(Code.FAILED_PRECONDITION, "NO_REWARDS_TO_TRANSFER", () -> transfer(referrer, "transfer-2"));
    assertEquals(REWARD, available(referrer));
    Referral after = referral(referrer);
    assertEquals(0, after.getRewardBalance());
    assertEquals(REWARD, after.getRewardsTransferred());
    assertEquals(code, after.getReferralCode(), "the code never changes");
  }

  @Test
  void theReferrersLedgerShowsTheRewardButNeitherTheBuyerNorItsPaymentReference() {
    String referrer = newOrg("");
    String buyer = newOrg(referral(referrer).getReferralCode());
    String reference = "pay-" + UUID.randomUUID();
    buy(buyer, reference);

    List<LedgerEntry> rewards = accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(referrer).setPageSize(1000).build())
        .getEntriesList().stream().filter(entry -> entry.getType().equals("REWARD_EARNED")).toList();
    assertEquals(1, rewards.size());
    assertEquals(REWARD, rewards.get(0).getAmount());
    assertFalse(rewards.get(0).toString().contains(reference), rewards.get(0).toString());
    assertFalse(rewards.get(0).toString().contains(buyer), rewards.get(0).toString());
  }

  @Test
  void signingUpEarnsTheReferrerNothing() {
    String referrer = newOrg("");
    String code = referral(referrer).getReferralCode();
    for (int i = 0; i < 3; i++) newOrg(code);

    Referral after = referral(referrer);
    assertEquals(0, after.getRewardBalance());
    assertEquals(0, after.getRewardsEarned());
    assertEquals(0, after.getRewardingOrgs());
    ErrorDetails.expect(Code.FAILED_PRECONDITION, "NO_REWARDS_TO_TRANSFER", () -> transfer(referrer, "transfer-1"));
  }

  @Test
  void anOrgCannotBeReferredByItselfNorByACodeNobodyHas() {
    String org = newOrg("");
    String ownCode = referral(org).getReferralCode();
    ErrorDetails.expect(Code.FAILED_PRECONDITION, "SELF_REFERRAL", () -> accounts().createOrg(createOrg(org, ownCode)));

    String newcomer = "org-" + UUID.randomUUID();
    ErrorDetails.expect(Code.NOT_FOUND, "REFERRAL_CODE_NOT_FOUND",
        () -> accounts().createOrg(createOrg(newcomer, "tr_" + "x".repeat(29))));
    ErrorDetails.expect(Code.NOT_FOUND, "REFERRAL_CODE_NOT_FOUND",
        () -> accounts().createOrg(createOrg(newcomer, dev.tally.node.referral.ReferralCode.FORMAT.generate())));
    BadRequest tooLong = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().createOrg(createOrg(newcomer, "tr_" + "x".repeat(200)))).detail(BadRequest.class).orElseThrow();
    assertEquals("referral_code", tooLong.getFieldViolations(0).getField());
    ErrorDetails.expect(Code.NOT_FOUND, "ORG_NOT_FOUND",
        () -> accounts().getOrg(dev.tally.v1.GetOrgRequest.newBuilder().setOrgId(newcomer).build()));
  }

  @Test
  void theReferrerIsRecordedAtCreationAndNeverChanged() {
    String referrer = newOrg("");
    String code = referral(referrer).getReferralCode();
    String other = newOrg("");
    String referred = newOrg(code);

    accounts().createOrg(createOrg(referred, code)); // a retry
    ErrorDetails.expect(Code.ALREADY_EXISTS, "ORG_EXISTS",
        () -> accounts().createOrg(createOrg(referred, referral(other).getReferralCode())));
    ErrorDetails.expect(Code.ALREADY_EXISTS, "ORG_EXISTS", () -> accounts().createOrg(createOrg(referred, "")));
    ErrorDetails.expect(Code.ALREADY_EXISTS, "ORG_EXISTS", () -> accounts().createOrg(createOrg(other, code)));
    assertFalse(referral(other).getReferred());
  }

  @Test
  void plansListTheirReferralTerms() {
    var payg = accounts().listPlans(ListPlansRequest.getDefaultInstance()).getPlansList().stream()
        .filter(plan -> plan.getName().equals("payg")).findFirst().orElseThrow();
    assertEquals(10, payg.getReferral().getPercent());
    assertEquals(1000 * MICROS_PER_CREDIT, payg.getReferral().getCapPerReferredOrg());
    assertEquals(10000 * MICROS_PER_CREDIT, payg.getReferral().getCapPerPeriod());
  }
}
