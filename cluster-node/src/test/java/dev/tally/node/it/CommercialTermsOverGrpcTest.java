package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.rpc.QuotaFailure;
import com.google.rpc.RetryInfo;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListPlansRequest;
import dev.tally.v1.ListPriceBooksRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.Plan;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.SetPlanRequest;
import dev.tally.v1.TokenEstimate;
import dev.tally.v1.TokenUsage;
import dev.tally.v1.Usage;
import dev.tally.v1.UsageEstimate;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Plans, prices and rate limits as a client sees them, on a real node with the shipped catalog and price book. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommercialTermsOverGrpcTest {

  NodeProcess node;
  MeteringGrpc.MeteringBlockingStub metering;
  AccountsGrpc.AccountsBlockingStub accounts;

  @BeforeAll
  void takeTheNode() {
    node = TestNode.node();
    ManagedChannel channel = node.channel();
    metering = MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
    accounts = AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }


  static String id() {
    return UUID.randomUUID().toString();
  }

  String orgOn(String plan, long purchased) {
    String orgId = "org-" + UUID.randomUUID();
    accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan(plan).build());
    if (purchased > 0) {
      accounts.grantCredits(GrantCreditsRequest.newBuilder()
          .setOrgId(orgId).setRequestId(id()).setKind(GrantKind.PURCHASE).setAmount(purchased).build());
    }
    return orgId;
  }

  @Test
  void anEstimateIsHeldAndTheActualUsageIsChargedAtItsExactPrice() {
    String orgId = orgOn("payg", 10 * MICROS_PER_CREDIT);
    String reservationId = metering.reserve(ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id())
            .setEstimate(UsageEstimate.newBuilder().setTokens(
                TokenEstimate.newBuilder().setModel("gpt-4o").setInputTokens(1000).setMaxOutputTokens(2000)))
            .build())
        .getReservationId();
    assertEquals(22_500, metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getHeld(),
        "1000 × 2.5 + 2000 × 10 µcr");

    Usage used = Usage.newBuilder().setTokens(TokenUsage.newBuilder()
        .setModel("gpt-4o").setInputTokens(1234).setOutputTokens(567).setCacheReadTokens(100).setCacheWriteTokens(10)).build();
    CommitResponse commit = metering.commit(CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setUsage(used).build());
    // 1234 × 2.5 + 567 × 10 + 100 × 1.25 + 10 × 2.5 = 8905 µcr
    assertEquals(8905, commit.getCharged());
    assertEquals("2026-11-01", commit.getCost().getPriceBookVersion());
    LedgerEntry committed = accounts.listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).build()).getEntriesList()
        .stream().filter(e -> e.getType().equals("RESERVATION_COMMITTED")).findFirst().orElseThrow();
    assertEquals(used, committed.getUsage());
    assertEquals(8905, committed.getCost().getAmount());
  }

  @Test
  void aFixedPriceCallIsChargedByCallType() {
    String orgId = orgOn("payg", 300 * MICROS_PER_CREDIT);
    ChargeResponse charge = metering.charge(ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id())
        .setUsage(Usage.newBuilder().setCallType("model_generation")).build());
    assertEquals(200 * MICROS_PER_CREDIT, charge.getCharged());
    assertEquals(100 * MICROS_PER_CREDIT, charge.getBalance().getAvailable());
  }

  @Test
  void anUnknownModelOrCallTypeIsAnInvalidArgument() {
    String orgId = orgOn("payg", 10 * MICROS_PER_CREDIT);
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> metering.reserve(ReserveRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id())
        .setEstimate(UsageEstimate.newBuilder().setTokens(TokenEstimate.newBuilder().setModel("gpt-99").setInputTokens(1)))
        .build()));
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> metering.charge(ChargeRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setUsage(Usage.newBuilder().setCallType("teleport")).build()));
  }

  @Test
  void aRateLimitedReserveCarriesRetryInfoAndQuotaFailure() {
    String orgId = orgOn("test", 0);
    for (int i = 0; i < 10; i++) {
      metering.reserve(ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT)
          .setTtl(Durations.fromSeconds(30)).build());
    }
    ErrorDetails details = ErrorDetails.expect(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED", () -> metering.reserve(
        ReserveRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build()));
    long retryMillis = Durations.toMillis(details.detail(RetryInfo.class).orElseThrow().getRetryDelay());
    assertTrue(retryMillis > 0 && retryMillis <= 30_000, () -> "until the first hold expires, got " + retryMillis);
    assertEquals("concurrent_reservations",
        details.detail(QuotaFailure.class).orElseThrow().getViolations(0).getSubject());
  }

  @Test
  void theCatalogThePriceBookAndAnOrgsTermsAreReadable() {
    List<String> plans = accounts.listPlans(ListPlansRequest.getDefaultInstance()).getPlansList().stream()
        .map(Plan::getName).toList();
    assertTrue(plans.containsAll(List.of("test", "flex", "enterprise")), () -> "plans: " + plans);
    assertEquals(10 * MICROS_PER_CREDIT, accounts.listPriceBooks(ListPriceBooksRequest.getDefaultInstance())
        .getPriceBooks(0).getCallTypesOrThrow("embedding"));

    String orgId = orgOn("test", 0);
    GetBalanceResponse onTest = metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build());
    assertEquals("test", onTest.getPlan());
    assertEquals(100 * MICROS_PER_CREDIT, onTest.getBalance().getAvailable(), "the test plan's trial credits");

    accounts.setPlan(SetPlanRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan("enterprise").build());
    accounts.setOverrides(SetOverridesRequest.newBuilder().setOrgId(orgId).setRequestId(id())
        .setConcurrentReservations(3).build());
    metering.charge(ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id())
        .setUsage(Usage.newBuilder().setCallType("embedding")).build());
    GetBalanceResponse onEnterprise = metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build());
    assertEquals("enterprise", onEnterprise.getPlan());
    assertEquals(1200, onEnterprise.getPriceMultiplierPermille());
    assertEquals(3, onEnterprise.getLimits().getConcurrentReservations());
    assertEquals(12 * MICROS_PER_CREDIT, onEnterprise.getPeriod().getChargedByCallTypeOrThrow("embedding"));
  }
}
