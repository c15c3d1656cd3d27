package dev.tally.node.notify;

import dev.tally.node.ManyAsks;
import dev.tally.node.account.OrgSlices;
import dev.tally.node.usage.ChangeFeed;
import dev.tally.node.usage.OrgJournals;
import java.time.Clock;
import java.time.Duration;
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
import org.apache.pekko.stream.javadsl.Sink;

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

  private final List<ActorRef<Topic.Command<EndpointsChanged>>> topics;

  private Deliveries(List<ActorRef<Topic.Command<EndpointsChanged>>> topics) {
    this.topics = topics;
  }

  /** Nothing delivered (the read side is off): the endpoint entities tell no one. */
  public static final Deliveries NONE = new Deliveries(List.of());

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
    List<ActorRef<Topic.Command<EndpointsChanged>>> topics = IntStream.range(0, OrgSlices.COUNT)
        .mapToObj(slice -> system.systemActorOf(Topic.create(EndpointsChanged.class, "webhook-endpoints-" + slice),
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
    return new Deliveries(topics);
  }

  /** The endpoints as their entities hold them; orgs found by their entities' journals. */
  private record EndpointsOfNode(ActorSystem<?> system, OrgJournals journals, Duration timeout) implements Dispatcher.Node {
    private static final String PREFIX = WebhookEndpoints.ENTITY_TYPE.name() + "|";

    @Override
    public CompletionStage<Map<String, List<Endpoint>>> endpoints(int slice) {
      return OrgJournals.queries(system).currentPersistenceIds()
          .filter(id -> id.startsWith(PREFIX))
          .map(id -> id.substring(PREFIX.length()))
          .filter(orgId -> !orgId.equals(WebhookEndpoints.ALL_ORGS) && OrgSlices.sliceOf(orgId) == slice)
          .runWith(Sink.seq(), system)
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
    public CompletionStage<List<String>> orgs(int slice) {
      return journals.orgs(slice);
    }

    @Override
    public CompletionStage<?> disable(String endpointOrg, String endpointId) {
      return ClusterSharding.get(system).entityRefFor(WebhookEndpoints.ENTITY_TYPE, endpointOrg)
          .<WebhookEndpoints.Reply>ask(replyTo -> new WebhookEndpoints.Update(endpointId, null, null, null, false, replyTo), timeout);
    }
  }
}
