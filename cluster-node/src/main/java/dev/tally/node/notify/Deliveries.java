package dev.tally.node.notify;

import dev.tally.node.ManyAsks;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgSlices;
import dev.tally.node.usage.ChangeFeed;
import dev.tally.node.usage.JournalListing;
import dev.tally.node.usage.OrgJournals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;

/**
 * A node's part of webhook delivery (issue 19 item 3; DESIGN §9 "webhooks"): one {@link Dispatcher}
 * per slice of orgs in the cluster (a sharded daemon process beside the read side's readers,
 * hearing the same {@link ChangeFeed}), and the topics on which each org's {@link WebhookEndpoints}
 * entity tells the dispatcher of its slice (the operator's: every dispatcher) what its endpoints are.
 */
public final class Deliveries {

  static final String NAME = "webhook-deliveries";

  /**
   * @param timeout of one attempt, connecting included ({@code TALLY_WEBHOOK_TIMEOUT})
   * @param retryScale what the retry schedule's waits are multiplied by ({@code TALLY_WEBHOOK_RETRY_SCALE})
   * @param concurrency attempts in flight at most per endpoint and slice ({@code TALLY_WEBHOOK_CONCURRENCY})
   * @param disableAfter an endpoint failing every attempt for this long is disabled ({@code TALLY_WEBHOOK_DISABLE_AFTER})
   */
  public record Settings(Duration timeout, double retryScale, int concurrency, Duration disableAfter) {
    public Settings {
      if (concurrency < 1) throw new IllegalArgumentException("webhook concurrency is at least 1, not " + concurrency);
      new RetrySchedule(retryScale);
    }
  }

  /** The most events one replay queues. */
  public static final int MAX_REPLAYED = 1_000;
  /** The longest range one replay covers. */
  public static final Duration MAX_REPLAY_RANGE = Duration.ofDays(31);

  private final List<ActorRef<Topic.Command<Dispatcher.Notice>>> topics;
  private final DeliveryTable table;
  private final OrgJournals journals;
  private final Clock clock;

  private Deliveries(List<ActorRef<Topic.Command<Dispatcher.Notice>>> topics, DeliveryTable table, OrgJournals journals,
      Clock clock) {
    this.topics = topics;
    this.table = table;
    this.journals = journals;
    this.clock = clock;
  }

  /** Nothing delivered (an entity made without a node, in tests): the endpoint entities tell no one. */
  public static final Deliveries NONE = new Deliveries(List.of(), null, null, Clock.systemUTC());

  /** The node's delivery log and replays without dispatchers (the read side is off): nothing is sent. */
  public static Deliveries withoutDispatchers(ActorSystem<?> system, Clock clock) {
    return new Deliveries(List.of(), new DeliveryTable(system.classicSystem()), OrgJournals.of(system), clock);
  }

  /** A page of the endpoint's delivery log, newest first ({@link DeliveryTable#attempts}). */
  public CompletionStage<List<Attempt>> log(String endpointId, DeliveryTable.After after, int limit) {
    return table.attempts(endpointId, after, limit);
  }

  /** What a replay queued. */
  public sealed interface Replay {}

  /** {@code eventIds} queued, in the order they happened; {@code truncated}: a range held more than {@link #MAX_REPLAYED}. */
  public record Queued(List<String> eventIds, boolean truncated) implements Replay {}

  /** The journal holds no such event, or the endpoint is not sent its type. */
  public record NoSuchEvent(String eventId) implements Replay {}

  /** Queues one event of the org's journal for {@code endpoint} again, with its id. */
  public CompletionStage<Replay> replay(String endpointOrg, Endpoint endpoint, WebhookEvent.Source event) {
    String eventId = WebhookEvent.id(event.orgId(), event.seqNr(), event.index());
    return journals.events(event.orgId(), event.seqNr(), event.seqNr()).thenCompose(logged -> {
      List<WebhookEvent> made = logged.stream()
          .flatMap(l -> WebhookEvents.of(event.orgId(), l.seqNr(), l.event()).stream())
          .filter(e -> e.index() == event.index() && endpoint.subscribesTo(e.type()))
          .toList();
      if (made.isEmpty()) return CompletableFuture.completedFuture((Replay) new NoSuchEvent(eventId));
      return queue(endpointOrg, endpoint, made, false);
    });
  }

