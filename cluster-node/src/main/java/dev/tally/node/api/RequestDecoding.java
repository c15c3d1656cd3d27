package dev.tally.node.api;

import com.google.rpc.BadRequest;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.List;

/**
 * Request bytes that are not the method's message (a truncated or garbled message, a string field
 * that is not UTF-8) are refused with INVALID_REQUEST on the field {@code request}. grpc-java
 * decodes a request before any interceptor sees it and answers a failure with UNKNOWN; here a
 * service receives the undecoded stream and decodes it itself, in front of its interceptors, so the
 * refusal is an answer like any other.
 */
public final class RequestDecoding {

  static final String FIELD = "request";

  private static final MethodDescriptor.Marshaller<InputStream> UNDECODED = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  private RequestDecoding() {}

  /**
   * {@code service} behind {@code interceptors} (the last runs first, as in
   * {@link ServerInterceptors#intercept}), with its requests decoded in front of them.
   */
  public static ServerServiceDefinition decodedInFront(ServerServiceDefinition service, ServerInterceptor... interceptors) {
    ServerServiceDefinition intercepted = ServerInterceptors.intercept(service, interceptors);
    ServiceDescriptor original = intercepted.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<InputStream, ?>> methods = intercepted.getMethods().stream()
        .<ServerMethodDefinition<InputStream, ?>>map(RequestDecoding::undecoded)
        .toList();
    methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
    ServerServiceDefinition.Builder wrapped = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(wrapped::addMethod);
    return wrapped.build();
  }

  private static <Q, R> ServerMethodDefinition<InputStream, R> undecoded(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> decoded = method.getMethodDescriptor();
    MethodDescriptor<InputStream, R> onTheWire = decoded.toBuilder(UNDECODED, decoded.getResponseMarshaller()).build();
    return ServerMethodDefinition.create(onTheWire, decoding(decoded, method.getServerCallHandler()));
  }

  private static <Q, R> ServerCallHandler<InputStream, R> decoding(MethodDescriptor<Q, R> decoded, ServerCallHandler<Q, R> next) {
    return (call, headers) -> {
      ServerCall<Q, R> asDecoded = new DecodedCall<>(call, decoded);
      ServerCall.Listener<Q> listener = next.startCall(asDecoded, headers);
      return new ServerCall.Listener<>() {
        private boolean refused;

        @Override
        public void onMessage(InputStream bytes) {
          if (refused) return;
          Q request;
          try {
            request = decoded.parseRequest(bytes);
          } catch (RuntimeException undecodable) {
            refused = true;
            StatusRuntimeException invalid = TallyErrors.invalid(List.of(BadRequest.FieldViolation.newBuilder()
                .setField(FIELD)
                .setDescription("is not a valid " + decoded.getFullMethodName() + " request (malformed bytes or a string that is not UTF-8)")
                .build()));
            call.close(invalid.getStatus(), invalid.getTrailers());
            return;
          }
          listener.onMessage(request);
        }

        @Override
        public void onHalfClose() {
          if (!refused) listener.onHalfClose();
        }

        @Override
        public void onCancel() {
          listener.onCancel();
        }

        @Override
        public void onComplete() {
          listener.onComplete();
        }

        @Override
        public void onReady() {
          listener.onReady();
        }
      };
    };
  }

  /** The call as its handler and interceptors know it: with the decoded method's descriptor. */
  private static final class DecodedCall<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<InputStream, R> call;
    private final MethodDescriptor<Q, R> decoded;

    DecodedCall(ServerCall<InputStream, R> call, MethodDescriptor<Q, R> decoded) {
      this.call = call;
      this.decoded = decoded;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public void close(io.grpc.Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public io.grpc.Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public io.grpc.SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return decoded;
    }
  }
}
