package dev.tally.node.usage;

import dev.tally.node.account.OrgEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A slice's events-by-tag, with a tick every {@code interval} among them: the tick reaches the
 * slice's handler in its turn, between groups of events, so what the handler does on a tick (check
 * idle orgs against their journals) never runs beside its own writes of the same rows. A tick
 * carries the offset of the last event before it, so saving it as the offset changes nothing. Ticks
 * start with the first event or the saved offset: a slice that has never seen an event has nothing
 * to check.
 */
final class WithReconcileTicks extends SourceProvider<Offset, EventEnvelope<OrgEvent>> {

  /** The persistence id of a tick; no journal has it (org journals are org|...). */
  static final String TICK = "reconcile-tick";

  private final SourceProvider<Offset, EventEnvelope<OrgEvent>> events;
  private final Duration interval;

  WithReconcileTicks(SourceProvider<Offset, EventEnvelope<OrgEvent>> events, Duration interval) {
    this.events = events;
    this.interval = interval;
  }

  static boolean isTick(EventEnvelope<OrgEvent> envelope) {
    return TICK.equals(envelope.persistenceId());
  }

  @Override
  public CompletionStage<Source<EventEnvelope<OrgEvent>, NotUsed>> source(
      Supplier<CompletionStage<Optional<Offset>>> offset) {
    return offset.get().thenCompose(saved -> events.source(() -> CompletableFuture.completedFuture(saved))
        .thenApply(tagged -> tagged.<Object>map(envelope -> envelope)
            .merge(Source.tick(interval, interval, (Object) TICK).mapMaterializedValue(cancellable -> NotUsed.getInstance()))
            .statefulMapConcat(() -> {
              Offset[] last = {saved.orElse(null)};
              return element -> {
                if (element != TICK) {
                  @SuppressWarnings("unchecked")
                  EventEnvelope<OrgEvent> event = (EventEnvelope<OrgEvent>) element;
                  last[0] = event.offset();
                  return List.of(event);
                }
                if (last[0] == null) return List.of();
                return List.of(EventEnvelope.create(last[0], TICK, 0L, (OrgEvent) null, System.currentTimeMillis()));
              };
            })));
  }

  @Override
  public Offset extractOffset(EventEnvelope<OrgEvent> envelope) {
    return events.extractOffset(envelope);
  }

  @Override
  public long extractCreationTime(EventEnvelope<OrgEvent> envelope) {
    return isTick(envelope) ? envelope.timestamp() : events.extractCreationTime(envelope);
  }
}
