package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.Operation;
import dev.tally.node.auth.Principal;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.notify.Attempt;
import dev.tally.node.notify.Deliveries;
import dev.tally.node.notify.DeliveryTable;
import dev.tally.node.notify.Endpoint;
import dev.tally.node.notify.EndpointUrls;
import dev.tally.node.notify.EventType;
import dev.tally.node.notify.OrgEndpoints;
import dev.tally.node.notify.WebhookEndpoints;
import dev.tally.node.notify.WebhookEvent;
import dev.tally.node.notify.WebhookEndpoints.Reply;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.CreateWebhookEndpointResponse;
import dev.tally.v1.DeleteWebhookEndpointRequest;
import dev.tally.v1.DeleteWebhookEndpointResponse;
import dev.tally.v1.ListWebhookEndpointsRequest;
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
import dev.tally.v1.WebhookDeliveryOutcome;
import dev.tally.v1.WebhookEventType;
import dev.tally.v1.WebhookSecretHint;
import dev.tally.v1.WebhookSignature;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Accounts' webhook endpoint calls (issue 19 item 1): each checks its request (the URL through
 * {@link EndpointUrls}), makes the endpoint's id and secrets here (random, so the entity's state
 * stays a pure function of its events), then hands it to the org's {@link WebhookEndpoints} entity,
 * the one writer of the org's endpoints. No response carries a secret but Create's and Rotate's.
 */
final class WebhookCalls {

