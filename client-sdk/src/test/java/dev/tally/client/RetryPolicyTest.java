package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
import com.google.rpc.QuotaFailure;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ErrorReason;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which failures the SDK retries, how, and with which request id — against a scripted node. */
class RetryPolicyTest {

  static final ReserveResponse RESERVED = ReserveResponse.newBuilder().setReservationId("rsv-1").setHeld(5).build();

  static TallyClient clientFor(FakeNode node, int maxAttempts) {
    return TallyClient.builder()
        .nodes(node.address())
        .defaultDeadline(Duration.ofSeconds(20))
        .retries(maxAttempts, Duration.ofMillis(50), Duration.ofMillis(200))
        .build();
  }

  static List<String> requestIds(FakeNode node) {
    return node.received().stream().map(r -> ((ReserveRequest) r.request()).getRequestId()).toList();
  }

  @Test
  void backpressureIsRetriedAfterTheNodesRetryInfoWithTheSameRequestId() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeNode node = FakeNode.start(request -> {
          if (calls.incrementAndGet() == 1) {
            throw FakeNode.error(Code.UNAVAILABLE, "BACKPRESSURE", Map.of(), FakeNode.retryAfterMillis(1_500));
          }
          return RESERVED;
        });
        TallyClient tally = clientFor(node, 5)) {
      Reservation reservation = tally.reserve("acme", Estimate.microCredits(5));

      assertEquals("rsv-1", reservation.reservationId());
      List<FakeNode.Received> received = node.received();
      assertEquals(2, received.size());
      assertEquals(requestIds(node).get(0), requestIds(node).get(1));
      assertEquals(reservation.requestId(), requestIds(node).get(0));
      // The backoff alone waits at most 50 ms before the first retry; RetryInfo asked for 1.5 s.
      long waitedMillis = (received.get(1).atNanos() - received.get(0).atNanos()) / 1_000_000;
      assertTrue(waitedMillis >= 1_400, () -> "retried after " + waitedMillis + " ms");
    }
  }

  @Test
  void unavailableIsRetriedUpToMaxAttemptsThenRaisedWithTheRequestIdToRetryLater() throws Exception {
    try (FakeNode node = FakeNode.start(request -> {
          throw FakeNode.error(Code.UNAVAILABLE, "TIMEOUT", Map.of(), FakeNode.retryAfterMillis(10));
        });
        TallyClient tally = clientFor(node, 3)) {
      TallyUnavailableException failure =
          assertThrows(TallyUnavailableException.class, () -> tally.reserve("acme", Estimate.microCredits(5)));

      assertEquals(ErrorReason.TIMEOUT, failure.reason());
      assertEquals(Status.Code.UNAVAILABLE, failure.code());
      assertEquals(Duration.ofMillis(10), failure.retryAfter().orElseThrow());
      assertEquals(3, node.received().size());
      assertEquals(1, requestIds(node).stream().distinct().count(), "one request id across attempts");
      assertEquals(requestIds(node).get(0), failure.requestId().orElseThrow());
    }
  }

  @Test
  void aCallAStoppingNodeDidNotGetToIsRetriedWithTheSameRequestId() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeNode node = FakeNode.start(request -> {
          if (calls.incrementAndGet() == 1) throw FakeNode.error(Code.UNAVAILABLE, "NODE_STOPPING", Map.of());
          return RESERVED;
        });
        TallyClient tally = clientFor(node, 3)) {
      Reservation reservation = tally.reserve("acme", Estimate.microCredits(5));

      assertEquals("rsv-1", reservation.reservationId());
      assertEquals(2, node.received().size());
      assertEquals(List.of(reservation.requestId(), reservation.requestId()), requestIds(node));
    }
  }

  @Test
  void aStoppingNodeIsRaisedAsUnavailableWhenRetriesRunOut() throws Exception {
    try (FakeNode node = FakeNode.start(request -> {
          throw FakeNode.error(Code.UNAVAILABLE, "NODE_STOPPING", Map.of());
        });
        TallyClient tally = clientFor(node, 2)) {
      TallyUnavailableException failure =
          assertThrows(TallyUnavailableException.class, () -> tally.reserve("acme", Estimate.microCredits(5)));

      assertEquals(ErrorReason.NODE_STOPPING, failure.reason());
    }
  }

  @Test
  void aCallerRetryWithTheRequestIdFromTheFailureSendsTheSameId() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    try (FakeNode node = FakeNode.start(request -> {
          if (calls.incrementAndGet() <= 2) throw Status.UNAVAILABLE.withDescription("connection lost").asRuntimeException();
          return RESERVED;
        });
        TallyClient tally = clientFor(node, 2)) {
      TallyUnavailableException failure =
          assertThrows(TallyUnavailableException.class, () -> tally.reserve("acme", Estimate.microCredits(5)));
      assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, failure.reason());

      tally.reserve(ReserveRequest.newBuilder()
          .setOrgId("acme").setAmount(5).setRequestId(failure.requestId().orElseThrow()).build());

      assertEquals(List.of(failure.requestId().get(), failure.requestId().get(), failure.requestId().get()), requestIds(node));
    }
  }

  @Test
  void rateLimitedIsNotRetriedAndTellsWhenToTryAgain() throws Exception {
    try (FakeNode node = FakeNode.start(request -> {
          throw FakeNode.error(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED", Map.of("limit", "requests_per_minute"),
              FakeNode.retryAfterMillis(1_250),
              QuotaFailure.newBuilder().addViolations(QuotaFailure.Violation.newBuilder()
                  .setSubject("requests_per_minute").setDescription("60 per minute")).build());
        });
        TallyClient tally = clientFor(node, 5)) {
      RateLimitedException failure =
          assertThrows(RateLimitedException.class, () -> tally.reserve("acme", Estimate.microCredits(5)));

      assertEquals(Duration.ofMillis(1_250), failure.retryAfter());
      assertEquals("requests_per_minute", failure.violations().get(0).getSubject());
      assertEquals(ErrorReason.RATE_LIMITED, failure.reason());
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure.code());
      assertEquals(1, node.received().size(), "a rate-limited call is the caller's to retry");
    }
  }

  @Test
  void refusalsAreNotRetried() throws Exception {
    try (FakeNode node = FakeNode.start(request -> {
          throw FakeNode.error(Code.RESOURCE_EXHAUSTED, "CREDITS_EXHAUSTED", Map.of("available", "3", "requested", "5"));
        });
        TallyClient tally = clientFor(node, 5)) {
      CreditsExhaustedException failure =
          assertThrows(CreditsExhaustedException.class, () -> tally.reserve("acme", Estimate.microCredits(5)));

      assertEquals(3, failure.available().orElseThrow());
      assertEquals(1, node.received().size());
    }
  }

  @Test
  void asyncCallsFailWithTheSameTypedExceptions() throws Exception {
    try (FakeNode node = FakeNode.start(request -> {
          throw FakeNode.error(Code.NOT_FOUND, "ORG_NOT_FOUND", Map.of());
        });
        TallyClient tally = clientFor(node, 5)) {
      CompletionException failure = assertThrows(CompletionException.class,
          () -> tally.reserveAsync("nobody", Estimate.microCredits(5)).join());

      assertTrue(failure.getCause() instanceof OrgNotFoundException, () -> "got " + failure.getCause());
    }
  }

  @Test
  void aCommitRepeatedAfterAnUnknownOutcomeReusesItsRequestId() throws Exception {
    AtomicInteger commits = new AtomicInteger();
    try (FakeNode node = FakeNode.start(request -> {
          if (request instanceof ReserveRequest) return RESERVED;
          if (commits.incrementAndGet() <= 2) throw Status.UNAVAILABLE.asRuntimeException();
          return CommitResponse.newBuilder().setCharged(3).build();
        });
        TallyClient tally = clientFor(node, 2)) {
      Reservation reservation = tally.reserve("acme", Estimate.microCredits(5));
      assertThrows(TallyUnavailableException.class, () -> reservation.commit(Usage.microCredits(3)));

      assertEquals(3, reservation.commit(Usage.microCredits(3)).getCharged());

      List<String> commitIds = node.received().stream()
          .filter(r -> r.request() instanceof CommitRequest)
          .map(r -> ((CommitRequest) r.request()).getRequestId())
          .toList();
      assertEquals(3, commitIds.size());
      assertEquals(1, commitIds.stream().distinct().count(), () -> "commit ids " + commitIds);
      assertTrue(reservation.isResolved());
    }
  }

  @Test
  void theApiKeyTravelsAsABearerToken() throws Exception {
    try (FakeNode node = FakeNode.start(request -> RESERVED);
        TallyClient tally = TallyClient.builder().nodes(node.address()).apiKey("tk_live_123").build()) {
      tally.reserve("acme", Estimate.microCredits(5));

      assertEquals("Bearer tk_live_123", node.received().get(0).headers().get(ApiKey.AUTHORIZATION));
    }
  }
}
