package dev.tally.client;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReleaseResponse;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Metering server in the test JVM that answers what the test tells it to, for what a real node
 * does not do on demand (backpressure, rate limits) and to see exactly what the SDK sent.
 */
final class FakeNode implements AutoCloseable {

  /** How the fake answers one call: a response message, or throw the error to send. */
  @FunctionalInterface
  interface Answer {
    Message answer(Message request) throws StatusRuntimeException;
  }

  /** One call as the fake received it. */
  record Received(Message request, Metadata headers, long atNanos) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final HealthStatusManager health = new HealthStatusManager();
  private final Server server;
  private volatile Answer answer;

  private FakeNode(Answer answer) throws IOException {
    this.answer = answer;
    ThreadLocalHeaders headers = new ThreadLocalHeaders();
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(new Metering(headers), headers))
        .addService(health.getHealthService())
        .build()
        .start();
    health.setStatus("", ServingStatus.SERVING);
  }

  static FakeNode start(Answer answer) throws IOException {
    return new FakeNode(answer);
  }

  void answer(Answer answer) {
    this.answer = answer;
  }

  String address() {
    return "127.0.0.1:" + server.getPort();
  }

  void serving(boolean serving) {
    health.setStatus("", serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A Tally error the way nodes send it: a google.rpc.Status with ErrorInfo and more details. */
  static StatusRuntimeException error(com.google.rpc.Code code, String reason, Map<String, String> metadata, Message... details) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber())
        .setMessage("fake " + reason)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("tally.dev").setReason(reason).putAllMetadata(metadata).build()));
    for (Message detail : details) status.addDetails(Any.pack(detail));
    return StatusProto.toStatusRuntimeException(status.build());
  }

  static RetryInfo retryAfterMillis(long millis) {
    return RetryInfo.newBuilder()
        .setRetryDelay(Duration.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000))
        .build();
  }

  /** Hands each call's headers to the service method on the same thread. */
  private static final class ThreadLocalHeaders implements ServerInterceptor {
    final ThreadLocal<Metadata> current = new ThreadLocal<>();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCall.Listener<ReqT> delegate = next.startCall(call, headers);
      return new io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
        @Override
        public void onHalfClose() {
          current.set(headers);
          try {
            super.onHalfClose();
          } finally {
            current.remove();
          }
        }
      };
    }
  }

  private final class Metering extends MeteringGrpc.MeteringImplBase {
    private final ThreadLocalHeaders headers;

    Metering(ThreadLocalHeaders headers) {
      this.headers = headers;
    }

    @SuppressWarnings("unchecked")
    private <T> void respond(Message request, StreamObserver<T> responses) {
      received.add(new Received(request, headers.current.get(), System.nanoTime()));
      try {
        responses.onNext((T) answer.answer(request));
        responses.onCompleted();
      } catch (StatusRuntimeException error) {
        responses.onError(error);
      }
    }

    @Override
    public void reserve(ReserveRequest request, StreamObserver<ReserveResponse> responses) {
      respond(request, responses);
    }

    @Override
    public void commit(CommitRequest request, StreamObserver<CommitResponse> responses) {
      respond(request, responses);
    }

    @Override
    public void release(ReleaseRequest request, StreamObserver<ReleaseResponse> responses) {
      respond(request, responses);
    }

    @Override
    public void charge(ChargeRequest request, StreamObserver<ChargeResponse> responses) {
      respond(request, responses);
    }

    @Override
    public void extendReservation(ExtendReservationRequest request, StreamObserver<ExtendReservationResponse> responses) {
      respond(request, responses);
    }

    @Override
    public void getBalance(GetBalanceRequest request, StreamObserver<GetBalanceResponse> responses) {
      respond(request, responses);
    }
  }
}
