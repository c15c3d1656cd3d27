package dev.tally.node.api;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

/**
 * What a service handler throws instead of answering becomes a documented status through
 * {@link TallyErrors#failure} (INTERNAL for a bug), where gRPC would send UNKNOWN. The innermost
 * interceptor, so it sees what the services throw.
 */
public final class HandlerFailures implements ServerInterceptor {

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall.Listener<Q> listener;
    try {
      listener = next.startCall(call, headers);
    } catch (RuntimeException thrown) {
      close(call, thrown);
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException thrown) {
          close(call, thrown);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException thrown) {
          close(call, thrown);
        }
      }
    };
  }

  private static void close(ServerCall<?, ?> call, RuntimeException thrown) {
    StatusRuntimeException status = TallyErrors.failure(thrown);
    try {
      call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
    } catch (IllegalStateException alreadyClosed) {
      // the handler answered before it threw; nothing more to say
    }
  }
}
