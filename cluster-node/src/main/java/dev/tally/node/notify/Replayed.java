package dev.tally.node.notify;

import java.util.List;

/** Deliveries a replay wrote to the slice's pending table, for its dispatcher to make (ReplayWebhookEvents). */
public record Replayed(List<Pending> deliveries) implements Dispatcher.Notice {}
