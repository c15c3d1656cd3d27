package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;
import org.junit.jupiter.api.function.Executable;

/** Reads the rich error a call failed with, the way a client program would. */
record ErrorDetails(Status.Code code, com.google.rpc.Status status) {

  static ErrorDetails of(Throwable thrown) {
    StatusRuntimeException e = (StatusRuntimeException) thrown;
    return new ErrorDetails(e.getStatus().getCode(), StatusProto.fromThrowable(e));
  }

  /** Runs the call, asserts it fails with the code and ErrorInfo reason, and returns the details. */
  static ErrorDetails expect(Status.Code code, String reason, Executable call) {
    ErrorDetails details = of(assertThrows(StatusRuntimeException.class, call));
    assertEquals(code, details.code(), () -> "status: " + details.status());
    assertEquals(reason, details.info().getReason(), () -> "status: " + details.status());
    assertEquals("tally.dev", details.info().getDomain());
    return details;
  }

  ErrorInfo info() {
    return detail(ErrorInfo.class).orElseThrow(() -> new AssertionError("no ErrorInfo in " + status));
  }

  <T extends Message> Optional<T> detail(Class<T> type) {
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    }
    return Optional.empty();
  }
}
