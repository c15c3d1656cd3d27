package dev.tally.node.notify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The endpoints a {@link Dispatcher} knows for its slice's orgs (and the operator's, for every org): a listing of
 * the journals loaded once, then kept up by the changes each org's {@link WebhookEndpoints} entity announces.
 *
 * <p>A change heard before the listing came back is kept and applied over it: the listing may have been read before
 * the change (the dispatchers of a node share one, read a second after the first asked), and a change heard is as
 * new as the listing or newer (a later one is heard later).
 */
final class KnownEndpoints {

  private Map<String, List<Endpoint>> byOrg = new HashMap<>();
  private boolean loaded;
  private final Map<String, List<Endpoint>> changedBeforeLoaded = new LinkedHashMap<>();

  boolean loaded() {
    return loaded;
  }

  /** The listing came back: it and the changes heard meanwhile are what this dispatcher knows from now on. */
  void load(Map<String, List<Endpoint>> listing) {
    loaded = true;
    byOrg = new HashMap<>(listing);
    changedBeforeLoaded.forEach(this::apply);
    changedBeforeLoaded.clear();
  }

  /** {@code orgId}'s endpoints are now {@code now} (none: it has none left). */
  void changed(String orgId, List<Endpoint> now) {
    if (loaded) apply(orgId, now);
    else changedBeforeLoaded.put(orgId, List.copyOf(now));
  }

  private void apply(String orgId, List<Endpoint> now) {
    if (now.isEmpty()) byOrg.remove(orgId);
    else byOrg.put(orgId, List.copyOf(now));
  }

  /** Each org's endpoints: its own, then the operator's. */
  Map<String, List<Outbox.Owned>> of(Set<String> orgs) {
    List<Outbox.Owned> everyOrgs = byOrg.getOrDefault(WebhookEndpoints.ALL_ORGS, List.of()).stream()
        .map(e -> new Outbox.Owned(WebhookEndpoints.ALL_ORGS, e)).toList();
    Map<String, List<Outbox.Owned>> owned = new LinkedHashMap<>();
    for (String orgId : orgs) {
      List<Outbox.Owned> ofOrg = new ArrayList<>();
      byOrg.getOrDefault(orgId, List.of()).forEach(e -> ofOrg.add(new Outbox.Owned(orgId, e)));
      ofOrg.addAll(everyOrgs);
      owned.put(orgId, ofOrg);
    }
    return owned;
  }

  /** The endpoint, or null once its org deleted it. */
  Endpoint find(String endpointOrg, String endpointId) {
    return byOrg.getOrDefault(endpointOrg, List.of()).stream()
        .filter(e -> e.endpointId().equals(endpointId)).findFirst().orElse(null);
  }

  /** Whether the operator has an endpoint: then every org of the slice has one. */
  boolean operatorHasOne() {
    return byOrg.containsKey(WebhookEndpoints.ALL_ORGS);
  }

  /** The orgs with an endpoint of their own (and the operator's "*"), in order. */
  List<String> orgs() {
    return byOrg.keySet().stream().sorted().toList();
  }
}
