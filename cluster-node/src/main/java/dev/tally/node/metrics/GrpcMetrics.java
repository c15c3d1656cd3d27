package dev.tally.node.metrics;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Times every gRPC call by method and status code, and counts refusals by their ErrorInfo reason
 * (CREDITS_EXHAUSTED, RATE_LIMITED, INVALID_REQUEST, …) — read from the status the client gets,
 * so every way a call can fail is counted in one place.
 */
public final class GrpcMetrics implements ServerInterceptor {

  private final MeterRegistry registry;
  /** Found here, not built per call: finding a meter through its builder allocates its id and tags every time. */
  private final Map<String, Map<Status.Code, Timer>> timers = new ConcurrentHashMap<>();

  public GrpcMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Timer.Sample sample = Timer.start(registry);
    String method = call.getMethodDescriptor().getFullMethodName();
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        sample.stop(timer(method, status.getCode()));
        if (!status.isOk()) {
          Counter.builder("tally.rejections")
              .description("Calls refused, by ErrorInfo reason")
              .tag("method", method)
              .tag("reason", reason(status, trailers))
              .register(registry)
              .increment();
        }
        super.close(status, trailers);
      }
    }, headers);
  }

  /** The timer of {@code method}'s calls closed with {@code code}, registered at its first call. */
  private Timer timer(String method, Status.Code code) {
    return timers.computeIfAbsent(method, m -> new ConcurrentHashMap<>()).computeIfAbsent(code, c ->
        Timer.builder("tally.grpc.server.calls")
            .description("gRPC calls served, by method and status")
            .tag("method", method)
            .tag("code", c.name())
            .publishPercentileHistogram()
            .register(registry));
  }

  private static String reason(Status status, Metadata trailers) {
    com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
    for (Any detail : details.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        try {
          return detail.unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException e) {
          break;
        }
      }
    }
    return status.getCode().name();
  }
}
