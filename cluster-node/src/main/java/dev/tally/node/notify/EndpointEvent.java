package dev.tally.node.notify;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import java.time.Instant;
import java.util.Set;

/** What happened to an org's webhook endpoints, in their journal ({@code webhook-endpoints|<org>}). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(EndpointEvent.Created.class),
  @JsonSubTypes.Type(EndpointEvent.Updated.class),
  @JsonSubTypes.Type(EndpointEvent.Deleted.class),
  @JsonSubTypes.Type(EndpointEvent.SecretRotated.class)
})
public sealed interface EndpointEvent extends CborSerializable {

  String endpointId();

  Instant at();

  record Created(Endpoint endpoint) implements EndpointEvent {
    @Override
    public String endpointId() {
      return endpoint.endpointId();
    }

    @Override
    public Instant at() {
      return endpoint.createdAt();
    }
  }

  /** Its URL, event types, description and whether it is enabled, as they are from now on. */
  record Updated(String endpointId, String url, Set<EventType> eventTypes, String description, boolean enabled,
      Instant at) implements EndpointEvent {}

  record Deleted(String endpointId, Instant at) implements EndpointEvent {}

  /** {@code secret} signs from {@code at}; the secret before it also until {@code previousUntil} (no later than {@code at}: not at all). */
  record SecretRotated(String endpointId, String requestId, String secret, Instant at, Instant previousUntil)
      implements EndpointEvent {}
}
