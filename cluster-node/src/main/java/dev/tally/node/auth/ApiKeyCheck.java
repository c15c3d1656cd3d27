package dev.tally.node.auth;

import dev.tally.node.api.TallyErrors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every call of Metering and Accounts needs a key that allows it ({@link CallRules}); health and
 * reflection stay open. The key is checked when the call starts (UNAUTHENTICATED); the role and
 * org when its request arrives, since the org is in the request (PERMISSION_DENIED), before the
 * service or the batcher sees it. The caller's {@link Principal} is in the call's gRPC Context.
 */
public final class ApiKeyCheck implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(ApiKeyCheck.class);
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final Authentication authentication;

  public ApiKeyCheck(Authentication authentication) {
    this.authentication = authentication;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!CallRules.guarded(method)) return next.startCall(call, headers);
    Principal principal;
    CallRules.Rule rule;
    try {
      principal = authentication.authenticate(headers.get(AUTHORIZATION));
      Optional<CallRules.Rule> found = CallRules.of(method);
      if (found.isEmpty()) throw TallyErrors.permissionDenied(method + " is not open to any key");
      rule = found.get();
    } catch (StatusRuntimeException refusal) {
      return refuse(call, refusal);
    }
    Context context = Context.current().withValue(Principal.KEY, principal);
    ServerCall.Listener<Q> service = Contexts.interceptCall(context, call, headers, next);
    return new SimpleForwardingServerCallListener<>(service) {
      private boolean refused;

      @Override
      public void onMessage(Q request) {
        if (refused) return;
        if (!rule.allows(principal, request)) {
          refused = true;
          log.info("refused {} to a {} key ({}): role or org", method, principal.role().storedName(), principal.hint());
          StatusRuntimeException denied = TallyErrors.permissionDenied(
              "a " + principal.role().storedName() + " key " + (principal.orgId() == null ? "" : "of org " + principal.orgId() + " ")
                  + "may not call " + method + (principal.role() == Role.ADMIN ? "" : " for this org"));
          call.close(denied.getStatus(), denied.getTrailers());
          return;
        }
        super.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) super.onHalfClose();
      }

      @Override
      public void onReady() {
        if (!refused) super.onReady();
      }
    };
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, StatusRuntimeException refusal) {
    call.close(refusal.getStatus(), refusal.getTrailers());
    return new ServerCall.Listener<>() {};
  }
}