  /** Queues the org's events of [from, to) that {@code endpoint} is sent, at most {@link #MAX_REPLAYED}. */
  public CompletionStage<Replay> replay(String endpointOrg, Endpoint endpoint, String orgId, Instant from, Instant to) {
    return collect(orgId, 1, from, to, endpoint, new ArrayList<>())
        .thenCompose(found -> {
          boolean truncated = found.size() > MAX_REPLAYED;
          return queue(endpointOrg, endpoint, truncated ? found.subList(0, MAX_REPLAYED) : found, truncated);
        });
  }

  /** The org's journal read a page at a time from {@code fromSeqNr} until an event at or after {@code to}. */
  private CompletionStage<List<WebhookEvent>> collect(String orgId, long fromSeqNr, Instant from, Instant to, Endpoint endpoint,
      List<WebhookEvent> found) {
    return journals.events(orgId, fromSeqNr, fromSeqNr + Outbox.PAGE - 1).thenCompose(page -> {
      for (OrgJournals.Logged logged : page) {
        if (!logged.event().at().isBefore(to)) return CompletableFuture.completedFuture(found);
        if (logged.event().at().isBefore(from)) continue;
        for (WebhookEvent event : WebhookEvents.of(orgId, logged.seqNr(), logged.event())) {
          if (endpoint.subscribesTo(event.type())) found.add(event);
        }
        if (found.size() > MAX_REPLAYED) return CompletableFuture.completedFuture(found);
      }
      if (page.size() < Outbox.PAGE) return CompletableFuture.completedFuture(found);
      return collect(orgId, fromSeqNr + Outbox.PAGE, from, to, endpoint, found);
    });
  }

  /** The deliveries written to their slice's pending table, then told to its dispatcher. */
  private CompletionStage<Replay> queue(String endpointOrg, Endpoint endpoint, List<WebhookEvent> events, boolean truncated) {
    Instant now = clock.instant();
    List<Pending> deliveries = events.stream()
        .map(event -> Pending.of(OrgSlices.sliceOf(event.orgId()), endpointOrg, endpoint, event, now))
        .toList();
    return ManyAsks.each(deliveries, table::save).thenApply(saved -> {
      if (!topics.isEmpty() && !deliveries.isEmpty()) {
        topics.get(deliveries.get(0).slice()).tell(Topic.publish(new Replayed(deliveries)));
      }
      return new Queued(events.stream().map(WebhookEvent::eventId).toList(), truncated);
    });
  }

  /** Tells the dispatcher of the org's slice (every dispatcher, for the operator's) the org's endpoints now. */
  public void changed(String orgId, List<Endpoint> endpoints) {
    if (topics.isEmpty()) return;
    EndpointsChanged changed = new EndpointsChanged(orgId, List.copyOf(endpoints));
    if (orgId.equals(WebhookEndpoints.ALL_ORGS)) topics.forEach(topic -> topic.tell(Topic.publish(changed)));
    else topics.get(OrgSlices.sliceOf(orgId)).tell(Topic.publish(changed));
  }

