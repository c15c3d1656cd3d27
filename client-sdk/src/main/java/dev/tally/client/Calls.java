package dev.tally.client;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Unary calls on the client's channel, blocking or async, failing with a {@link TallyException}
 * that carries the request id; and the request id every mutation gets when it has none.
 *
 * <p>Every call ends by its deadline. gRPC ends a call at its deadline itself, but under
 * connection rotation with thousands of calls in flight it has been seen to leave calls open
 * past it, for good (ConnectionRotationTest, 2026-12-06: 688 of 20,000 chains of calls never
 * ended, no callback ever came). So the SDK keeps the calls it has not seen end, and a call still
 * open {@link #OVERDUE} after its deadline is cancelled and fails DEADLINE_EXCEEDED, as a call
 * gRPC ended at its deadline does: its outcome is unknown, and retrying it with the same request
 * id is safe.
 */
final class Calls implements AutoCloseable {

  /** How often a call is sent in all when the client's own transport cuts it ({@link TallyException#cutByTransport}). */
  static final int SENDS_OF_A_CUT_CALL = 3;
  /** How long past its deadline a call gRPC has not ended waits before the SDK ends it; checked once a second. */
  static final Duration OVERDUE = Duration.ofSeconds(1);

  private final Channel channel;
  private final Duration deadline;
  private final Set<OpenCall<?>> openCalls = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService overdueCheck = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "tally-client-overdue-calls");
    thread.setDaemon(true);
    return thread;
  });

  /** @param deadline of each unary call, every send of it included */
  Calls(Channel channel, Duration deadline) {
    this.channel = channel;
    this.deadline = deadline;
    overdueCheck.scheduleWithFixedDelay(this::endOverdue, 1, 1, TimeUnit.SECONDS);
  }

  /** A call not ended yet: what its caller waits on, and the gRPC call now carrying it (a cut call is sent on a new one). */
  private static final class OpenCall<Res> {
    final CompletableFuture<Res> result = new CompletableFuture<>();
    final Deadline deadline;
    final String requestId;
    volatile ClientCall<?, Res> current;

    OpenCall(Deadline deadline, String requestId) {
      this.deadline = deadline;
      this.requestId = requestId;
    }

    boolean overdue() {
      return deadline.timeRemaining(TimeUnit.NANOSECONDS) < -OVERDUE.toNanos();
    }

    void end(Status status) {
      if (result.completeExceptionally(TallyException.from(status.asRuntimeException(), requestId))) {
        cancelCurrent(status.getDescription());
      }
    }

    void cancelCurrent(String why) {
      ClientCall<?, Res> call = current;
      if (call != null) call.cancel(why, null);
    }
  }

  /** Ends the calls gRPC has left open past their deadline. */
  void endOverdue() {
    for (OpenCall<?> call : openCalls) {
      if (call.overdue()) {
        call.end(Status.DEADLINE_EXCEEDED.withDescription(
            "no answer by the deadline and the call was still open: its outcome is unknown, retry it with the same request id"));
      }
    }
  }

  /** Stops the check for overdue calls and fails the calls still open (after the channel has ended). */
  @Override
  public void close() {
    overdueCheck.shutdownNow();
    for (OpenCall<?> call : openCalls) call.end(Status.UNAVAILABLE.withDescription("the client was closed"));
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

  /**
   * {@link #async}, waited for: an interrupt cancels the call. A failure is thrown with the waiting
   * thread's stack, where the caller looks for it, not the transport thread's it was made on.
   */
  <Req extends Message, Res> Res blocking(MethodDescriptor<Req, Res> method, Req request) {
    CompletableFuture<Res> result = async(method, request);
    try {
      return result.get();
    } catch (ExecutionException failed) {
      TallyException failure = TallyException.from(failed.getCause(), requestIdOf(request));
      failure.setStackTrace(new Throwable().getStackTrace());
      throw failure;
    } catch (InterruptedException interrupted) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw TallyException.from(Status.CANCELLED.withDescription("the waiting thread was interrupted").asRuntimeException(),
          requestIdOf(request));
    }
  }

  <Req extends Message, Res> CompletableFuture<Res> async(MethodDescriptor<Req, Res> method, Req request) {
    CallOptions options = options();
    OpenCall<Res> call = new OpenCall<>(options.getDeadline(), requestIdOf(request));
    openCalls.add(call);
    call.result.whenComplete((response, failure) -> {
      openCalls.remove(call);
      if (call.result.isCancelled()) call.cancelCurrent("cancelled by the caller");
    });
    send(method, request, options, 1, call);
    return call.result;
  }

  private <Req extends Message, Res> void send(
      MethodDescriptor<Req, Res> method, Req request, CallOptions options, int sent, OpenCall<Res> openCall) {
    CompletableFuture<Res> result = openCall.result;
    ClientCall<Req, Res> call = channel.newCall(method, options);
    openCall.current = call;
    ClientCalls.asyncUnaryCall(call, request, new StreamObserver<>() {
      private Res response;

      @Override
      public void onNext(Res value) {
        response = value;
      }

      @Override
      public void onError(Throwable failure) {
        if (!result.isDone() && sendAgain(failure, sent, options)) {
          send(method, request, options, sent + 1, openCall);
        } else {
          result.completeExceptionally(TallyException.from(failure, requestIdOf(request)));
        }
      }

      @Override
      public void onCompleted() {
        result.complete(response);
      }
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
