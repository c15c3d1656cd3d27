package dev.tally.ops.tallyctl;

import com.google.gson.JsonObject;
import com.google.protobuf.Duration;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.CreateWebhookEndpointResponse;
import dev.tally.v1.DeleteWebhookEndpointRequest;
import dev.tally.v1.DeleteWebhookEndpointResponse;
import dev.tally.v1.ListWebhookEndpointsResponse;
import dev.tally.v1.RotateWebhookSecretRequest;
import dev.tally.v1.RotateWebhookSecretResponse;
import dev.tally.v1.UpdateWebhookEndpointRequest;
import dev.tally.v1.UpdateWebhookEndpointResponse;
import dev.tally.v1.ListWebhookDeliveriesRequest;
import dev.tally.v1.ListWebhookDeliveriesResponse;
import dev.tally.v1.ReplayWebhookEventsRequest;
import dev.tally.v1.ReplayWebhookEventsResponse;
import dev.tally.v1.WebhookDeliveryAttempt;
import dev.tally.v1.WebhookEndpoint;
import dev.tally.v1.WebhookTimeRange;
import dev.tally.v1.WebhookEventType;
import dev.tally.v1.WebhookEventTypes;
import dev.tally.v1.WebhookSecretHint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Webhook endpoints: register one (its secret printed once), list, change, delete, rotate its secret.
 * Each needs an admin key; ORG "*" (quoted in a shell) is the operator's endpoints for every org.
 */
final class WebhookCommands {

  private static final String TYPE_PREFIX = "WEBHOOK_EVENT_TYPE_";

  /** The event type names tallyctl takes and prints: the enum's without its prefix, lowercase. */
  static final String EVENT_NAMES = Arrays.stream(WebhookEventType.values())
      .filter(type -> type != WebhookEventType.WEBHOOK_EVENT_TYPE_UNSPECIFIED && type != WebhookEventType.UNRECOGNIZED)
      .map(WebhookCommands::name)
      .collect(Collectors.joining(", "));

  private WebhookCommands() {}

