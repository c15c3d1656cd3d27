package dev.tally.node.api;

import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** How a unary call answers once the entity it asked has: one place for every api Calls class. */
final class Replies {

  private Replies() {}

  /** {@code reply}, failed with a timeout once the call's deadline (null: none) has passed. */
  static <T> CompletableFuture<T> withinDeadline(CompletableFuture<T> reply, Deadline deadline) {
    if (deadline != null) reply.orTimeout(Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS);
    return reply;
  }

  /** {@code response}, or else {@code failure} as the call's gRPC error; nothing when the caller went away. */
  static <T> void complete(StreamObserver<T> responses, T response, Throwable failure) {
    try {
      if (failure == null) {
        responses.onNext(response);
        responses.onCompleted();
      } else {
        responses.onError(TallyErrors.failure(failure));
      }
    } catch (StatusRuntimeException cancelled) {
      // the caller went away; nothing to tell it
    }
  }
}