  /** Starts the node's topics and its part of the dispatchers. */
  public static Deliveries start(ActorSystem<?> system, Settings settings, Duration reconcileEvery, ChangeFeed feed,
      EndpointUrls urls, Duration askTimeout, Clock clock) {
    List<ActorRef<Topic.Command<Dispatcher.Notice>>> topics = IntStream.range(0, OrgSlices.COUNT)
        .mapToObj(slice -> system.systemActorOf(Topic.create(Dispatcher.Notice.class, "webhook-endpoints-" + slice),
            "webhook-endpoints-" + slice, Props.empty()))
        .toList();
    DeliveryTable table = new DeliveryTable(system.classicSystem());
    OrgJournals journals = OrgJournals.of(system);
    ExecutorService http = Executors.newFixedThreadPool(4, runnable -> {
      Thread thread = new Thread(runnable, "tally-webhooks");
      thread.setDaemon(true);
      return thread;
    });
    Deliverer deliverer = new Deliverer(urls, settings.timeout(), clock, http);
    Dispatcher.Node node = new EndpointsOfNode(system, journals, askTimeout);
    Dispatcher.Settings dispatching = new Dispatcher.Settings(settings.concurrency(), new RetrySchedule(settings.retryScale()),
        settings.disableAfter(), reconcileEvery);
    ShardedDaemonProcess.get(system).init(Dispatcher.Command.class, NAME, OrgSlices.COUNT,
        slice -> Dispatcher.create(slice, feed.slice(slice), topics.get(slice),
            () -> new Outbox(slice, table, journals, clock), deliverer, table, node, dispatching, clock),
        ShardedDaemonProcessSettings.create(system), Optional.of(new Dispatcher.Stop()));
    return new Deliveries(topics, table, journals, clock);
  }

  /** The endpoints as their entities hold them; orgs found by their entities' journals. */
  private record EndpointsOfNode(ActorSystem<?> system, OrgJournals journals, Duration timeout) implements Dispatcher.Node {
    private static final String PREFIX = WebhookEndpoints.ENTITY_TYPE.name() + "|";

    @Override
    public CompletionStage<Map<String, List<Endpoint>>> endpoints(int slice, Instant since, Instant now) {
      return JournalListing.get(system).ids(since, now)
          .thenApply(ids -> ids.stream()
              .filter(id -> id.startsWith(PREFIX))
              .map(id -> id.substring(PREFIX.length()))
              .filter(orgId -> !orgId.equals(WebhookEndpoints.ALL_ORGS) && OrgSlices.sliceOf(orgId) == slice)
              .toList())
          .thenCompose(orgs -> {
            List<String> asked = new ArrayList<>(orgs);
            asked.add(WebhookEndpoints.ALL_ORGS);
            return ManyAsks.each(asked, this::list).thenApply(lists -> {
              Map<String, List<Endpoint>> found = new LinkedHashMap<>();
              for (int i = 0; i < asked.size(); i++) if (!lists.get(i).isEmpty()) found.put(asked.get(i), lists.get(i));
              return found;
            });
          });
    }

    private CompletionStage<List<Endpoint>> list(String orgId) {
      return ClusterSharding.get(system).entityRefFor(WebhookEndpoints.ENTITY_TYPE, orgId)
          .<WebhookEndpoints.Reply>ask(WebhookEndpoints.ListEndpoints::new, timeout)
          .thenApply(reply -> ((WebhookEndpoints.Reply.Listed) reply).endpoints());
    }

    @Override
    public CompletionStage<List<String>> orgs(int slice, Instant since, Instant now) {
      return journals.orgs(slice, since, now);
    }

    /**
     * Disables the endpoint, then tells its org with an alert in the org's journal (issue 19 item 3): the
     * org's other endpoints, alert watchers and ledger see it. The operator's endpoints have no org to tell.
     */
    @Override
    public CompletionStage<?> disable(String endpointOrg, String endpointId) {
      ClusterSharding sharding = ClusterSharding.get(system);
      return sharding.entityRefFor(WebhookEndpoints.ENTITY_TYPE, endpointOrg)
          .<WebhookEndpoints.Reply>ask(replyTo -> new WebhookEndpoints.Update(endpointId, null, null, null, false, replyTo), timeout)
          .thenCompose(reply -> {
            if (!(reply instanceof WebhookEndpoints.Reply.Changed) || endpointOrg.equals(WebhookEndpoints.ALL_ORGS)) {
              return CompletableFuture.<Void>completedFuture(null);
            }
            return sharding.entityRefFor(OrgAccount.ENTITY_TYPE, endpointOrg).<OrgAccount.Outcomes>ask(
                replyTo -> new OrgAccount.Execute(List.of(new Operation.RecordEndpointDisabled(endpointId)), replyTo), timeout)
                .thenAccept(told -> {});
          });
    }
  }
}
