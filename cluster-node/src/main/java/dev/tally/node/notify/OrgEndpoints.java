package dev.tally.node.notify;

import dev.tally.node.CborSerializable;
import dev.tally.node.notify.EndpointEvent.Created;
import dev.tally.node.notify.EndpointEvent.Deleted;
import dev.tally.node.notify.EndpointEvent.SecretRotated;
import dev.tally.node.notify.EndpointEvent.Updated;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An org's webhook endpoints, oldest first: at most {@link #MAX_ENDPOINTS}. It decides what a change
 * does; {@link #apply} only applies.
 */
public record OrgEndpoints(List<Endpoint> endpoints) implements CborSerializable {

  /** Endpoints an org (or the operator, for every org) may have at once. */
  public static final int MAX_ENDPOINTS = 16;
  /** The longest a rotated-out secret may keep signing. */
  public static final Duration MAX_OVERLAP = Duration.ofDays(7);

  static final OrgEndpoints NONE = new OrgEndpoints(List.of());

  public OrgEndpoints {
    endpoints = List.copyOf(endpoints);
  }

  public Optional<Endpoint> withId(String endpointId) {
    return endpoints.stream().filter(e -> e.endpointId().equals(endpointId)).findFirst();
  }

  /** What a creation does. */
  public sealed interface Creation {}

  /** A new endpoint, to persist. */
  public record New(Endpoint endpoint) implements Creation {}

  /** Its request id created this same endpoint before: answer it (without its secret), change nothing. */
  public record Again(Endpoint recorded) implements Creation {}

  /** Its request id created another endpoint: refused. */
  public record Reused(Endpoint recorded) implements Creation {}

  /** The org has {@link #MAX_ENDPOINTS}: refused. */
  public record Full(int max) implements Creation {}

  /** A resent request id is answered first, whatever changed since; then the bound. */
  public Creation create(String endpointId, String requestId, String url, Set<EventType> types, String description,
      boolean enabled, String secret, Instant now) {
    Optional<Endpoint> earlier = endpoints.stream().filter(e -> e.requestId().equals(requestId)).findFirst();
    if (earlier.isPresent()) {
      return earlier.get().createdAs(url, types, description, enabled) ? new Again(earlier.get()) : new Reused(earlier.get());
    }
    if (endpoints.size() >= MAX_ENDPOINTS) return new Full(MAX_ENDPOINTS);
    return new New(new Endpoint(endpointId, requestId, url, types, description, enabled, now, now,
        List.of(new Endpoint.Secret(secret, now, null)), ""));
  }

  /** What a rotation does. */
  public sealed interface Rotation {}

  public record Rotate(SecretRotated event) implements Rotation {}

  /** The endpoint's latest rotation had this request id: answer it (without its secret), change nothing. */
  public record RotatedBefore(Endpoint endpoint) implements Rotation {}

  public record NoSuchEndpoint(String endpointId) implements Rotation {}

  public Rotation rotate(String endpointId, String requestId, String secret, Duration overlap, Instant now) {
    Optional<Endpoint> found = withId(endpointId);
    if (found.isEmpty()) return new NoSuchEndpoint(endpointId);
    if (found.get().rotationRequestId().equals(requestId)) return new RotatedBefore(found.get());
    return new Rotate(new SecretRotated(endpointId, requestId, secret, now, now.plus(overlap)));
  }

  OrgEndpoints apply(EndpointEvent event) {
    List<Endpoint> next = new ArrayList<>(endpoints);
    if (event instanceof Created created) {
      next.add(created.endpoint());
    } else if (event instanceof Updated u) {
      next.replaceAll(e -> e.endpointId().equals(u.endpointId())
          ? e.updated(u.url(), u.eventTypes(), u.description(), u.enabled(), u.at()) : e);
    } else if (event instanceof Deleted deleted) {
      next.removeIf(e -> e.endpointId().equals(deleted.endpointId()));
    } else {
      SecretRotated r = (SecretRotated) event;
      next.replaceAll(e -> e.endpointId().equals(r.endpointId()) ? e.rotated(r.requestId(), r.secret(), r.at(), r.previousUntil()) : e);
    }
    return new OrgEndpoints(next);
  }
}
