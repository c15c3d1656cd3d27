package dev.tally.client;

import static dev.tally.v1.Credits.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.ErrorReason;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.ReserveRequest;
import io.grpc.Status;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each server reason becomes its typed exception, raised by a real node. (RATE_LIMITED and
 * BACKPRESSURE, which a node does not raise on demand, are in {@link RetryPolicyTest}.)
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TypedErrorsTest {

  TallyClient tally;
  Orgs orgs;

  @BeforeAll
  void connect() {
    tally = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).defaultDeadline(Duration.ofSeconds(30)).build();
    orgs = new Orgs(tally.accounts());
  }

  @AfterAll
  void disconnect() {
    tally.close();
  }

  @Test
  void reservingMoreThanIsAvailableIsCreditsExhaustedWithTheNumbers() {
    String org = orgs.withCredits(of(10));

    CreditsExhaustedException failure = assertThrows(CreditsExhaustedException.class,
        () -> tally.reserve(org, Estimate.microCredits(of(11))));

    assertEquals(ErrorReason.CREDITS_EXHAUSTED, failure.reason());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure.code());
    assertEquals(of(10), failure.available().orElseThrow());
    assertEquals(of(11), failure.requested().orElseThrow());
    assertTrue(failure.requestId().isPresent());
  }

  @Test
  void aNegativeAmountIsAnInvalidRequestNamingTheField() {
    String org = orgs.withCredits(of(10));

    InvalidRequestException failure = assertThrows(InvalidRequestException.class,
        () -> tally.reserve(org, Estimate.microCredits(-5)));

    assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
    assertTrue(failure.fieldViolations().stream().map(BadRequest.FieldViolation::getField).anyMatch("amount"::equals),
        () -> "violations: " + failure.fieldViolations());
  }

  @Test
  void aPaymentReferenceUsedForAnotherPackageIsPaymentReferenceReusedNamingTheRecordedPurchase() {
    String org = orgs.withCredits(of(10));
    String reference = "pay-" + UUID.randomUUID();
    PurchasePackageRequest standard = PurchasePackageRequest.newBuilder()
        .setOrgId(org).setPackageName("standard").setPaymentReference(reference).build();
    tally.accounts().purchasePackage(standard);
    assertTrue(tally.accounts().purchasePackage(standard).getReplayed());

    PaymentReferenceReusedException failure = assertThrows(PaymentReferenceReusedException.class,
        () -> tally.accounts().purchasePackage(standard.toBuilder().setPackageName("professional").build()));

    assertEquals(Status.Code.ALREADY_EXISTS, failure.code());
    assertEquals("standard", failure.metadata().get("package_name"));
  }

  @Test
  void anUnknownOrgIsOrgNotFound() {
    OrgNotFoundException failure = assertThrows(OrgNotFoundException.class,
        () -> tally.reserve("no-such-org-" + UUID.randomUUID(), Estimate.microCredits(of(1))));

    assertEquals(Status.Code.NOT_FOUND, failure.code());
  }

  @Test
  void anUnknownReservationIsReservationNotFound() {
    String org = orgs.withCredits(of(10));

    ReservationNotFoundException failure = assertThrows(ReservationNotFoundException.class, () -> tally.commit(
        CommitRequest.newBuilder().setOrgId(org).setReservationId("rsv-404").setAmount(1).build()));

    assertEquals(ErrorReason.RESERVATION_NOT_FOUND, failure.reason());
  }

  @Test
  void committingAReleasedReservationIsReservationResolvedSayingHow() {
    String org = orgs.withCredits(of(10));
    Reservation reservation = tally.reserve(org, Estimate.microCredits(of(2)));
    reservation.release();

    ReservationResolvedException failure = assertThrows(ReservationResolvedException.class, () -> tally.commit(
        CommitRequest.newBuilder().setOrgId(org).setReservationId(reservation.reservationId()).setAmount(1).build()));

    assertEquals(ReservationResolvedException.Resolution.RELEASED, failure.resolution());
    assertEquals(Status.Code.FAILED_PRECONDITION, failure.code());
    assertTrue(failure.resolvedAt().isPresent());
  }

  @Test
  void aRequestIdReusedForOtherContentIsAnIdempotencyMismatch() {
    String org = orgs.withCredits(of(10));
    String requestId = UUID.randomUUID().toString();
    tally.reserve(ReserveRequest.newBuilder().setOrgId(org).setRequestId(requestId).setAmount(of(1)).build());

    IdempotencyMismatchException failure = assertThrows(IdempotencyMismatchException.class, () -> tally.reserve(
        ReserveRequest.newBuilder().setOrgId(org).setRequestId(requestId).setAmount(of(2)).build()));

    assertEquals(Status.Code.ALREADY_EXISTS, failure.code());
    assertEquals(requestId, failure.requestId().orElseThrow());
  }

  @Test
  void noNodeListeningIsTallyUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (TallyClient nowhere = TallyClient.builder()
        .nodes("127.0.0.1:" + closedPort)
        .retries(2, Duration.ofMillis(10), Duration.ofMillis(10))
        .build()) {
      TallyUnavailableException failure = assertThrows(TallyUnavailableException.class,
          () -> nowhere.reserve("acme", Estimate.microCredits(of(1))));

      assertEquals(Status.Code.UNAVAILABLE, failure.code());
      assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, failure.reason());
    }
  }

  // ---- redemption codes

  @Test
  void eachWayARedemptionCodeFailsIsItsOwnException() {
    dev.tally.v1.CreateRedemptionCodesResponse made = tally.accounts().createRedemptionCodes(
        dev.tally.v1.CreateRedemptionCodesRequest.newBuilder()
            .setRequestId("sdk-codes-" + UUID.randomUUID()).setCount(2).setCredits(of(1)).build());
    String org = orgs.withCredits(of(1));
    String other = orgs.withCredits(of(1));

    assertThrows(RedemptionCodeNotFoundException.class, () -> redeem(org, "tc_" + "x".repeat(29)));

    redeem(org, made.getCodes(0));
    RedemptionCodeUsedUpException usedUp = assertThrows(RedemptionCodeUsedUpException.class, () -> redeem(other, made.getCodes(0)));
    assertEquals(1, usedUp.maxRedemptions().orElseThrow());

    tally.accounts().voidRedemptionCode(dev.tally.v1.VoidRedemptionCodeRequest.newBuilder().setCode(made.getCodes(1)).build());
    RedemptionCodeVoidedException voided = assertThrows(RedemptionCodeVoidedException.class, () -> redeem(org, made.getCodes(1)));
    assertTrue(voided.voidedAt().isPresent());
    assertEquals(Status.Code.FAILED_PRECONDITION, voided.code());

    assertThrows(RedemptionBatchNotFoundException.class, () -> tally.accounts().listRedemptionCodes(
        dev.tally.v1.ListRedemptionCodesRequest.newBuilder().setBatchId("no-such-batch-" + UUID.randomUUID()).build()));
  }

  /** A code's expiry cannot be waited for here (no sleeps): the reason the node sends for it, read by the SDK. */
  @Test
  void anExpiredRedemptionCodeIsRedemptionCodeExpiredWithItsExpiry() {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value())
        .setMessage("this redemption code expired")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setDomain("tally.dev").setReason("REDEMPTION_CODE_EXPIRED").putMetadata("expires_at", "2027-01-01T00:00:00Z").build()))
        .build();

    TallyException failure = TallyException.from(io.grpc.protobuf.StatusProto.toStatusRuntimeException(status), null);

    RedemptionCodeExpiredException expired = assertInstanceOf(RedemptionCodeExpiredException.class, failure);
    assertEquals(java.time.Instant.parse("2027-01-01T00:00:00Z"), expired.expiresAt().orElseThrow());
  }

  private dev.tally.v1.RedeemCodeResponse redeem(String org, String code) {
    return tally.accounts().redeemCode(dev.tally.v1.RedeemCodeRequest.newBuilder()
        .setOrgId(org).setCode(code).setRequestId(UUID.randomUUID().toString()).build());
  }
}
