package dev.tally.node.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Every persistence id of the journal, as one scan of them read it, shared by everyone on the node
 * who asks: each slice's reader at the start of its reconciliation pass, each slice's webhook
 * dispatcher when it loads (64 askers on a node that holds every slice). The scan reads every id
 * ever written; each asker reading its own, a node's start had Cassandra scan them all 64 times
 * over, and the dispatchers asked again every tick until their first scan came back: an idle node
 * over many orgs kept Cassandra busy for minutes (BENCHMARKS.md, stop 44).
 *
 * <p>An asker says how old a listing it accepts: one that started at or after {@code since}, by the
 * node's clock (which the askers read and tell, so that a test's clock moves the listing's too). A
 * scan starts {@link #GATHER} after the ask that needs it, so that every ask meanwhile (a node's
 * start) shares it, and it started after each of them.
 */
public final class JournalListing implements Extension {

  /** How long a scan waits for other askers after the ask that needs it. */
  static final Duration GATHER = Duration.ofSeconds(1);

  private final Supplier<CompletionStage<List<String>>> scan;
  private Instant startsAt;
  private CompletableFuture<List<String>> listing;

  JournalListing(Supplier<CompletionStage<List<String>>> scan) {
    this.scan = scan;
  }

  /** The node's listing, of its read side's query plugin. */
  public static JournalListing get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** Every persistence id, as read by a scan that started at or after {@code since}; {@code now} by the same clock. */
  public synchronized CompletionStage<List<String>> ids(Instant since, Instant now) {
    boolean usable = listing != null && !startsAt.isBefore(since) && !listing.isCompletedExceptionally();
    if (usable) return listing;
    startsAt = now.plus(GATHER);
    CompletableFuture<List<String>> next = new CompletableFuture<>();
    listing = next;
    CompletableFuture.delayedExecutor(GATHER.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      try {
        scan.get().whenComplete((ids, failure) -> {
          if (failure != null) next.completeExceptionally(failure);
          else next.complete(List.copyOf(ids));
        });
      } catch (RuntimeException failure) { // a scan that could not even start fails its askers, who ask again
        next.completeExceptionally(failure);
      }
    });
    return next;
  }

  private static final class Id extends ExtensionId<JournalListing> {
    static final Id INSTANCE = new Id();

    @Override
    public JournalListing createExtension(ActorSystem<?> system) {
      return new JournalListing(() -> OrgJournals.queries(system).currentPersistenceIds().runWith(Sink.seq(), system));
    }
  }
}