  static void create(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    CreateWebhookEndpointRequest.Builder request = CreateWebhookEndpointRequest.newBuilder()
        .setOrgId(org).setRequestId(requestId).setUrl(run.operand(1))
        .setDisabled(run.arguments().flag("disabled"));
    run.option("events").ifPresent(list -> request.addAllEventTypes(eventTypes(list)));
    run.option("description").ifPresent(request::setDescription);
    CreateWebhookEndpointResponse created = run.tally().change(scope(org), requestId,
        () -> run.tally().accounts().createWebhookEndpoint(request.build()));
    if (run.out().json) {
      JsonObject document = ApiJson.of(created);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    String id = created.getEndpoint().getEndpointId();
    if (created.getReplayed()) {
      run.out().line("this request id ran before and created webhook endpoint " + id + "; its secret was printed by that run"
          + " only (lost it? tallyctl webhook rotate-secret " + org + " " + id + ")");
    } else {
      run.out().line("created webhook endpoint " + id + " for " + who(org) + "; its signing secret is shown only now:");
      run.out().line(created.getSecret());
    }
    run.out().table(details(created.getEndpoint()).row("request id", requestId));
  }

  static void list(Invocation run) {
    String org = run.operand(0);
    ListWebhookEndpointsResponse listed = run.tally().read(scope(org), () -> run.tally().accounts().listWebhookEndpoints(org));
    if (run.out().json) {
      run.out().document(ApiJson.of(listed));
      return;
    }
    Table table = new Table("ENDPOINT ID", "URL", "EVENTS", "ENABLED", "SECRETS", "DESCRIPTION", "UPDATED AT");
    for (WebhookEndpoint endpoint : listed.getEndpointsList()) {
      table.row(endpoint.getEndpointId(), endpoint.getUrl(), events(endpoint.getEventTypesList()),
          endpoint.getEnabled() ? "yes" : "no", secrets(endpoint.getSecretsList()), endpoint.getDescription(),
          AccountCommands.time(endpoint.getUpdatedAt()));
    }
    run.out().table(table);
  }

  /** Sets what the options give; an update is its own idempotency key: rerunning it sets the same again. */
  static void update(Invocation run) {
    String org = run.operand(0);
    UpdateWebhookEndpointRequest.Builder request = UpdateWebhookEndpointRequest.newBuilder()
        .setOrgId(org).setEndpointId(run.operand(1));
    run.option("url").ifPresent(request::setUrl);
    run.option("events").ifPresent(list -> request.setEventTypes(WebhookEventTypes.newBuilder()
        .addAllEventTypes(list.equalsIgnoreCase("all") ? List.of() : eventTypes(list))));
    run.option("description").ifPresent(request::setDescription);
    boolean enable = run.arguments().flag("enable");
    boolean disable = run.arguments().flag("disable");
    if (enable && disable) throw Failure.usage("--enable and --disable: choose one");
    if (enable || disable) request.setEnabled(enable);
    if (!request.hasUrl() && !request.hasEventTypes() && !request.hasDescription() && !request.hasEnabled()) {
      throw Failure.usage("webhook update: nothing to change; give --url, --events, --description, --enable or --disable");
    }
    UpdateWebhookEndpointResponse updated = run.tally().change(scope(org), null,
        () -> run.tally().accounts().updateWebhookEndpoint(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(updated));
      return;
    }
    run.out().line("updated webhook endpoint " + updated.getEndpoint().getEndpointId() + " of " + who(org));
    run.out().table(details(updated.getEndpoint()));
  }

  static void delete(Invocation run) {
    String org = run.operand(0);
    DeleteWebhookEndpointRequest request = DeleteWebhookEndpointRequest.newBuilder()
        .setOrgId(org).setEndpointId(run.operand(1)).build();
    DeleteWebhookEndpointResponse deleted = run.tally().change(scope(org), null,
        () -> run.tally().accounts().deleteWebhookEndpoint(request));
    if (run.out().json) {
      run.out().document(ApiJson.of(deleted));
      return;
    }
    run.out().line("deleted webhook endpoint " + deleted.getEndpoint().getEndpointId() + " (" + deleted.getEndpoint().getUrl()
        + ") of " + who(org) + "; it is sent nothing more");
  }

  static void rotateSecret(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    RotateWebhookSecretRequest.Builder request = RotateWebhookSecretRequest.newBuilder()
        .setOrgId(org).setEndpointId(run.operand(1)).setRequestId(requestId);
    run.option("overlap").ifPresent(text -> request.setOverlap(
        Duration.newBuilder().setSeconds(DurationText.parse("overlap", text).toSeconds()).build()));
    RotateWebhookSecretResponse rotated = run.tally().change(scope(org), requestId,
        () -> run.tally().accounts().rotateWebhookSecret(request.build()));
    if (run.out().json) {
      JsonObject document = ApiJson.of(rotated);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    String id = rotated.getEndpoint().getEndpointId();
    if (rotated.getReplayed()) {
      run.out().line("this request id rotated the secret of " + id + " before; the secret was printed by that run only");
    } else {
      run.out().line("rotated the signing secret of webhook endpoint " + id + "; the new secret is shown only now:");
      run.out().line(rotated.getSecret());
    }
    run.out().table(details(rotated.getEndpoint()).row("request id", requestId));
  }

  static void deliveries(Invocation run) {
    String org = run.operand(0);
    ListWebhookDeliveriesRequest.Builder request = ListWebhookDeliveriesRequest.newBuilder()
        .setOrgId(org).setEndpointId(run.operand(1));
    run.option("page-size").ifPresent(text -> request.setPageSize(AccountCommands.number("--page-size", text)));
    run.option("page-token").ifPresent(request::setPageToken);
    ListWebhookDeliveriesResponse page = run.tally().read(scope(org), () -> run.tally().accounts().listWebhookDeliveries(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(page));
      return;
    }
    Table table = new Table("ATTEMPTED AT", "EVENT ID", "TYPE", "ATTEMPT", "STATUS", "LATENCY", "OUTCOME", "ERROR");
    for (WebhookDeliveryAttempt attempt : page.getAttemptsList()) {
      table.row(AccountCommands.time(attempt.getAttemptedAt()), attempt.getEventId(), name(attempt.getEventType()),
          Integer.toString(attempt.getAttempt()), attempt.getStatusCode() == 0 ? "-" : Integer.toString(attempt.getStatusCode()),
          (attempt.getLatency().getSeconds() * 1000 + attempt.getLatency().getNanos() / 1_000_000) + " ms",
          attempt.getOutcome().name().substring("WEBHOOK_DELIVERY_OUTCOME_".length()).toLowerCase(), attempt.getError());
    }
    run.out().table(table);
    if (!page.getNextPageToken().isEmpty()) run.out().line("next page: --page-token " + page.getNextPageToken());
  }

  static void replay(Invocation run) {
    String org = run.operand(0);
    ReplayWebhookEventsRequest.Builder request = ReplayWebhookEventsRequest.newBuilder()
        .setOrgId(org).setEndpointId(run.operand(1));
    var event = run.option("event");
    var from = run.option("from");
    var to = run.option("to");
    if (event.isPresent() == (from.isPresent() || to.isPresent())) {
      throw Failure.usage("webhook replay: give --event, or --from and --to");
    }
    event.ifPresent(request::setEventId);
    if (from.isPresent() || to.isPresent()) {
      if (from.isEmpty() || to.isEmpty()) throw Failure.usage("webhook replay: a range needs both --from and --to");
      request.setRange(WebhookTimeRange.newBuilder()
          .setFrom(AccountCommands.timestamp("--from", from.get())).setTo(AccountCommands.timestamp("--to", to.get())));
    }
    run.option("events-org").ifPresent(request::setEventsOrgId);
    // A replay queues the events again each time it runs: the receiver tells them apart by their ids.
    ReplayWebhookEventsResponse replayed = run.tally().change(scope(org), null,
        () -> run.tally().accounts().replayWebhookEvents(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(replayed));
      return;
    }
    run.out().line("queued " + replayed.getEventIdsCount() + " events for webhook endpoint " + run.operand(1)
        + (replayed.getTruncated() ? " (the range held more; replay from the last one's time on)" : ""));
    replayed.getEventIdsList().forEach(id -> run.out().line(id));
  }

  private static Table details(WebhookEndpoint endpoint) {
    Table table = new Table()
        .row("endpoint id", endpoint.getEndpointId())
        .row("org", endpoint.getOrgId().equals("*") ? "* (every org)" : endpoint.getOrgId())
        .row("url", endpoint.getUrl())
        .row("events", events(endpoint.getEventTypesList()))
        .row("enabled", endpoint.getEnabled() ? "yes" : "no")
        .row("description", endpoint.getDescription());
    for (WebhookSecretHint secret : endpoint.getSecretsList()) {
      table.row("secret", secret.getHint() + (secret.hasExpiresAt() ? " (stops " + AccountCommands.time(secret.getExpiresAt()) + ")" : ""));
    }
    return table;
  }

  private static String secrets(List<WebhookSecretHint> secrets) {
    return secrets.stream()
        .map(s -> s.getHint() + (s.hasExpiresAt() ? " until " + AccountCommands.time(s.getExpiresAt()) : ""))
        .collect(Collectors.joining(", "));
  }

  private static String events(List<WebhookEventType> types) {
    return types.isEmpty() ? "all" : types.stream().map(WebhookCommands::name).collect(Collectors.joining(","));
  }

  static String name(WebhookEventType type) {
    return type.name().substring(TYPE_PREFIX.length()).toLowerCase(Locale.ROOT);
  }

  /** A comma-separated list of event type names, e.g. credits_granted,usage_threshold_reached. */
  static List<WebhookEventType> eventTypes(String list) {
    List<WebhookEventType> types = new ArrayList<>();
    for (String name : list.split(",")) {
      String wanted = TYPE_PREFIX + name.strip().toUpperCase(Locale.ROOT);
      WebhookEventType type = Arrays.stream(WebhookEventType.values())
          .filter(t -> t != WebhookEventType.UNRECOGNIZED && t != WebhookEventType.WEBHOOK_EVENT_TYPE_UNSPECIFIED)
          .filter(t -> t.name().equals(wanted))
          .findFirst()
          .orElseThrow(() -> Failure.usage("not an event type: " + name.strip() + " (" + EVENT_NAMES + ")"));
      types.add(type);
    }
    return types;
  }

  /** The org a failure names: none for the operator's endpoints. */
  private static String scope(String org) {
    return org.equals("*") ? null : org;
  }

  private static String who(String org) {
    return org.equals("*") ? "every org" : org;
  }
}
