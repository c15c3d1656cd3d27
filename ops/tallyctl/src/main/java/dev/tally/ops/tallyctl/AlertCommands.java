package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import dev.tally.client.AccountsClient.AlertWatch;
import dev.tally.client.TallyException;
import dev.tally.v1.Alert;
import dev.tally.v1.ListAlertsRequest;
import dev.tally.v1.ListAlertsResponse;
import dev.tally.v1.WatchAlertsRequest;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Usage alerts: as the cluster raises them (WatchAlerts), and an org's past ones, newest first (ListAlerts). */
final class AlertCommands {

  /** How the stream ended, when it ended before the command did. */
  private record End(Throwable failure) {}

  private AlertCommands() {}

  /**
   * Prints each alert as it comes, until Ctrl-C, {@code --for} has passed or {@code --limit} alerts came.
   * With {@code --after} an alert's event id, first the org's alerts raised after it (those missed
   * while not watching), then the live ones.
   */
  static void watch(Invocation run) {
    String org = run.option("org").orElse("");
    String after = run.option("after").orElse("");
    if (!after.isEmpty() && org.isEmpty()) throw Failure.usage("--after needs --org: a watch of every org cannot resume");
    Instant until = run.option("for").map(text -> Instant.now().plus(DurationText.parse("for", text))).orElse(null);
    int limit = run.option("limit").map(text -> AccountCommands.number("--limit", text)).orElse(Integer.MAX_VALUE);
    if (limit < 1) throw Failure.usage("--limit must be at least 1");
    // gRPC's threads hand over; this thread prints, so output never interleaves.
    BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
    WatchAlertsRequest request = WatchAlertsRequest.newBuilder().setOrgId(org).setAfterEventId(after).build();
    AlertWatch watch = run.tally().read(org, () -> run.tally().accounts().watchAlerts(request, new StreamObserver<>() {
      @Override
      public void onNext(Alert alert) {
        arrived.add(alert);
      }

      @Override
      public void onError(Throwable failure) {
        arrived.add(new End(failure));
      }

      @Override
      public void onCompleted() {
        arrived.add(new End(null));
      }
    }));
    try {
      for (int printed = 0; printed < limit; printed++) {
        Object next = next(arrived, until);
        if (next == null) return;
        if (next instanceof End end) throw ended(run, org, end);
        Alert alert = (Alert) next;
        run.out().streamed(ApiJson.of(alert), line(alert));
      }
    } finally {
      watch.close();
    }
  }

  /**
   * One page of an org's past alerts, newest first, one line each (the watch's lines); {@code --kinds}
   * keeps some kinds only. The next page's token, when there is one, is printed last.
   */
  static void list(Invocation run) {
    String org = run.operand(0);
    ListAlertsRequest.Builder request = ListAlertsRequest.newBuilder().setOrgId(org);
    run.option("page-size").ifPresent(text -> request.setPageSize(AccountCommands.number("--page-size", text)));
    run.option("page-token").ifPresent(request::setPageToken);
    run.option("kinds").ifPresent(text -> {
      for (String name : text.split(",")) request.addKinds(kind(name.strip()));
    });
    ListAlertsResponse page = run.tally().read(org, () -> run.tally().accounts().listAlerts(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(page));
      return;
    }
    if (page.getAlertsCount() == 0) run.out().line("no alerts" + (page.getNextPageToken().isEmpty() ? "" : " on this page"));
    for (Alert alert : page.getAlertsList()) run.out().line(line(alert));
    if (!page.getNextPageToken().isEmpty()) run.out().line("next page: --page-token " + page.getNextPageToken());
  }

  /** {@code usage_threshold} or {@code USAGE_THRESHOLD} → the kind; anything else is a usage error. */
  private static Alert.Kind kind(String name) {
    for (Alert.Kind kind : Alert.Kind.values()) {
      if (kind != Alert.Kind.KIND_UNSPECIFIED && kind != Alert.Kind.UNRECOGNIZED && kind.name().equalsIgnoreCase(name)) return kind;
    }
    throw Failure.usage("--kinds: no alert kind \"" + name + "\" (usage_threshold, low_balance, depleted, resumed, "
        + "webhook_endpoint_disabled)");
  }

  /** The next alert or end, waiting at most until {@code until} (null: for ever); null once it passed. */
  private static Object next(BlockingQueue<Object> arrived, Instant until) {
    try {
      if (until == null) return arrived.take();
      long left = Duration.between(Instant.now(), until).toMillis();
      return left <= 0 ? arrived.poll() : arrived.poll(left, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Failure ended(Invocation run, String org, End end) {
    if (end.failure() instanceof TallyException failed) return run.tally().failure(failed, org.isEmpty() ? null : org, null);
    return Failure.unreachable("the node at " + run.tally().node + " ended the alert stream"
        + (end.failure() == null ? "" : ": " + end.failure().getMessage()) + "; watch again to go on");
  }

  /** One alert on one line: when, which org, what was crossed, the period's charges and balance then, and its event id (for --after). */
  private static String line(Alert alert) {
    String what = alert.getKind() == Alert.Kind.USAGE_THRESHOLD
        ? "USAGE_THRESHOLD " + alert.getThresholdPercent() + "%" : alert.getKind().name();
    return AccountCommands.time(alert.getRaisedAt()) + "  " + alert.getOrgId() + "  " + what
        + "  charged " + format(alert.getPeriodCharged()) + " credits in the period from "
        + AccountCommands.time(alert.getPeriodStart()) + ", " + format(alert.getAvailable()) + " available  "
        + alert.getEventId();
  }
}
