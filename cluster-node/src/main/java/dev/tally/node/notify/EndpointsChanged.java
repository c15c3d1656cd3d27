package dev.tally.node.notify;

import java.util.List;

/** An org's endpoints as they are now, from its {@link WebhookEndpoints} entity to the dispatcher of its slice. */
public record EndpointsChanged(String orgId, List<Endpoint> endpoints) implements Dispatcher.Notice {}
