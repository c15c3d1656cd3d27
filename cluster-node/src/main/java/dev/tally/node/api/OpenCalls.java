package dev.tally.node.api;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls this node has accepted and not yet answered, so that a stopping node can answer them
 * itself. gRPC's forced shutdown resets their streams, which a client sees as CANCELLED: not
 * retried, outcome unknown. Answered UNAVAILABLE (reason NODE_STOPPING) instead, they are retried
 * on another node with the same request id, which is safe because every operation is idempotent.
 */
public final class OpenCalls implements ServerInterceptor {

  private final Set<Open<?, ?>> open = ConcurrentHashMap.newKeySet();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Open<Q, R> tracked = new Open<>(call);
    open.add(tracked);
    return new SimpleForwardingServerCallListener<>(next.startCall(tracked, headers)) {
      @Override
      public void onCancel() {
        open.remove(tracked);
        super.onCancel();
      }

      @Override
      public void onComplete() {
        open.remove(tracked);
        super.onComplete();
      }
    };
  }

  /** Ends every open streaming call (alert subscriptions), so its client subscribes again elsewhere. */
  public int endStreams() {
    return refuse(false);
  }

  /** Answers every call still waiting for its answer; the number answered. */
  public int refuseAll() {
    return refuse(true);
  }

  private int refuse(boolean unaryToo) {
    StatusRuntimeException stopping = TallyErrors.nodeStopping();
    int refused = 0;
    for (Open<?, ?> call : open) {
      boolean unary = call.getMethodDescriptor().getType().serverSendsOneMessage();
      if ((unaryToo || !unary) && call.refuse(stopping)) refused++;
    }
    return refused;
  }

  /**
   * One call, answered either by its service or by {@link #refuse}, whichever comes first; the
   * lock keeps the two from writing to the call at once.
   */
  private final class Open<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private boolean closed;
    private boolean answering;

    Open(ServerCall<Q, R> call) {
      super(call);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (closed) return;
      answering = true;
      super.sendHeaders(headers);
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (closed) return; // refused meanwhile: the caller already has its answer
      answering = true;
      super.sendMessage(message);
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) return;
      closed = true;
      open.remove(this);
      super.close(status, trailers);
    }

    /** Closes the call with {@code stopping}, unless it is closed or its one response is on its way. */
    synchronized boolean refuse(StatusRuntimeException stopping) {
      if (closed || (answering && getMethodDescriptor().getType().serverSendsOneMessage())) return false;
      close(stopping.getStatus(), stopping.getTrailers());
      return true;
    }
  }
}
