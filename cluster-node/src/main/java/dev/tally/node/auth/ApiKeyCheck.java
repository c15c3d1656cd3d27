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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every call of Metering and Accounts needs a key that allows it ({@link CallRules}); health and
 * reflection stay open. The key is checked when the call starts (UNAUTHENTICATED); the role and
 * org when its request arrives, since the org is in the request (PERMISSION_DENIED), before the
 * service or the batcher sees it. The caller's {@link Principal} is in the call's gRPC Context.
 * A key the node must first read from its table never blocks the transport thread: the call starts
 * when the read answers ({@link Pending}).
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
    Optional<CallRules.Rule> rule = CallRules.of(method);
    if (rule.isEmpty()) return refuse(call, TallyErrors.permissionDenied(method + " is not open to any key"));
    CompletableFuture<Principal> principal = authentication.authenticate(headers.get(AUTHORIZATION));
    if (principal.isDone()) return started(call, headers, next, rule.get(), principal);
    Pending<Q> pending = new Pending<>();
    principal.whenComplete((known, failure) -> pending.start(started(call, headers, next, rule.get(), principal)));
    return pending;
  }

  /** The call started for its principal, or refused when {@code principal} failed. */
  private static <Q, R> ServerCall.Listener<Q> started(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next, CallRules.Rule rule, CompletableFuture<Principal> principal) {
    Principal caller;
    try {
      caller = principal.join();
    } catch (RuntimeException failed) {
      return refuse(call, TallyErrors.failure(failed));
    }
    Context context = Context.current().withValue(Principal.KEY, caller);
    return new Authorized<>(Contexts.interceptCall(context, call, headers, next), call, rule, caller);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, StatusRuntimeException refusal) {
    call.close(refusal.getStatus(), refusal.getTrailers());
    return new ServerCall.Listener<>() {};
  }

  /** Passes the request on only when the caller's role and org allow it; otherwise closes the call. */
  private static final class Authorized<Q> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, ?> call;
    private final CallRules.Rule rule;
    private final Principal caller;
    private boolean refused;

    Authorized(ServerCall.Listener<Q> service, ServerCall<Q, ?> call, CallRules.Rule rule, Principal caller) {
      super(service);
      this.call = call;
      this.rule = rule;
      this.caller = caller;
    }

    @Override
    public void onMessage(Q request) {
      if (refused) return;
      if (!rule.allows(caller, request)) {
        refused = true;
        String method = call.getMethodDescriptor().getFullMethodName();
        String role = caller.role().storedName();
        log.info("refused {} to a {} key ({}): its role or org does not allow it", method, role, caller.hint());
        StatusRuntimeException denied = TallyErrors.permissionDenied("a " + role + " key"
            + (caller.orgId() == null ? "" : " of org " + caller.orgId()) + " may not call " + method
            + (caller.orgId() == null ? "" : " for this org"));
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
  }

  /**
   * The listener of a call whose key is being read. The events that arrive before the call is
   * started are kept and passed on, in order, once it is: a cancel, and the request and half-close
   * that the service's own {@code request()} inside {@code startCall} may deliver at once on the
   * starting thread, before {@link #start} has the listener.
   */
  private static final class Pending<Q> extends ServerCall.Listener<Q> {
    private ServerCall.Listener<Q> started;
    private final List<Consumer<ServerCall.Listener<Q>>> early = new ArrayList<>(2);

    synchronized void start(ServerCall.Listener<Q> listener) {
      started = listener;
      early.forEach(event -> event.accept(listener));
      early.clear();
    }

    private synchronized void deliver(Consumer<ServerCall.Listener<Q>> event) {
      if (started != null) event.accept(started);
      else early.add(event);
    }

    @Override
    public void onMessage(Q message) {
      deliver(listener -> listener.onMessage(message));
    }

    @Override
    public void onHalfClose() {
      deliver(ServerCall.Listener::onHalfClose);
    }

    @Override
    public void onCancel() {
      deliver(ServerCall.Listener::onCancel);
    }

    @Override
    public void onComplete() {
      deliver(ServerCall.Listener::onComplete);
    }

    @Override
    public void onReady() {
      deliver(ServerCall.Listener::onReady);
    }
  }
}
