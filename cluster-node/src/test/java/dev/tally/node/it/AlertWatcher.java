package dev.tally.node.it;

import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.WatchAlertsRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** A WatchAlerts subscription as a test sees it: the alerts received so far, and how the stream ended. */
public final class AlertWatcher implements StreamObserver<Alert> {

  private final BlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
  private final CompletableFuture<Throwable> end = new CompletableFuture<>();
  // Its own: the subscription must not end with the caller's context (a deadline or a cancellation).
  private final Context.CancellableContext context = Context.ROOT.withCancellation();

  private AlertWatcher() {}

  /** Subscribes to the alerts of {@code orgId}, or of every org when it is empty. */
  public static AlertWatcher watch(AccountsGrpc.AccountsStub accounts, String orgId) {
    return watch(accounts, WatchAlertsRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Subscribes to the alerts of {@code orgId} after the event {@code afterEventId} (a resumed watch). */
  public static AlertWatcher resume(AccountsGrpc.AccountsStub accounts, String orgId, String afterEventId) {
    return watch(accounts, WatchAlertsRequest.newBuilder().setOrgId(orgId).setAfterEventId(afterEventId).build());
  }

  private static AlertWatcher watch(AccountsGrpc.AccountsStub accounts, WatchAlertsRequest request) {
    AlertWatcher watcher = new AlertWatcher();
    watcher.context.run(() -> accounts.watchAlerts(request, watcher));
    return watcher;
  }

  /** The client goes away: it cancels the stream. */
  public void disconnect() {
    context.cancel(null);
  }

  public BlockingQueue<Alert> alerts() {
    return alerts;
  }

  /** Completes with the failure the stream ended with; a stream that completes normally ends with an AssertionError. */
  public CompletableFuture<Throwable> end() {
    return end;
  }

  @Override
  public void onNext(Alert alert) {
    alerts.add(alert);
  }

  @Override
  public void onError(Throwable failure) {
    end.complete(failure);
  }

  @Override
  public void onCompleted() {
    end.complete(new AssertionError("the alert stream completed normally"));
  }
}