  static final Pattern ENDPOINT_ID = Pattern.compile("we_[0-9a-f]{24}");
  static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);
  static final int SECRET_BYTES = 32;

  static final int DEFAULT_PAGE = 50;

  private final OrgCalls calls;
  private final Deliveries deliveries;
  private final ClusterSharding sharding;
  private final EndpointUrls urls;
  private final Duration timeout;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** @param clock against which a rotated-out secret still shows or is gone */
  WebhookCalls(OrgBatcher batcher, ClusterSharding sharding, EndpointUrls urls, Duration timeout, Clock clock,
      Deliveries deliveries) {
    this.calls = new OrgCalls(batcher);
    this.deliveries = deliveries;
    this.clock = clock;
    this.sharding = sharding;
    this.urls = urls;
    this.timeout = timeout;
  }

  void create(CreateWebhookEndpointRequest request, StreamObserver<CreateWebhookEndpointResponse> responses) {
    RequestChecks checks = new RequestChecks().id("request_id", request.getRequestId())
        .text("description", request.getDescription(), RequestChecks.MAX_TEXT_LENGTH);
    scope(checks, request.getOrgId());
    url(checks, request.getUrl());
    Set<EventType> types = eventTypes(checks, request.getEventTypesValueList());
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    String secret = newSecret();
    String endpointId = "we_" + HexFormat.of().formatHex(randomBytes(12));
    Deadline deadline = Context.current().getDeadline();
    whenOrgExists(orgId, responses, () -> ask(orgId, replyTo -> new WebhookEndpoints.Create(endpointId,
            request.getRequestId(), request.getUrl(), types, request.getDescription(), !request.getDisabled(), secret, replyTo),
        deadline)
        .thenApply(reply -> {
          if (reply instanceof Reply.Created created) {
            CreateWebhookEndpointResponse.Builder response = CreateWebhookEndpointResponse.newBuilder()
                .setEndpoint(proto(orgId, created.endpoint())).setReplayed(created.replayed());
            if (!created.replayed()) response.setSecret(created.endpoint().secrets().get(0).secret());
            return response.build();
          }
          if (reply instanceof Reply.Full full) throw TallyErrors.webhookEndpointsLimit(full.max());
          if (reply instanceof Reply.RequestIdReused reused) throw TallyErrors.webhookRequestIdReused(reused.endpointId());
          throw new IllegalStateException("a creation was answered " + reply);
        })
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure)));
  }

  void list(ListWebhookEndpointsRequest request, StreamObserver<ListWebhookEndpointsResponse> responses) {
    RequestChecks checks = new RequestChecks();
    scope(checks, request.getOrgId());
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    Deadline deadline = Context.current().getDeadline();
    boolean orgKey = Principal.currentOrgId() != null;
    whenOrgExists(orgId, responses, () -> ask(orgId, WebhookEndpoints.ListEndpoints::new, deadline)
        .thenApply(reply -> {
          ListWebhookEndpointsResponse.Builder response = ListWebhookEndpointsResponse.newBuilder();
          for (Endpoint endpoint : ((Reply.Listed) reply).endpoints()) {
            dev.tally.v1.WebhookEndpoint shown = proto(orgId, endpoint);
            response.addEndpoints(orgKey ? shown.toBuilder().setUrl(withoutQuery(shown.getUrl())).build() : shown);
          }
          return response.build();
        })
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure)));
  }

  void update(UpdateWebhookEndpointRequest request, StreamObserver<UpdateWebhookEndpointResponse> responses) {
    RequestChecks checks = new RequestChecks();
    scope(checks, request.getOrgId());
    endpointId(checks, request.getEndpointId());
    if (request.hasUrl()) url(checks, request.getUrl());
    Set<EventType> types = request.hasEventTypes() ? eventTypes(checks, request.getEventTypes().getEventTypesValueList()) : null;
    if (request.hasDescription()) checks.text("description", request.getDescription(), RequestChecks.MAX_TEXT_LENGTH);
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    ask(orgId, replyTo -> new WebhookEndpoints.Update(request.getEndpointId(), request.hasUrl() ? request.getUrl() : null, types,
            request.hasDescription() ? request.getDescription() : null, request.hasEnabled() ? request.getEnabled() : null, replyTo),
        Context.current().getDeadline())
        .thenApply(reply -> UpdateWebhookEndpointResponse.newBuilder().setEndpoint(proto(orgId, changed(reply))).build())
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  void delete(DeleteWebhookEndpointRequest request, StreamObserver<DeleteWebhookEndpointResponse> responses) {
    RequestChecks checks = new RequestChecks();
    scope(checks, request.getOrgId());
    endpointId(checks, request.getEndpointId());
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    ask(orgId, replyTo -> new WebhookEndpoints.Delete(request.getEndpointId(), replyTo), Context.current().getDeadline())
        .thenApply(reply -> DeleteWebhookEndpointResponse.newBuilder().setEndpoint(proto(orgId, changed(reply))).build())
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  void rotate(RotateWebhookSecretRequest request, StreamObserver<RotateWebhookSecretResponse> responses) {
    RequestChecks checks = new RequestChecks().id("request_id", request.getRequestId());
    scope(checks, request.getOrgId());
    endpointId(checks, request.getEndpointId());
    Duration overlap = request.hasOverlap() ? checks.duration("overlap", request.getOverlap()) : DEFAULT_OVERLAP;
    if (overlap != null) {
      checks.require(!overlap.isNegative() && overlap.compareTo(OrgEndpoints.MAX_OVERLAP) <= 0,
          "overlap", "must be between 0 s and " + OrgEndpoints.MAX_OVERLAP.toDays() + " days");
    }
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    String secret = newSecret();
    ask(orgId, replyTo -> new WebhookEndpoints.Rotate(request.getEndpointId(), request.getRequestId(), secret, overlap, replyTo),
        Context.current().getDeadline())
        .thenApply(reply -> {
          if (reply instanceof Reply.Rotated rotated) {
            RotateWebhookSecretResponse.Builder response = RotateWebhookSecretResponse.newBuilder()
                .setEndpoint(proto(orgId, rotated.endpoint())).setReplayed(rotated.replayed());
            if (!rotated.replayed()) response.setSecret(rotated.endpoint().secrets().get(0).secret());
            return response.build();
          }
          if (reply instanceof Reply.NotFound notFound) throw TallyErrors.webhookEndpointNotFound(notFound.endpointId());
          throw new IllegalStateException("a rotation was answered " + reply);
        })
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  void deliveries(ListWebhookDeliveriesRequest request, StreamObserver<ListWebhookDeliveriesResponse> responses) {
    RequestChecks checks = new RequestChecks();
    scope(checks, request.getOrgId());
    endpointId(checks, request.getEndpointId());
    checks.require(request.getPageSize() >= 0 && request.getPageSize() <= DeliveryTable.MAX_PAGE, "page_size",
        "must be between 0 (" + DEFAULT_PAGE + ") and " + DeliveryTable.MAX_PAGE);
    DeliveryTable.After after = pageToken(request.getPageToken());
    checks.require(request.getPageToken().isEmpty() || after != null, "page_token", "is not a token this service gave out");
    if (refuseInvalid(checks, responses)) return;
    int size = request.getPageSize() == 0 ? DEFAULT_PAGE : request.getPageSize();
    endpoint(request.getOrgId(), request.getEndpointId(), Context.current().getDeadline())
        .thenCompose(endpoint -> deliveries.log(endpoint.endpointId(), after, size))
        .thenApply(attempts -> {
          ListWebhookDeliveriesResponse.Builder response = ListWebhookDeliveriesResponse.newBuilder();
          for (Attempt attempt : attempts) {
            response.addAttempts(WebhookDeliveryAttempt.newBuilder()
                .setEventId(attempt.eventId())
                .setEventType(proto(attempt.type()))
                .setEventOrgId(attempt.orgId())
                .setAttempt(attempt.attempt())
                .setAttemptedAt(timestamp(attempt.attemptedAt()))
                .setStatusCode(attempt.statusCode())
                .setLatency(com.google.protobuf.Duration.newBuilder().setSeconds(attempt.latencyMillis() / 1000)
                    .setNanos((int) (attempt.latencyMillis() % 1000) * 1_000_000))
                .setError(attempt.error())
                .setOutcome(WebhookDeliveryOutcome.valueOf("WEBHOOK_DELIVERY_OUTCOME_" + attempt.outcome().name())));
          }
          if (attempts.size() == size) {
            Attempt last = attempts.get(attempts.size() - 1);
            response.setNextPageToken(pageToken(new DeliveryTable.After(last.attemptedAt(), last.eventId(), last.attempt())));
          }
          return response.build();
        })
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  void replay(ReplayWebhookEventsRequest request, StreamObserver<ReplayWebhookEventsResponse> responses) {
    RequestChecks checks = new RequestChecks();
    String orgId = request.getOrgId();
    scope(checks, orgId);
    endpointId(checks, request.getEndpointId());
    boolean everyOrg = orgId.equals(WebhookEndpoints.ALL_ORGS);
    WebhookEvent.Source one = null;
    Instant from = null;
    Instant to = null;
    String eventsOrg = request.getEventsOrgId().isEmpty() ? orgId : request.getEventsOrgId();
    if (!request.getEventsOrgId().isEmpty()) {
      checks.orgId(request.getEventsOrgId());
      checks.require(everyOrg || request.getEventsOrgId().equals(orgId), "events_org_id",
          "must be empty or org_id for an org's endpoint");
    }
    if (request.hasEventId()) {
      one = WebhookEvent.source(request.getEventId()).orElse(null);
      checks.require(one != null, "event_id", "must be an event id a delivery carried: evt_<sequence number>_<index>_<org id>");
      if (one != null) {
        checks.require(everyOrg || one.orgId().equals(orgId), "event_id", "must be an event of org_id " + orgId);
      }
    } else if (request.hasRange()) {
      checks.require(request.getRange().hasFrom(), "range.from", "is required");
      checks.require(request.getRange().hasTo(), "range.to", "is required");
      from = request.getRange().hasFrom() ? checks.instant("range.from", request.getRange().getFrom()) : null;
      to = request.getRange().hasTo() ? checks.instant("range.to", request.getRange().getTo()) : null;
      if (from != null && to != null) {
        checks.require(from.isBefore(to), "range.to", "must be after range.from");
        checks.require(!to.isAfter(from.plus(Deliveries.MAX_REPLAY_RANGE)), "range",
            "must span at most " + Deliveries.MAX_REPLAY_RANGE.toDays() + " days");
      }
      checks.require(!everyOrg || !request.getEventsOrgId().isEmpty(), "events_org_id",
          "is required for an operator's endpoint (org_id \"*\")");
    } else {
      checks.violation("event_id", "or range is required");
    }
    if (refuseInvalid(checks, responses)) return;
    WebhookEvent.Source event = one;
    Instant rangeFrom = from;
    Instant rangeTo = to;
    endpoint(orgId, request.getEndpointId(), Context.current().getDeadline())
        .thenCompose(endpoint -> {
          if (!endpoint.enabled()) throw TallyErrors.webhookEndpointDisabled(endpoint.endpointId());
          return event != null ? deliveries.replay(orgId, endpoint, event)
              : deliveries.replay(orgId, endpoint, eventsOrg, rangeFrom, rangeTo);
        })
        .thenApply(replay -> {
          if (replay instanceof Deliveries.NoSuchEvent missing) throw TallyErrors.webhookEventNotFound(missing.eventId());
          Deliveries.Queued queued = (Deliveries.Queued) replay;
          return ReplayWebhookEventsResponse.newBuilder().addAllEventIds(queued.eventIds()).setTruncated(queued.truncated()).build();
        })
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  /** The endpoint of {@code orgId} ("*": the operator's) with this id; fails WEBHOOK_ENDPOINT_NOT_FOUND. */
  private CompletableFuture<Endpoint> endpoint(String orgId, String endpointId, Deadline deadline) {
    return ask(orgId, WebhookEndpoints.ListEndpoints::new, deadline).thenApply(reply -> ((Reply.Listed) reply).endpoints()
        .stream().filter(e -> e.endpointId().equals(endpointId)).findFirst()
        .orElseThrow(() -> TallyErrors.webhookEndpointNotFound(endpointId)));
  }

  /** {@code <epoch millis>.<attempt>.<event id>} in URL-safe base64; null when it is none. */
  static DeliveryTable.After pageToken(String token) {
    if (token.isEmpty()) return null;
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\.", 3);
      if (parts.length != 3 || WebhookEvent.source(parts[2]).isEmpty()) return null;
      return new DeliveryTable.After(Instant.ofEpochMilli(Long.parseLong(parts[0])), parts[2], Integer.parseInt(parts[1]));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      return null;
    }
  }

  static String pageToken(DeliveryTable.After after) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        (after.attemptedAt().toEpochMilli() + "." + after.attempt() + "." + after.eventId()).getBytes(StandardCharsets.UTF_8));
  }

  private Endpoint changed(Reply reply) {
    if (reply instanceof Reply.Changed changed) return changed.endpoint();
    if (reply instanceof Reply.NotFound notFound) throw TallyErrors.webhookEndpointNotFound(notFound.endpointId());
    throw new IllegalStateException("a change was answered " + reply);
  }

  /**
   * An endpoint's URL as the org's own keys see it: what follows its path (a query, where a receiver's token
   * often is, or a fragment) is "…". The operator, who registered it, sees all of it.
   */
  static String withoutQuery(String url) {
    int query = url.indexOf('?');
    int fragment = url.indexOf('#');
    int cut = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
    return cut < 0 ? url : url.substring(0, cut + 1) + "…";
  }

  /** An org's id, or {@link WebhookEndpoints#ALL_ORGS} for the operator's endpoints. */
  private static void scope(RequestChecks checks, String orgId) {
    if (!orgId.equals(WebhookEndpoints.ALL_ORGS)) checks.orgId(orgId);
  }

  private static void endpointId(RequestChecks checks, String endpointId) {
    checks.require(ENDPOINT_ID.matcher(endpointId).matches(), "endpoint_id",
        "must be an endpoint_id CreateWebhookEndpoint gave: we_ and 24 hex digits");
  }

  private void url(RequestChecks checks, String url) {
    urls.refusal(url).ifPresent(refusal -> checks.violation("url", refusal));
  }

  /** The subscription of a request's event types; a violation for unknown, unspecified or repeated ones. */
  private static Set<EventType> eventTypes(RequestChecks checks, List<Integer> numbers) {
    Set<EventType> types = EnumSet.noneOf(EventType.class);
    for (int i = 0; i < numbers.size(); i++) {
      WebhookEventType type = WebhookEventType.forNumber(numbers.get(i));
      if (type == null || type == WebhookEventType.WEBHOOK_EVENT_TYPE_UNSPECIFIED) {
        checks.violation("event_types[" + i + "]", "must be a WebhookEventType other than UNSPECIFIED, not " + numbers.get(i));
      } else if (!types.add(eventType(type))) {
        checks.violation("event_types[" + i + "]", "names " + type + " a second time");
      }
    }
    return types;
  }

  private static final String TYPE_PREFIX = "WEBHOOK_EVENT_TYPE_";

  static EventType eventType(WebhookEventType type) {
    return EventType.valueOf(type.name().substring(TYPE_PREFIX.length()));
  }

  static WebhookEventType proto(EventType type) {
    return WebhookEventType.valueOf(TYPE_PREFIX + type.name());
  }

  /** An org's calls first ask its account, so an unknown org is ORG_NOT_FOUND rather than no endpoints. */
  private void whenOrgExists(String orgId, StreamObserver<?> responses, Runnable next) {
    if (orgId.equals(WebhookEndpoints.ALL_ORGS)) next.run();
    else calls.runThen(orgId, new Operation.GetOrg(), responses, next);
  }

  private String newSecret() {
    return WebhookSignature.secret(randomBytes(SECRET_BYTES));
  }

  private byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }

  private CompletableFuture<Reply> ask(String orgId, Function<ActorRef<Reply>, WebhookEndpoints.Command> command,
      Deadline deadline) {
    CompletableFuture<Reply> reply = sharding.entityRefFor(WebhookEndpoints.ENTITY_TYPE, orgId)
        .<Reply>ask(command::apply, timeout).toCompletableFuture();
    return Replies.withinDeadline(reply, deadline);
  }

  /** An endpoint as the API shows it: its secrets by their hints only. */
  dev.tally.v1.WebhookEndpoint proto(String orgId, Endpoint endpoint) {
    dev.tally.v1.WebhookEndpoint.Builder proto = dev.tally.v1.WebhookEndpoint.newBuilder()
        .setEndpointId(endpoint.endpointId())
        .setOrgId(orgId)
        .setUrl(endpoint.url())
        .setDescription(endpoint.description())
        .setEnabled(endpoint.enabled())
        .setCreatedAt(timestamp(endpoint.createdAt()))
        .setUpdatedAt(timestamp(endpoint.updatedAt()));
    endpoint.eventTypes().stream().sorted().forEach(type -> proto.addEventTypes(proto(type)));
    for (Endpoint.Secret secret : endpoint.secretsAt(clock.instant())) {
      WebhookSecretHint.Builder hint = WebhookSecretHint.newBuilder()
          .setHint(WebhookSignature.SECRET_PREFIX + "..." + secret.secret().substring(secret.secret().length() - 4))
          .setCreatedAt(timestamp(secret.createdAt()));
      if (secret.expiresAt() != null) hint.setExpiresAt(timestamp(secret.expiresAt()));
      proto.addSecrets(hint);
    }
    return proto.build();
  }
}
