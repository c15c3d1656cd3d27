package dev.tally.node;

import static dev.tally.node.api.RequestDecoding.decodedInFront;

import com.typesafe.config.Config;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.node.account.RequestMemoryBudget;
import dev.tally.node.account.RequestOutcomeTable;
import dev.tally.node.api.AccountsService;
import dev.tally.node.api.HandlerFailures;
import dev.tally.node.api.MeteringService;
import dev.tally.node.api.OpenCalls;
import dev.tally.node.auth.ApiKeyCheck;
import dev.tally.node.auth.Authentication;
import dev.tally.node.auth.KeyIssuer;
import dev.tally.node.auth.KeyTable;
import dev.tally.node.cluster.Membership;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.metrics.GrpcMetrics;
import dev.tally.node.metrics.NodeMetrics;
import dev.tally.node.code.CodeBatch;
import dev.tally.node.code.CodeLabel;
import dev.tally.node.code.RedemptionCode;
import dev.tally.node.code.WrongCodeThrottle;
import dev.tally.node.creditrequest.CreditRequestTable;
import dev.tally.node.creditrequest.CreditRequests;
import dev.tally.node.notify.Deliveries;
import dev.tally.node.notify.EndpointUrls;
import dev.tally.node.notify.WebhookEndpoints;
import dev.tally.node.once.ReferenceGrant;
import dev.tally.node.referral.ReferralCode;
import dev.tally.node.account.Written;
import dev.tally.node.usage.ChangeFeed;
import dev.tally.node.usage.ReadSide;
import dev.tally.node.usage.StatementReports;
import dev.tally.node.usage.StatementTable;
import dev.tally.node.usage.UsageReports;
import dev.tally.node.usage.UsageTable;
import dev.tally.node.usage.OrgDirectory;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.actor.AllDeadLetters;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * One Tally cluster node: joins the cluster, hosts its share of org accounts through sharding and
 * serves both gRPC services, health and reflection. Stopping it (coordinated shutdown) first
 * reports NOT_SERVING, then drains the gRPC server, then lets the node leave the cluster.
 */
public final class TallyNode {

  private static final Logger log = LoggerFactory.getLogger(TallyNode.class);
  /** The org a starting node reads to warm up; it is never created. */
  static final String WARM_UP_ORG = "tally-warm-up";

  /**
   * An org that has not written for this long counts as idle to the request memory's budget, which the node checks
   * as often: above the budget, the idle orgs holding most are asked to leave memory.
   */
  static final Duration IDLE_AFTER = Duration.ofSeconds(5);
  /** The largest request the node reads: every Tally request is far smaller; bigger ones only cost memory. */
  public static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final ActorSystem<Void> system;
  private final Server server;
  private final int metricsPort;

  private TallyNode(ActorSystem<Void> system, Server server, int metricsPort) {
    this.system = system;
    this.server = server;
    this.metricsPort = metricsPort;
  }

  /**
   * Whom a node serves. A deployed node ({@link Main}) serves only calls whose key allows them; the
   * other value exists for tally-bench alone, to measure what checking keys costs per call against the
   * same node without the check. It is no setting: only code that starts a node itself can choose it.
   */
  public enum Callers {
    WITH_A_KEY_THAT_ALLOWS_THE_CALL,
    ANYONE_TO_MEASURE_THE_KEY_CHECK
  }

  /** Starts a node on an actor system built from its config; the builder chooses where gRPC listens. */
  public static TallyNode start(ActorSystem<Void> system, ServerBuilder<?> serverBuilder, Clock clock) throws Exception {
    return start(system, serverBuilder, clock, Callers.WITH_A_KEY_THAT_ALLOWS_THE_CALL);
  }

