package dev.tally.client;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Unary calls on the client's channel, blocking or async, failing with a {@link TallyException}
 * that carries the request id; and the request id every mutation gets when it has none.
 */
final class Calls {

  /** How often a call is sent in all when the client's own transport cuts it ({@link TallyException#cutByTransport}). */
  static final int SENDS_OF_A_CUT_CALL = 3;

  private final Channel channel;
  private final Duration deadline;

  /** @param deadline of each unary call, every send of it included */
  Calls(Channel channel, Duration deadline) {
    this.channel = channel;
    this.deadline = deadline;
  }

  private CallOptions options() {
    return CallOptions.DEFAULT.withDeadline(Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS));
  }

  private static boolean sendAgain(Throwable failure, int sent, CallOptions options) {
    return sent < SENDS_OF_A_CUT_CALL && TallyException.cutByTransport(failure) && !options.getDeadline().isExpired();
  }

  /**
   * The request as sent: with the caller's own {@code request_id}, or a fresh one, which every retry
   * of this operation then repeats.
   */
  @SuppressWarnings("unchecked")
  static <M extends Message> M identified(M request) {
    FieldDescriptor requestId = request.getDescriptorForType().findFieldByName("request_id");
    if (!((String) request.getField(requestId)).isEmpty()) return request;
    return (M) request.toBuilder().setField(requestId, ProtoMapping.newRequestId()).build();
  }

  /** The request id a failure of {@code request} names, or null for reads. */
  static String requestIdOf(Message request) {
    FieldDescriptor requestId = request.getDescriptorForType().findFieldByName("request_id");
    return requestId == null ? null : (String) request.getField(requestId);
  }

  <Req extends Message, Res> Res blocking(MethodDescriptor<Req, Res> method, Req request) {
    CallOptions options = options();
    for (int sent = 1; ; sent++) {
      try {
        return ClientCalls.blockingUnaryCall(channel, method, options, request);
      } catch (StatusRuntimeException failure) {
        if (!sendAgain(failure, sent, options)) throw TallyException.from(failure, requestIdOf(request));
      }
    }
  }

  <Req extends Message, Res> CompletableFuture<Res> async(MethodDescriptor<Req, Res> method, Req request) {
    CompletableFuture<Res> result = new CompletableFuture<>();
    send(method, request, options(), 1, result);
    return result;
  }

  private <Req extends Message, Res> void send(
      MethodDescriptor<Req, Res> method, Req request, CallOptions options, int sent, CompletableFuture<Res> result) {
    ClientCall<Req, Res> call = channel.newCall(method, options);
    ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
      private Res response;

      @Override
      public void onNext(Res value) {
        response = value;
      }

      @Override
      public void onError(Throwable failure) {
        if (!result.isDone() && sendAgain(failure, sent, options)) {
          send(method, request, options, sent + 1, result);
        } else {
          result.completeExceptionally(TallyException.from(failure, requestIdOf(request)));
        }
      }

      @Override
      public void onCompleted() {
        result.complete(response);
      }
    });
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) call.cancel("cancelled by the caller", null);
    });
  }

  /** A server stream; {@code observer} sees a {@link TallyException} if it fails. Runs the returned canceller to stop it. */
  <Req extends Message, Res> Runnable stream(
      MethodDescriptor<Req, Res> method, Req request, StreamObserver<Res> observer) {
    ClientCall<Req, Res> call = channel.newCall(method, CallOptions.DEFAULT);
    ClientCalls.asyncServerStreamingCall(call, request, new StreamObserver<>() {
      @Override
      public void onNext(Res value) {
        observer.onNext(value);
      }

      @Override
      public void onError(Throwable failure) {
        observer.onError(TallyException.from(failure, null));
      }

      @Override
      public void onCompleted() {
        observer.onCompleted();
      }
    });
    return () -> call.cancel("stopped by the caller", null);
  }
}
