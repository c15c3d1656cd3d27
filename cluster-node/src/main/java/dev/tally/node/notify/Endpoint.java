package dev.tally.node.notify;

import dev.tally.node.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One webhook endpoint of an org (or of every org: {@link WebhookEndpoints#ALL_ORGS}).
 *
 * @param endpointId what the API names it by: {@code we_} and 24 hex digits, made at its creation
 * @param requestId the request id that created it, so a resent creation finds it
 * @param eventTypes what it is sent; empty: every type
 * @param secrets the secrets that sign its deliveries, newest first: the current one (no expiry), and
 *     during a rotation's overlap the one before it (until its {@code expiresAt}). Never more than two
 * @param rotationRequestId the request id of its latest rotation ("" before any), so a resent rotation finds it
 */
public record Endpoint(
    String endpointId,
    String requestId,
    String url,
    Set<EventType> eventTypes,
    String description,
    boolean enabled,
    Instant createdAt,
    Instant updatedAt,
    List<Secret> secrets,
    String rotationRequestId)
    implements CborSerializable {

  /** A signing secret ({@code whsec_...}); {@code expiresAt} null for the current one. */
  public record Secret(String secret, Instant createdAt, Instant expiresAt) implements CborSerializable {
    boolean validAt(Instant now) {
      return expiresAt == null || now.isBefore(expiresAt);
    }
  }

  public Endpoint {
    eventTypes = Set.copyOf(eventTypes);
    secrets = List.copyOf(secrets);
  }

  /** The secrets that sign a delivery made at {@code now}, newest first: one, or two during an overlap. */
  public List<Secret> secretsAt(Instant now) {
    return secrets.stream().filter(secret -> secret.validAt(now)).toList();
  }

  /** Whether it is sent events of {@code type}. */
  public boolean subscribesTo(EventType type) {
    return eventTypes.isEmpty() || eventTypes.contains(type);
  }

  /** A resent creation asks for the same endpoint; the same request id with other fields asks for another. */
  boolean createdAs(String otherUrl, Set<EventType> otherTypes, String otherDescription, boolean otherEnabled) {
    return url.equals(otherUrl) && eventTypes.equals(otherTypes) && description.equals(otherDescription)
        && enabled == otherEnabled;
  }

  Endpoint updated(String newUrl, Set<EventType> newTypes, String newDescription, boolean newEnabled, Instant at) {
    return new Endpoint(endpointId, requestId, newUrl, newTypes, newDescription, newEnabled, createdAt, at, secrets,
        rotationRequestId);
  }

  /** The new secret current; the current one valid until {@code oldUntil}; any older one dropped. */
  Endpoint rotated(String requestId, String newSecret, Instant at, Instant oldUntil) {
    List<Secret> next = new ArrayList<>();
    next.add(new Secret(newSecret, at, null));
    Secret current = secrets.get(0);
    if (oldUntil.isAfter(at)) next.add(new Secret(current.secret(), current.createdAt(), oldUntil));
    return new Endpoint(endpointId, this.requestId, url, eventTypes, description, enabled, createdAt, at, next, requestId);
  }
}