  /** {@link #start(ActorSystem, ServerBuilder, Clock)}, serving {@code callers}. */
  public static TallyNode start(ActorSystem<Void> system, ServerBuilder<?> serverBuilder, Clock clock, Callers callers)
      throws Exception {
    NodeSettings settings = NodeSettings.from(system.settings().config());
    join(system);
    NodeMetrics metrics = new NodeMetrics().serve(settings.metricsHost(), settings.metricsPort());
    ActorRef<Topic.Command<AlertNotice>> alerts =
        system.systemActorOf(Topic.create(AlertNotice.class, "tally-alerts"), "tally-alerts", Props.empty());
    ClusterSharding sharding = ClusterSharding.get(system);
    RequestOutcomeTable requestTable = RequestOutcomeTable.of(system.classicSystem());
    // The node's bound on what its orgs remember in all; idle orgs above it are asked to leave memory.
    RequestMemoryBudget memoryBudget =
        new RequestMemoryBudget(settings.requestMemoryEntries(), settings.groupCommit().maxBatch());
    metrics.requestMemory(memoryBudget);
    system.scheduler().scheduleWithFixedDelay(IDLE_AFTER, IDLE_AFTER,
        () -> memoryBudget.askIdleToLeave(System.nanoTime() - IDLE_AFTER.toNanos()), system.executionContext());
    // The read side: each org account tells it of its writes; each slice's reader runs on one node.
    ChangeFeed feed = settings.readSide().enabled()
        ? ReadSide.start(system, settings.readSide(), clock, metrics::readSideApplied)
        : null;
    // What the API reads of the read side's rows.
    OrgDirectory directory = new OrgDirectory(system.classicSystem());
    UsageTable usage = new UsageTable(system.classicSystem());
    StatementTable statements = new StatementTable(system.classicSystem());
    Written written = feed != null ? feed : Written.NOBODY;
    if (feed == null) log.warn("the read side is off (TALLY_READ_SIDE): ListOrgs shows nothing new, no webhook is delivered");
    EndpointUrls endpointUrls = new EndpointUrls(settings.webhooksAllowPrivate());
    // Webhook deliveries hear the read side's feed: one dispatcher per slice, beside its reader.
    Deliveries deliveries = feed != null
        ? Deliveries.start(system, settings.webhookDeliveries(), settings.readSide().reconcileEvery(), feed, endpointUrls,
            settings.entityTimeout(), clock)
        : Deliveries.withoutDispatchers(system, clock);
    sharding.init(Entity.of(
        OrgAccount.ENTITY_TYPE,
        entity -> OrgAccount.create(entity.getEntityId(), settings.account(), clock, alerts, written, metrics,
            self -> entity.getShard().tell(new ClusterSharding.Passivate<>(self)), requestTable, memoryBudget)));

    OrgBatcher batcher = new OrgBatcher(sharding, system.scheduler(), settings.entityTimeout(), OrgBatcher.PROBE_AFTER,
        settings.groupCommit(), metrics.registry(), system.executionContext());
    // A payment reference's entity grants through the org's batch like any other grant.
    sharding.init(Entity.of(ReferenceGrant.PURCHASE,
        entity -> ReferenceGrant.create(ReferenceGrant.PURCHASE, entity.getEntityId(), batcher::submit, clock)));
    // A redemption code's entity grants through the org's batch too; a batch's entity only remembers its codes.
    sharding.init(Entity.of(RedemptionCode.ENTITY_TYPE,
        entity -> RedemptionCode.create(entity.getEntityId(), batcher::submit, clock)));
    sharding.init(Entity.of(CodeBatch.ENTITY_TYPE, entity -> CodeBatch.create(entity.getEntityId(), clock)));
    // An org's credit requests grant through its batch too, and keep the operators' listing up to date.
    CreditRequestTable creditRequestTable = new CreditRequestTable(system.classicSystem(), clock);
    sharding.init(Entity.of(CreditRequests.ENTITY_TYPE,
        entity -> CreditRequests.create(entity.getEntityId(), batcher::submit, creditRequestTable, clock,
            settings.account().retention().window())));
    // A referral code's entity only knows its org; rewards go through the referrer's batch, from the purchase's entity.
    sharding.init(Entity.of(ReferralCode.ENTITY_TYPE, entity -> ReferralCode.create(entity.getEntityId(), clock)));
    sharding.init(Entity.of(CodeLabel.ENTITY_TYPE, entity -> CodeLabel.create(entity.getEntityId(), clock)));
    // An org's webhook endpoints (and the operator's, entity "*"): one writer each.
    sharding.init(Entity.of(WebhookEndpoints.ENTITY_TYPE, entity -> WebhookEndpoints.create(entity.getEntityId(), clock, deliveries)));
    if (settings.webhooksAllowPrivate()) log.warn("webhook endpoints may be on internal addresses (TALLY_WEBHOOKS_ALLOW_PRIVATE)");
    // A purchase waits for its reference's entity, which waits up to the entity timeout for the org's.
    AccountsService.Purchases purchases =
        new AccountsService.Purchases(sharding, settings.packages(), settings.entityTimeout().multipliedBy(2));
    failBatchesToLostNodes(system, batcher);
    GrpcHealth health = new GrpcHealth(system);
    OpenCalls openCalls = new OpenCalls();
    KeyTable keyTable = new KeyTable(system.classicSystem());
    Authentication authentication = new Authentication(settings.auth(), keyTable::find, clock, System::nanoTime);
    // Each service decodes its requests itself (undecodable bytes are INVALID_REQUEST, not UNKNOWN),
    // then checks the caller's key, then runs; what it throws becomes INTERNAL, not UNKNOWN.
    ServerInterceptor[] guards = callers == Callers.WITH_A_KEY_THAT_ALLOWS_THE_CALL
        ? new ServerInterceptor[] {new HandlerFailures(), new ApiKeyCheck(authentication)}
        : new ServerInterceptor[] {new HandlerFailures()};
    if (callers != Callers.WITH_A_KEY_THAT_ALLOWS_THE_CALL) log.warn("this node checks no API keys: anyone may call it");
    Server server = serverBuilder
        .maxInboundMessageSize(MAX_REQUEST_BYTES)
        .addService(decodedInFront(new MeteringService(batcher, settings.defaultTtl(), settings.maxTtl(),
            settings.account().terms().prices()).bindService(), guards))
        .addService(decodedInFront(new AccountsService(batcher, system, settings.account().terms(), alerts, clock,
            new KeyIssuer(keyTable, authentication, clock, settings.account().retention().window(), batcher::submit), new Membership(system, health::serving), purchases,
            new AccountsService.Codes(new WrongCodeThrottle(clock)), creditRequestTable, directory,
            new UsageReports(usage, directory), new StatementReports(statements, directory), endpointUrls, deliveries).bindService(),
            guards))
        .addService(decodedInFront(health.service().bindService(), guards))
        .addService(decodedInFront(ProtoReflectionServiceV1.newInstance().bindService(), guards))
        .intercept(openCalls) // around the services: refusals are tracked and counted like answers
        .intercept(new GrpcMetrics(metrics.registry())) // outermost: also counts the calls openCalls answers
        .build()
        .start();
    // Health-checking clients send calls only once this node is an Up member that can reach its shards
    // and has warmed up the way to them, and only while its journal can be written.
    org.apache.pekko.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> {
      long started = System.nanoTime();
      warmUp(batcher).whenComplete((done, failure) -> {
        log.info("warmed up in {} ms", (System.nanoTime() - started) / 1_000_000);
        health.warmedUp();
      });
    });

    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "grpc-not-serving", () -> {
      health.stop();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "grpc-drain",
        () -> CompletableFuture.supplyAsync(() -> drain(server, openCalls, settings.drainTimeout())));
    shutdown.addTask(CoordinatedShutdown.PhaseActorSystemTerminate(), "metrics-stop", () -> {
      metrics.stop();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    log.info("Tally gRPC listening on {}:{}, metrics on {}:{}/metrics", settings.grpcHost(), server.getPort(),
        settings.metricsHost(), metrics.port());
    return new TallyNode(system, server, metrics.port());
  }

  /**
   * A member removed after it was downed (it crashed, or the split brain resolver took it out) never
   * answers the batches sent to it; a member that left gracefully handed its orgs over first. They
   * fail once the removal margin has passed: no org of that node can be served before, and by then
   * every region here knows the node is gone, so the callers' retries wait for the orgs' new homes
   * (failed at the removal, one org's retry in two drill runs was answered only after the entity timeout).
   */
  private static void failBatchesToLostNodes(ActorSystem<Void> system, OrgBatcher batcher) {
    FiniteDuration margin = org.apache.pekko.cluster.Cluster.get(system.classicSystem()).downingProvider().downRemovalMargin();
    ActorRef<ClusterEvent.MemberRemoved> removals = system.systemActorOf(
        Behaviors.receive(ClusterEvent.MemberRemoved.class)
            .onMessage(ClusterEvent.MemberRemoved.class, removed -> {
              if (removed.previousStatus().equals(MemberStatus.down())) {
                String node = removed.member().address().toString();
                log.info("{} was downed and removed: batches out to it fail in {}, to be retried", node, margin);
                system.scheduler().scheduleOnce(
                    Duration.ofNanos(margin.toNanos()), () -> batcher.nodeLost(node), system.executionContext());
              }
              return Behaviors.same();
            })
            .build(),
        "tally-lost-nodes", Props.empty());
    Cluster.get(system).subscriptions().tell(Subscribe.create(removals, ClusterEvent.MemberRemoved.class));
    // Sent to the removed node after all (its shard's new home was not known yet): fail it now, not at the timeout.
    ActorRef<AllDeadLetters> deadLetters = system.systemActorOf(
        Behaviors.receive(AllDeadLetters.class)
            .onMessage(AllDeadLetters.class, dead -> {
              if (dead.message() instanceof ShardingEnvelope<?> envelope && (envelope.message() instanceof OrgAccount.Execute || envelope.message() instanceof OrgAccount.Probe)) {
                batcher.undelivered(envelope.entityId());
              }
              return Behaviors.same();
            })
            .build(),
        "tally-undelivered-batches", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(AllDeadLetters.class, deadLetters));
  }

  /**
   * One read of an org nobody has: it goes through sharding, an entity's recovery and the journal's
   * and snapshot store's first queries, whose start-up would otherwise fall on the first customer
   * request after a start (~0.5 s measured by tally-bench's recovery run). Its answer is ignored.
   */
  private static CompletableFuture<?> warmUp(OrgBatcher batcher) {
    return batcher.submit(WARM_UP_ORG, new Operation.GetBalance()).handle((outcome, failure) -> null);
  }

  /**
   * Stops taking calls and lets the open ones finish, for at most {@code timeout}; those still open
   * then are answered UNAVAILABLE / NODE_STOPPING, which clients retry elsewhere, rather than reset.
   */
  private static Done drain(Server server, OpenCalls openCalls, Duration timeout) {
    server.shutdown();
    int streams = openCalls.endStreams();
    if (streams > 0) log.info("ended {} alert streams: this node is stopping", streams);
    try {
      if (!server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        int refused = openCalls.refuseAll();
        log.warn("{} calls still open after {}: answered NODE_STOPPING, to be retried on another node", refused, timeout);
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      openCalls.refuseAll();
    }
    server.shutdownNow();
    return Done.getInstance();
  }

  /**
   * Joins the cluster: through Cluster Bootstrap when a discovery method is set (config for a local
   * cluster, kubernetes-api in Kubernetes), through the seed nodes when listed, else on its own.
   */
  private static void join(ActorSystem<Void> system) throws Exception {
    Config config = system.settings().config();
    // Waits for the HTTP binding, so a management port that is taken fails the start.
    PekkoManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (!config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method").isEmpty()) {
      ClusterBootstrap.get(system).start();
    } else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  public int grpcPort() {
    return server.getPort();
  }

  /** Where {@code /metrics} is served. */
  public int metricsPort() {
    return metricsPort;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Stops the node gracefully and waits until it has. */
  public void stop() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  static ActorSystem<Void> newSystem(com.typesafe.config.Config config) {
    return ActorSystem.create(Behaviors.empty(), "tally", config);
  }
}
