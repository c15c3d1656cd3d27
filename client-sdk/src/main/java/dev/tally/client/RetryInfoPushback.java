package dev.tally.client;

import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * Makes grpc-java's retry honour the {@code RetryInfo} a node sends with an UNAVAILABLE error
 * (BACKPRESSURE, TIMEOUT): it copies the delay into the standard {@code grpc-retry-pushback-ms}
 * trailer, which the service config's retry policy obeys instead of its exponential backoff.
 *
 * <p>It is a stream tracer, not a plain interceptor, because a tracer sees the trailers of every
 * attempt before the retry logic reads them, while an interceptor sees only the final outcome.
 * Only UNAVAILABLE is touched: a pushback makes grpc-java retry whatever the code, and
 * RATE_LIMITED (RESOURCE_EXHAUSTED) must reach the caller as a {@link RateLimitedException}.
 */
final class RetryInfoPushback extends ClientStreamTracer.Factory implements ClientInterceptor {

  static final Metadata.Key<String> PUSHBACK_MS = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS = Metadata.Key.of(
      "grpc-status-details-bin", ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return next.newCall(method, callOptions.withStreamTracerFactory(this));
  }

  @Override
  public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
    return new ClientStreamTracer() {
      @Override
      public void inboundTrailers(Metadata trailers) {
        addPushback(trailers);
      }
    };
  }

  static void addPushback(Metadata trailers) {
    if (trailers.containsKey(PUSHBACK_MS) || !trailers.containsKey(STATUS_DETAILS)) return;
    com.google.rpc.Status status;
    try {
      status = trailers.get(STATUS_DETAILS);
    } catch (RuntimeException unparsable) {
      return;
    }
    if (status == null || status.getCode() != Code.UNAVAILABLE_VALUE) return;
    TallyException.detail(status, RetryInfo.class).ifPresent(info -> {
      long millis = Math.max(0, info.getRetryDelay().getSeconds() * 1000 + info.getRetryDelay().getNanos() / 1_000_000);
      trailers.put(PUSHBACK_MS, Long.toString(millis));
    });
  }
}
