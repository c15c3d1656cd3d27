package dev.tally.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.groupcommit.OrgBatcher;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every failure leaves the node as a documented status with an ErrorInfo reason, never UNKNOWN. */
class TallyErrorsTest {

  @ParameterizedTest
  @CsvSource({
    "CREDITS_EXHAUSTED, RESOURCE_EXHAUSTED",
    "ORG_NOT_FOUND, NOT_FOUND",
    "GRANT_NOT_FOUND, NOT_FOUND",
    "RESERVATION_NOT_FOUND, NOT_FOUND",
    "RESERVATION_RESOLVED, FAILED_PRECONDITION",
    "IDEMPOTENCY_MISMATCH, ALREADY_EXISTS",
    "ORG_EXISTS, ALREADY_EXISTS",
    "GRANT_EXISTS, ALREADY_EXISTS"
  })
  void eachRefusalHasItsCodeAndReason(Rejection reason, Status.Code code) {
    StatusRuntimeException status = TallyErrors.rejected(new Rejected(reason, "why", Map.of("available", "5")));
    assertEquals(code, status.getStatus().getCode());
    assertEquals(reason.name(), info(status).getReason());
    assertEquals("5", info(status).getMetadataOrThrow("available"));
  }

  @Test
  void anEntityThatDidNotAnswerInTimeIsUnavailableWithARetryHint() {
    StatusRuntimeException status = TallyErrors.failure(new CompletionException(new AskTimeoutException("late")));
    assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
    assertEquals("TIMEOUT", info(status).getReason());
    assertTrue(StatusProto.fromThrowable(status).getDetailsList().stream().anyMatch(d -> d.is(RetryInfo.class)));
  }

  @Test
  void cassandraOutOfReachIsATimeoutWithARetryHintNotInternal() {
    for (Throwable cause : java.util.List.<Throwable>of(
        new DriverTimeoutException("Query timed out after PT2S"),
        AllNodesFailedException.fromErrors(java.util.List.of()),
        new CircuitBreakerOpenException(scala.concurrent.duration.Duration.create(1, "second"), "open"))) {
      StatusRuntimeException status = TallyErrors.failure(new CompletionException(cause));
      assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode(), cause.toString());
      assertEquals("TIMEOUT", info(status).getReason(), cause.toString());
      assertTrue(StatusProto.fromThrowable(status).getDetailsList().stream().anyMatch(d -> d.is(RetryInfo.class)));
    }
  }

  @Test
  void tooManyWaitingOperationsIsBackpressure() {
    StatusRuntimeException status = TallyErrors.failure(new OrgBatcher.Backpressure("10 operations already wait for org acme"));
    assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
    assertEquals("BACKPRESSURE", info(status).getReason());
  }

  @Test
  void anUnexpectedExceptionIsInternalNotUnknown() {
    StatusRuntimeException status = TallyErrors.failure(new CompletionException(new IllegalStateException("bug")));
    assertEquals(Status.Code.INTERNAL, status.getStatus().getCode());
    assertEquals("INTERNAL", info(status).getReason());
  }

  private static ErrorInfo info(StatusRuntimeException status) {
    for (Any detail : StatusProto.fromThrowable(status).getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError("no ErrorInfo");
  }
}
