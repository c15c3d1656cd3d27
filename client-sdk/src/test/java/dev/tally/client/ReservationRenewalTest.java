package dev.tally.client;

import dev.tally.testkit.Eventually;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a streaming call's hold is renewed, against a node that answers when the test lets it. */
class ReservationRenewalTest {

  static final com.google.protobuf.Duration MINUTE = com.google.protobuf.Duration.newBuilder().setSeconds(60).build();

  @Test
  void theNextRenewalIsHalfALifetimeAfterTheExtensionWasSentHoweverLateItsAnswerArrives() throws Exception {
    AtomicLong nanos = new AtomicLong();
    CountDownLatch answerTheFirstExtension = new CountDownLatch(1);
    try (FakeNode node = FakeNode.start(request -> {
          if (request instanceof ReserveRequest) return ReserveResponse.newBuilder().setReservationId("rsv-1").setHeld(5).build();
          awaitQuietly(answerTheFirstExtension); // the node sets the new expiry now, answers later
          return ExtendReservationResponse.newBuilder().setHeld(5).build();
        });
        TallyClient tally = TallyClient.builder().nodes(node.address()).ticker(nanos::get).build()) {
      Reservation reservation = tally.reserve(ReserveRequest.newBuilder().setOrgId("acme").setAmount(5).setTtl(MINUTE).build());

      nanos.set(Duration.ofSeconds(31).toNanos()); // past half the lifetime: the report extends
      reservation.usedSoFar(Usage.microCredits(1));
      Eventually.await("the first extension reached the node", Duration.ofSeconds(10), () -> extensions(node) == 1);
      nanos.set(Duration.ofSeconds(62).toNanos()); // past half the lifetime after the first extension was sent
      answerTheFirstExtension.countDown();

      // Its answer arrives after the move; the hold (60 s from second 31) needs renewing from second 61, not 92.
      Eventually.await("a second extension", Duration.ofSeconds(10), () -> {
        reservation.usedSoFar(Usage.microCredits(2));
        return extensions(node) == 2;
      });
    }
  }

  private static long extensions(FakeNode node) {
    return node.received().stream().filter(call -> call.request() instanceof ExtendReservationRequest).count();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
