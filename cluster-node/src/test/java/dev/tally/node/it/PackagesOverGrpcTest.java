package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Durations;
import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreditPackage;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListPackagesRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.PurchasePackageResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
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
import org.junit.jupiter.api.function.Executable;

/** Packages bought over gRPC on a real node and Cassandra: one grant per payment reference, however often it is sent. */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagesOverGrpcTest {

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

  String orgOn(String plan) {
    String orgId = "buyer-" + UUID.randomUUID();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).setPlan(plan).build());
    return orgId;
  }

  static PurchasePackageRequest purchase(String orgId, String packageName, String reference) {
    return PurchasePackageRequest.newBuilder().setOrgId(orgId).setPackageName(packageName).setPaymentReference(reference).build();
  }

  long available(String orgId) {
    return MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
        .getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }

  List<LedgerEntry> grantsIn(String orgId) {
    return accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList().stream().filter(entry -> entry.getType().equals("CREDITS_GRANTED")).toList();
  }

  @Test
  void aPaymentNotificationDeliveredThreeTimesAtOnceGrantsOnce() throws Exception {
    String orgId = orgOn("payg");
    String reference = "pay-" + UUID.randomUUID();
    int deliveries = 3;
    ExecutorService notifier = Executors.newFixedThreadPool(deliveries);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<CompletableFuture<PurchasePackageResponse>> answers = IntStream.range(0, deliveries)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
            try {
              start.await();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            return accounts().purchasePackage(purchase(orgId, "standard", reference));
          }, notifier))
          .toList();
      start.countDown();
      List<PurchasePackageResponse> responses = answers.stream().map(CompletableFuture::join).toList();

      assertEquals(1, responses.stream().filter(response -> !response.getReplayed()).count(), responses.toString());
      responses.forEach(response -> assertEquals("purchase:" + reference, response.getGrantId()));
      List<LedgerEntry> grants = grantsIn(orgId);
      assertEquals(1, grants.size(), grants.toString());
      assertEquals("purchase:" + reference, grants.get(0).getGrantId());
      assertEquals(1000 * MICROS_PER_CREDIT, grants.get(0).getAmount());
      assertEquals(1000 * MICROS_PER_CREDIT, available(orgId));
    } finally {
      notifier.shutdownNow();
    }
  }

  @Test
  void aLaterResendAnswersTheRecordedPurchaseAndAReuseForOtherContentIsRefused() {
    String orgId = orgOn("payg");
    String reference = "pay-" + UUID.randomUUID();
    PurchasePackageResponse first = accounts().purchasePackage(purchase(orgId, "professional", reference));
    PurchasePackageResponse resent = accounts().purchasePackage(purchase(orgId, "professional", reference));

    assertFalse(first.getReplayed());
    assertTrue(resent.getReplayed());
    assertEquals(first.getEffectiveAt(), resent.getEffectiveAt());
    assertEquals(5000 * MICROS_PER_CREDIT, available(orgId));
    ErrorDetails otherPackage = ErrorDetails.expect(Code.ALREADY_EXISTS, "PAYMENT_REFERENCE_REUSED",
        () -> accounts().purchasePackage(purchase(orgId, "standard", reference)));
    assertEquals("professional", otherPackage.info().getMetadataOrThrow("package_name"));
    String otherOrg = orgOn("payg");
    ErrorDetails.expect(Code.ALREADY_EXISTS, "PAYMENT_REFERENCE_REUSED",
        () -> accounts().purchasePackage(purchase(otherOrg, "professional", reference)));
    assertEquals(0, available(otherOrg));
    assertEquals(5000 * MICROS_PER_CREDIT, available(orgId));
    assertEquals(1, grantsIn(orgId).size());
  }

  @Test
  void aPlanThatMayNotBuyThePackageIsRefusedAndTheReferenceStaysUnused() {
    String reference = "pay-" + UUID.randomUUID();
    String paygOrg = orgOn("payg");
    ErrorDetails refused = ErrorDetails.expect(Code.FAILED_PRECONDITION, "PACKAGE_NOT_ELIGIBLE",
        () -> accounts().purchasePackage(purchase(paygOrg, "enterprise", reference).toBuilder().setAmount(MICROS_PER_CREDIT).build()));
    assertEquals("payg", refused.info().getMetadataOrThrow("plan"));
    assertEquals(0, available(paygOrg));

    String enterpriseOrg = orgOn("enterprise");
    long before = available(enterpriseOrg);
    PurchasePackageResponse custom = accounts().purchasePackage(
        purchase(enterpriseOrg, "enterprise", reference).toBuilder().setAmount(250_000 * MICROS_PER_CREDIT).build());
    assertEquals(250_000 * MICROS_PER_CREDIT, custom.getAmount());
    assertEquals(before + 250_000 * MICROS_PER_CREDIT, available(enterpriseOrg));
  }

  @Test
  void fieldsOutOfTheirRangesAndUnknownPackagesAreRefused() {
    String orgId = orgOn("payg");
    PurchasePackageRequest valid = purchase(orgId, "standard", "pay-" + UUID.randomUUID());
    assertEquals(List.of("amount"), violatedFields(() -> accounts().purchasePackage(valid.toBuilder().setAmount(5).build())));
    assertEquals(List.of("payment_reference"), violatedFields(
        () -> accounts().purchasePackage(valid.toBuilder().setPaymentReference("a|b").build())));
    assertEquals(List.of("payment_reference"), violatedFields(
        () -> accounts().purchasePackage(valid.toBuilder().setPaymentReference("x".repeat(101)).build())));
    assertEquals(List.of("amount"), violatedFields(() -> accounts().purchasePackage(
        purchase(orgId, "enterprise", "pay-1").toBuilder().setAmount(100_000_001 * MICROS_PER_CREDIT).build())));
    ErrorDetails.expect(Code.NOT_FOUND, "PACKAGE_NOT_FOUND",
        () -> accounts().purchasePackage(valid.toBuilder().setPackageName("platinum").build()));
    ErrorDetails.expect(Code.NOT_FOUND, "ORG_NOT_FOUND",
        () -> accounts().purchasePackage(valid.toBuilder().setOrgId("no-such-org-" + UUID.randomUUID()).build()));
    assertEquals(0, available(orgId));
  }

  static List<String> violatedFields(Executable call) {
    return ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", call).detail(BadRequest.class).orElseThrow()
        .getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList();
  }

  @Test
  void listPackagesShowsTheShippedCatalog() {
    List<CreditPackage> packages = accounts().listPackages(ListPackagesRequest.getDefaultInstance()).getPackagesList();
    assertEquals(List.of("enterprise", "professional", "standard"), packages.stream().map(CreditPackage::getName).toList());
    CreditPackage standard = packages.get(2);
    assertEquals(1000 * MICROS_PER_CREDIT, standard.getCredits());
    assertEquals(Durations.fromDays(365), standard.getValidity());
    assertEquals(5000 * MICROS_PER_CREDIT, packages.get(1).getCredits());
    assertTrue(packages.get(0).getCustom());
    assertEquals(List.of("enterprise"), packages.get(0).getPlansList());
  }
}
