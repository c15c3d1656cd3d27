package dev.tally.node.notify;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.notify.EndpointEvent.Deleted;
import dev.tally.node.notify.EndpointEvent.Updated;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One org's webhook endpoints (issue 19 item 1; DESIGN §9 "webhooks"): a sharded, event-sourced
 * entity per org ({@code webhook-endpoints|<org>}), the single writer of its endpoints, so the bound
 * of {@link OrgEndpoints#MAX_ENDPOINTS} holds. The operator's endpoints for every org are the entity
 * {@link #ALL_ORGS}, which no org id can be.
 *
 * <p>Its journal holds the endpoints' signing secrets: a delivery is signed with them, so they cannot
 * be kept as hashes the way API keys are. The API shows a secret once (creation, rotation); the
 * deliverer reads them with {@link ListEndpoints}.
 */
public final class WebhookEndpoints
    extends EventSourcedBehaviorWithEnforcedReplies<WebhookEndpoints.Command, EndpointEvent, OrgEndpoints> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "webhook-endpoints");

  /** The entity of the operator's endpoints, sent every org's events: "*", which is no org id's character. */
  public static final String ALL_ORGS = "*";

  public sealed interface Command extends CborSerializable {}

  /** Create an endpoint; its id and first secret are made by the caller, so a resend is answered by request id. */
  public record Create(String endpointId, String requestId, String url, Set<EventType> eventTypes, String description,
      boolean enabled, String secret, ActorRef<Reply> replyTo) implements Command {}

  /** Change what is given (null: unchanged). */
  public record Update(String endpointId, String url, Set<EventType> eventTypes, String description, Boolean enabled,
      ActorRef<Reply> replyTo) implements Command {}

  public record Delete(String endpointId, ActorRef<Reply> replyTo) implements Command {}

  /** Make {@code secret} current; the current one keeps signing for {@code overlap} (zero: it stops now). */
  public record Rotate(String endpointId, String requestId, String secret, Duration overlap, ActorRef<Reply> replyTo)
      implements Command {}

  /** Every endpoint, with its secrets: for the API (which shows no secret) and the deliverer. */
  public record ListEndpoints(ActorRef<Reply> replyTo) implements Command {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(Reply.Created.class),
    @JsonSubTypes.Type(Reply.Changed.class),
    @JsonSubTypes.Type(Reply.Rotated.class),
    @JsonSubTypes.Type(Reply.Listed.class),
    @JsonSubTypes.Type(Reply.NotFound.class),
    @JsonSubTypes.Type(Reply.Full.class),
    @JsonSubTypes.Type(Reply.RequestIdReused.class)
  })
  public sealed interface Reply extends CborSerializable {

    /** {@code replayed}: its request id created it before; its secret is not to be shown again. */
    record Created(Endpoint endpoint, boolean replayed) implements Reply {}

    /** The endpoint as it is after an update, or as it was when deleted. */
    record Changed(Endpoint endpoint) implements Reply {}

    /** {@code replayed}: its request id rotated it before; the secret is not to be shown again. */
    record Rotated(Endpoint endpoint, boolean replayed) implements Reply {}

    record Listed(List<Endpoint> endpoints) implements Reply {}

    record NotFound(String endpointId) implements Reply {}

    record Full(int max) implements Reply {}

    record RequestIdReused(String endpointId) implements Reply {}
  }

  private final String orgId;
  private final Clock clock;
  private final Deliveries deliveries;

  private WebhookEndpoints(String orgId, Clock clock, Deliveries deliveries) {
    super(persistenceId(orgId));
    this.orgId = orgId;
    this.clock = clock;
    this.deliveries = deliveries;
  }

  /** The entity of org {@code orgId}'s endpoints ({@link #ALL_ORGS}: the operator's). */
  public static Behavior<Command> create(String orgId, Clock clock) {
    return new WebhookEndpoints(orgId, clock, Deliveries.NONE);
  }

  /** The entity of org {@code orgId}'s endpoints, telling {@code deliveries} of each change. */
  public static Behavior<Command> create(String orgId, Clock clock, Deliveries deliveries) {
    return new WebhookEndpoints(orgId, clock, deliveries);
  }

  /** The dispatcher of the org's slice learns the endpoints as they are now. */
  private void tell(OrgEndpoints after) {
    deliveries.changed(orgId, after.endpoints());
  }

  public static PersistenceId persistenceId(String orgId) {
    return PersistenceId.of(ENTITY_TYPE.name(), orgId, "|");
  }

  @Override
  public OrgEndpoints emptyState() {
    return OrgEndpoints.NONE;
  }

  @Override
  public CommandHandlerWithReply<Command, EndpointEvent, OrgEndpoints> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Create.class, this::create)
        .onCommand(Update.class, this::update)
        .onCommand(Delete.class, (state, delete) -> state.withId(delete.endpointId())
            .map(endpoint -> Effect().persist(new Deleted(endpoint.endpointId(), clock.instant()))
                .thenRun(this::tell)
                .thenReply(delete.replyTo(), after -> (Reply) new Reply.Changed(endpoint)))
            .orElseGet(() -> Effect().reply(delete.replyTo(), new Reply.NotFound(delete.endpointId()))))
        .onCommand(Rotate.class, this::rotate)
        .onCommand(ListEndpoints.class, (state, list) -> Effect().reply(list.replyTo(), new Reply.Listed(state.endpoints())))
        .build();
  }

  private ReplyEffect<EndpointEvent, OrgEndpoints> create(OrgEndpoints state, Create c) {
    OrgEndpoints.Creation creation = state.create(c.endpointId(), c.requestId(), c.url(), c.eventTypes(), c.description(),
        c.enabled(), c.secret(), clock.instant());
    if (creation instanceof OrgEndpoints.New fresh) {
      return Effect().persist(new EndpointEvent.Created(fresh.endpoint()))
          .thenRun(this::tell)
          .thenReply(c.replyTo(), after -> new Reply.Created(fresh.endpoint(), false));
    }
    Reply answer;
    if (creation instanceof OrgEndpoints.Again again) answer = new Reply.Created(again.recorded(), true);
    else if (creation instanceof OrgEndpoints.Reused reused) answer = new Reply.RequestIdReused(reused.recorded().endpointId());
    else answer = new Reply.Full(((OrgEndpoints.Full) creation).max());
    return Effect().reply(c.replyTo(), answer);
  }

  private ReplyEffect<EndpointEvent, OrgEndpoints> update(OrgEndpoints state, Update u) {
    Endpoint endpoint = state.withId(u.endpointId()).orElse(null);
    if (endpoint == null) return Effect().reply(u.replyTo(), new Reply.NotFound(u.endpointId()));
    Updated updated = new Updated(endpoint.endpointId(),
        u.url() != null ? u.url() : endpoint.url(),
        u.eventTypes() != null ? u.eventTypes() : endpoint.eventTypes(),
        u.description() != null ? u.description() : endpoint.description(),
        u.enabled() != null ? u.enabled() : endpoint.enabled(),
        clock.instant());
    if (endpoint.createdAs(updated.url(), updated.eventTypes(), updated.description(), updated.enabled())) {
      return Effect().reply(u.replyTo(), new Reply.Changed(endpoint)); // nothing changes: nothing to persist
    }
    return Effect().persist(updated)
        .thenRun(this::tell)
        .thenReply(u.replyTo(), after -> new Reply.Changed(after.withId(u.endpointId()).orElseThrow()));
  }

  private ReplyEffect<EndpointEvent, OrgEndpoints> rotate(OrgEndpoints state, Rotate r) {
    OrgEndpoints.Rotation rotation = state.rotate(r.endpointId(), r.requestId(), r.secret(), r.overlap(), clock.instant());
    if (rotation instanceof OrgEndpoints.Rotate rotate) {
      return Effect().persist(rotate.event())
          .thenRun(this::tell)
          .thenReply(r.replyTo(), after -> new Reply.Rotated(after.withId(r.endpointId()).orElseThrow(), false));
    }
    if (rotation instanceof OrgEndpoints.RotatedBefore before) {
      return Effect().reply(r.replyTo(), new Reply.Rotated(before.endpoint(), true));
    }
    return Effect().reply(r.replyTo(), new Reply.NotFound(r.endpointId()));
  }

  @Override
  public EventHandler<OrgEndpoints, EndpointEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(OrgEndpoints::apply);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
