package dev.tally.node.groupcommit;

import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgAccount.Execute;
import dev.tally.node.account.OrgAccount.Outcomes;
import dev.tally.node.account.OrgAccount.Probe;
import dev.tally.node.account.Outcome;
import io.grpc.Context;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Group commit on the node side (DESIGN §5). Per org, one batch is in flight to its entity at a
 * time; operations arriving meanwhile queue up and leave together as the next batch, the moment
 * the previous one is answered. An idle org's operation leaves at once: nothing waits on a timer.
 *
 * <p>A batch ahead: when a whole batch ({@link Limits#maxBatch} operations) waits while one is out,
 * it leaves at once, and waits in the entity, which takes it up the moment the write before it
 * ends (the entity still writes one batch at a time). A busy org's journal then goes from one
 * write to the next without waiting for an answer's round trip to the node and the next batch's
 * way to the entity. At most two batches are out per org; an org that never fills a batch sends as
 * before, and none goes ahead while other orgs wait for a slot.
 *
 * <p>The node has a fixed number of batch slots ({@link Limits#maxInFlight}): an org's batches out
 * hold one until its entity answers them, and orgs that have work but no slot wait for one in arrival order;
 * an org with more work goes to the back of that line, so a busy org cannot crowd out the others.
 * This bounds the journal writes (and recoveries) the node asks of Cassandra at once: without it,
 * 10,000 orgs under overload had 10,000 batches out, Cassandra's driver ran out of requests on
 * its connection, writes failed and the entities restarted, over and over. While orgs wait for a
 * slot their operations pile up, and leave as bigger batches.
 *
 * <p>An operation whose caller has gone (its deadline passed or it cancelled) while it waited is
 * dropped, not sent: under overload that work would only delay the callers still waiting.
 *
 * <p>When a crashed node is downed and removed, batches in flight may have gone to its entities and
 * will never be answered: they fail ({@link #nodeLost}) instead of waiting out the entity timeout, so
 * their callers retry and their orgs' next batches leave. Sent from then on, sharding holds a batch
 * until its org's shard lives on another node; one that still went to the removed node comes back as
 * a dead letter, and fails as soon as it does ({@link #undelivered}).
 *
 * <p>A batch whose ask times out fails to its callers (they retry with the same request ids), but
 * its entity may still be working on it (recovering, or waiting on a journal write): the org keeps
 * its slot, sends nothing more, and asks the entity a {@link Probe} until one is answered, which
 * happens once everything sent before is done. Only then does its next batch leave. Freeing the
 * slot at the timeout piled batch after batch into a stuck entity's stash, for minutes after the
 * journal came back. Operations queued meanwhile are bounded by max-queued, and those whose callers'
 * deadlines pass are dropped when their turn comes.
 *
 * <p>An entity whose journal write fails starts again without answering the batch it was writing
 * (Pekko has no hook to answer it), and sharding drops a batch it buffered for a shard that is being
 * handed off to another node (ShardRegion: "Dropping [1] buffered messages to shard [..] during hand
 * off to avoid re-ordering"; the coordinator goes on rebalancing well after a node joins, leaves or
 * dies). So a batch unanswered for a second gets a {@link Probe} sent behind it; a probe is answered
 * only once everything sent before is done, so one answered while the batch still is not means the
 * batch's answer is lost: it fails then ({@link AnswerLost}) and the org's next batch leaves.
 * Waiting out the entity timeout instead held every operation of that org for 10 s after each
 * failed write (CassandraCrashTest: a write 10 s after Cassandra's return).
 */
public final class OrgBatcher {

  /**
   * @param maxBatch most operations in one batch (one journal write)
   * @param maxQueued operations waiting for one org beyond which new ones are refused
   * @param maxWaiting operations waiting on the node, all orgs together, beyond which new ones are refused
   * @param maxInFlight batches out to their entities at once, node-wide
   */
  public record Limits(int maxBatch, int maxQueued, int maxWaiting, int maxInFlight) {
    public Limits {
      if (maxBatch < 1 || maxQueued < 1 || maxWaiting < 1 || maxInFlight < 1) {
        throw new IllegalArgumentException("group-commit limits must be positive: " + this);
      }
    }
  }

  /** Thrown into an operation's future when its org, or the node, already has too many operations waiting. */
  public static final class Backpressure extends RuntimeException {
    public Backpressure(String message) {
      super(message);
    }
  }

  /**
   * Thrown into the operations of every batch in flight when a node was lost: its answer may never
   * come. A kind of timeout (callers retry it with the same request id); a batch that did reach a
   * live entity is applied once all the same.
   */
  public static final class NodeLost extends TimeoutException {
    public NodeLost(String reason) {
      super(reason + "; the batch's answer may never come");
    }
  }

  /**
   * Thrown into the operations of a batch whose entity answered a probe sent after it but never the
   * batch: it started again after a failed journal write, or sharding dropped the batch during a
   * shard's hand-off. A kind of timeout: the write may have been done, and callers retry with the
   * same request ids.
   */
  public static final class AnswerLost extends TimeoutException {
    public AnswerLost(String orgId) {
      super("the account of org " + orgId + " answered a later probe but not the batch"
          + " (its journal failed, or the batch was dropped in a shard's hand-off)");
    }
  }

  /** One operation waiting for its org, with the gRPC context of the call that asked for it, since {@code arrived} (nanoTime). */
  private record Pending(Operation operation, CompletableFuture<Outcome> outcome, Context caller, long arrived) {}

  /**
   * The operations waiting for one org, whether the org has (or waits for) a batch slot, and its
   * batches out. Its fields are guarded by its lock, but for those marked volatile.
   */
  private static final class Lane {
    final String orgId;
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean scheduled;
    boolean retired;
    /** The batches out and not yet answered: at most two (one {@linkplain #sendAhead ahead}). */
    final List<Out> out = new ArrayList<>(2);
    /** A batch timed out while its entity may still work on it: nothing more leaves until a probe is answered. */
    boolean stuck;
    /** Whether a probe sent behind the batches out is out. */
    volatile boolean probing;
    /** Fails the probe of a stuck org if it turns out never to have reached the org's entity. */
    volatile CompletableFuture<Outcomes> probeUndelivered;

    Lane(String orgId) {
      this.orgId = orgId;
    }
  }

  /** A batch out to its entity: its answer, failed directly when found lost or undelivered. */
  private record Out(CompletableFuture<Outcomes> answer, CompletableFuture<Outcomes> undelivered, long sentAt) {}

  /**
   * How long a batch goes unanswered before a probe is sent behind it, and how long a probe is waited
   * for before another is sent: a probe stashed by an entity that then restarts is never answered.
   */
  public static final Duration PROBE_AFTER = Duration.ofSeconds(1);

  /**
   * After a probe's answer, how long the batch's own answer may still be on its way (each answer
   * completes its ask on a thread of its own) before the batch counts as lost.
   */
  private static final Duration ANSWER_IN_TRANSIT = Duration.ofMillis(100);

  private final ClusterSharding sharding;
  private final Scheduler scheduler;
  private final Duration entityTimeout;
  private final Duration probeTimeout;
  private final Limits limits;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final DistributionSummary batchSizes;
  private final Timer queuedFor;
  private final Timer answeredIn;
  private final Counter answersLost;
  private final ExecutionContextExecutor replies;
  private final ArrayDeque<Lane> waitingForSlot = new ArrayDeque<>();
  /** How many orgs wait for a slot, as of the last change to the line; read without its lock. */
  private volatile int orgsInLine;
  private int freeSlots;
  private final AtomicInteger waiting = new AtomicInteger();
  /** Fails, when a node is lost, every batch sent before; then replaced for the batches sent after. */
  private volatile CompletableFuture<Outcomes> nodeLost = new CompletableFuture<>();

  /**
   * @param replies runs the answer to each batch. Pekko's ask returns a Scala-backed stage whose
   *     callbacks otherwise go to the common pool, which on a 2-core machine starts a new thread
   *     per task (measured by tally-bench: 1.8× fewer pairs/s with 10,000 orgs).
   * @param probeAfter {@link #PROBE_AFTER}; tests that keep batches out on purpose pass a longer one
   */
  public OrgBatcher(
      ClusterSharding sharding,
      Scheduler scheduler,
      Duration entityTimeout,
      Duration probeAfter,
      Limits limits,
      MeterRegistry registry,
      ExecutionContextExecutor replies) {
    this.replies = replies;
    this.sharding = sharding;
    this.scheduler = scheduler;
    this.entityTimeout = entityTimeout;
    this.probeTimeout = entityTimeout.compareTo(probeAfter) < 0 ? entityTimeout : probeAfter;
    this.limits = limits;
    this.freeSlots = limits.maxInFlight();
    this.batchSizes = DistributionSummary.builder("tally.group.commit.batch.size")
        .description("Operations sent to an org's account in one batch")
        .publishPercentileHistogram()
        .register(registry);
    this.queuedFor = Timer.builder("tally.group.commit.queued")
        .description("From an operation's arrival to its batch leaving for the org's account (waiting for the org's batch in flight, or for a slot)")
        .publishPercentileHistogram()
        .register(registry);
    this.answeredIn = Timer.builder("tally.group.commit.answered")
        .description("From a batch leaving for the org's account to its answer (the journal write, request-table reads and writes, the hops)")
        .publishPercentileHistogram()
        .register(registry);
    this.answersLost = Counter.builder("tally.group.commit.answers.lost")
        .description("Batches whose account started again without answering them (a failed journal write); their callers retry")
        .register(registry);
    Gauge.builder("tally.group.commit.orgs.waiting", this, batcher -> batcher.orgsInLine)
        .description("Orgs with operations to send that wait for one of the node's batch slots")
        .register(registry);
    if (probeTimeout.compareTo(entityTimeout) < 0) {
      scheduler.scheduleAtFixedRate(probeTimeout, probeTimeout, this::probeBehindUnanswered, replies);
    }
  }

  /** A crashed node was downed and removed from the cluster: the batches out now fail with {@link NodeLost}. */
  public void nodeLost(String node) {
    CompletableFuture<Outcomes> lost = nodeLost;
    nodeLost = new CompletableFuture<>();
    lost.completeExceptionally(new NodeLost("node " + node + " was downed and removed while the batch was out"));
  }

  /**
   * What the node sent the org's entity could not be delivered (a dead letter): its batches out (or the probe of
   * a stuck org) fail now with {@link NodeLost}.
   */
  public void undelivered(String orgId) {
    Lane lane = lanes.get(orgId);
    if (lane == null) return;
    NodeLost lost = new NodeLost("the batch for org " + orgId + " was not delivered");
    for (Out out : outOf(lane)) out.undelivered().completeExceptionally(lost);
    CompletableFuture<Outcomes> probe = lane.probeUndelivered;
    if (probe != null) probe.completeExceptionally(lost);
  }

  /** Hands one operation to its org's entity, batched with whatever else is waiting for that org. */
  public CompletableFuture<Outcome> submit(String orgId, Operation operation) {
    Pending pending = new Pending(operation, new CompletableFuture<>(), Context.current(), System.nanoTime());
    while (true) {
      Lane lane = lanes.computeIfAbsent(orgId, Lane::new);
      boolean needsSlot;
      List<Pending> gone;
      synchronized (lane) {
        if (lane.retired) continue; // dropped between lookup and lock: take the org's new lane
        Backpressure refusal = refusal(lane, operation);
        if (refusal != null) {
          pending.outcome().completeExceptionally(refusal);
          return pending.outcome();
        }
        lane.waiting.add(pending);
        waiting.incrementAndGet();
        needsSlot = !lane.scheduled;
        lane.scheduled = true;
        gone = needsSlot ? List.of() : sendAhead(lane);
      }
      if (needsSlot) schedule(lane);
      dropAbandoned(gone);
      return pending.outcome();
    }
  }

  /**
   * Why one more operation does not fit, or null when it does. Past max-queued for its org, or
   * max-waiting on the node, only commits and releases get in, up to twice the limit: they end
   * holds. Refusing them too left a hot org under overload with holds open until their TTL, and its
   * goodput fell to 12 pairs/s at 5,000 offered.
   */
  private Backpressure refusal(Lane lane, Operation operation) {
    int factor = operation instanceof Operation.Commit || operation instanceof Operation.Release ? 2 : 1;
    int queued = lane.waiting.size();
    if (queued >= factor * limits.maxQueued()) {
      return new Backpressure(queued + " operations already wait for org " + lane.orgId);
    }
    int onNode = waiting.get();
    if (onNode >= factor * limits.maxWaiting()) {
      return new Backpressure(onNode + " operations already wait on this node");
    }
    return null;
  }

  /** Gives the lane a free slot, or puts it in line for one. */
  private void schedule(Lane lane) {
    synchronized (waitingForSlot) {
      if (freeSlots == 0) {
        waitingForSlot.add(lane);
        orgsInLine = waitingForSlot.size();
        return;
      }
      freeSlots--;
    }
    useSlot(lane);
  }

  /**
   * With a slot in hand and nothing out, sends the lane's next batch; when the lane has nothing (left) to send,
   * the slot goes to the next org in line, or back to the free ones.
   */
  private void useSlot(Lane lane) {
    while (lane != null) {
      Sent sent = null;
      synchronized (lane) {
        if (lane.waiting.isEmpty()) {
          // An idle org's lane is dropped so the map stays as small as the set of busy orgs.
          lane.scheduled = false;
          lane.retired = true;
          lanes.remove(lane.orgId, lane);
        } else {
          sent = sendNext(lane);
        }
      }
      if (sent == null) {
        lane = passSlot();
        continue;
      }
      dropAbandoned(sent.gone());
      if (sent.left()) return;
      // every caller of that batch went away; look at the lane again
    }
  }

  private Lane passSlot() {
    synchronized (waitingForSlot) {
      Lane next = waitingForSlot.poll();
      if (next == null) freeSlots++;
      orgsInLine = waitingForSlot.size();
      return next;
    }
  }

  /** What {@link #sendNext} did: whether a batch left, and the operations whose callers went away meanwhile. */
  private record Sent(boolean left, List<Pending> gone) {}

  /**
   * Sends up to a batch of the lane's waiting operations whose callers still wait, counted out; the others are
   * returned, to be answered once the lock is let go. With the lane's lock held: batches leave in the order taken.
   */
  private Sent sendNext(Lane lane) {
    List<Pending> batch = new ArrayList<>(Math.min(limits.maxBatch(), lane.waiting.size()));
    List<Pending> gone = new ArrayList<>(0);
    while (batch.size() < limits.maxBatch() && !lane.waiting.isEmpty()) {
      Pending next = lane.waiting.poll();
      waiting.decrementAndGet();
      if (next.caller().isCancelled()) gone.add(next);
      else batch.add(next);
    }
    if (batch.isEmpty()) return new Sent(false, gone);
    send(lane, batch);
    return new Sent(true, gone);
  }

  /**
   * While one batch is out, a whole batch waiting leaves ahead (the class comment), unless the lane is stuck or
   * other orgs wait for a slot (the lane then passes its slot on once its batch is answered). With the lane's lock
   * held; returns the operations whose callers went away.
   */
  private List<Pending> sendAhead(Lane lane) {
    if (lane.out.size() != 1 || lane.stuck || lane.waiting.size() < limits.maxBatch() || orgsInLine > 0) return List.of();
    return sendNext(lane).gone();
  }

  /** An operation whose caller went away while it waited is answered, not sent. */
  private static void dropAbandoned(List<Pending> gone) {
    for (Pending pending : gone) {
      pending.outcome().completeExceptionally(Status.CANCELLED
          .withDescription("the caller went away before its operation reached the org's account")
          .asRuntimeException());
    }
  }

  /** Sends a batch taken from the lane, counted among its batches out; its answer goes to its callers. With the lane's lock held. */
  private void send(Lane lane, List<Pending> batch) {
    batchSizes.record(batch.size());
    long sentAt = System.nanoTime();
    for (Pending pending : batch) queuedFor.record(sentAt - pending.arrived(), TimeUnit.NANOSECONDS);
    List<Operation> operations = batch.stream().map(Pending::operation).toList();
    CompletableFuture<Outcomes> undelivered = new CompletableFuture<>();
    CompletableFuture<Outcomes> answer = sharding
        .entityRefFor(OrgAccount.ENTITY_TYPE, lane.orgId)
        .<Outcomes>ask(replyTo -> new Execute(operations, replyTo), entityTimeout)
        .applyToEither(nodeLost, answered -> answered)
        .applyToEither(undelivered, answered -> answered)
        .toCompletableFuture();
    Out out = new Out(answer, undelivered, sentAt);
    lane.out.add(out);
    answer.whenCompleteAsync((outcomes, failure) -> {
      if (failure == null) answeredIn.record(System.nanoTime() - sentAt, TimeUnit.NANOSECONDS);
      // What leaves next leaves before the callers are answered: answering runs each call's response
      // inline, and the org's journal would wait for all of them.
      answered(lane, out, entityMayStillWork(failure));
      for (int i = 0; i < batch.size(); i++) {
        if (failure != null) batch.get(i).outcome().completeExceptionally(failure);
        else batch.get(i).outcome().complete(outcomes.outcomes().get(i));
      }
    }, replies);
  }

  /**
   * One of the lane's batches was answered (or failed; {@code timedOut}: its entity may still work on it). With
   * one still out, a whole batch waiting goes ahead; with none, the lane goes on.
   */
  private void answered(Lane lane, Out out, boolean timedOut) {
    boolean idle;
    boolean stuck;
    List<Pending> gone;
    synchronized (lane) {
      if (timedOut) lane.stuck = true;
      lane.out.remove(out);
      idle = lane.out.isEmpty();
      stuck = lane.stuck;
      gone = idle ? List.of() : sendAhead(lane);
    }
    dropAbandoned(gone);
    if (!idle) return;
    if (stuck) awaitEntity(lane);
    else useSlot(nextInLine(lane));
  }

  /** The lane's batches out, as they are now. */
  private static List<Out> outOf(Lane lane) {
    synchronized (lane) {
      return List.copyOf(lane.out);
    }
  }

  /**
   * Sends a probe behind each org's batches out once one of them is unanswered for the probe timeout (one probe
   * at a time); when the entity answers it, each of those batches whose answer has still not come shortly after
   * is lost.
   */
  private void probeBehindUnanswered() {
    long now = System.nanoTime();
    for (Lane lane : lanes.values()) {
      if (lane.probing) continue;
      List<Out> behind = outOf(lane).stream().filter(out -> !out.answer().isDone()).toList();
      if (behind.stream().noneMatch(out -> now - out.sentAt() >= probeTimeout.toNanos())) continue;
      lane.probing = true;
      sharding
          .entityRefFor(OrgAccount.ENTITY_TYPE, lane.orgId)
          .<Outcomes>ask(Probe::new, probeTimeout)
          .whenComplete((answered, failure) -> {
            lane.probing = false; // on a failure the entity is busy (or restarting): asked again at the next round
            if (failure != null) return;
            scheduler.scheduleOnce(ANSWER_IN_TRANSIT, () -> {
              for (Out out : behind) {
                if (out.answer().completeExceptionally(new AnswerLost(lane.orgId))) answersLost.increment();
              }
            }, replies);
          });
    }
  }

  /** The lane keeps its slot until the entity answers a probe: then it has finished what it was sent. */
  private void awaitEntity(Lane lane) {
    CompletableFuture<Outcomes> undelivered = new CompletableFuture<>();
    lane.probeUndelivered = undelivered;
    sharding
        .entityRefFor(OrgAccount.ENTITY_TYPE, lane.orgId)
        .<Outcomes>ask(Probe::new, probeTimeout)
        .applyToEither(nodeLost, answered -> answered)
        .applyToEither(undelivered, answered -> answered)
        .whenCompleteAsync((answered, failure) -> {
          if (entityMayStillWork(failure)) {
            awaitEntity(lane);
            return;
          }
          lane.probeUndelivered = null;
          synchronized (lane) {
            lane.stuck = false;
          }
          useSlot(nextInLine(lane));
        }, replies);
  }

  /**
   * An ask that timed out: its entity may still be working. Not so when its node was lost, nor when
   * the entity answered a later probe.
   */
  private static boolean entityMayStillWork(Throwable failure) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof TimeoutException && !(cause instanceof NodeLost) && !(cause instanceof AnswerLost);
  }

  /**
   * Who gets the slot of the lane's finished batch: the lane itself when nobody waits for one (or
   * it has nothing more, which retires it), else the org first in line, the lane going to the back.
   */
  private Lane nextInLine(Lane lane) {
    boolean more;
    synchronized (lane) {
      more = !lane.waiting.isEmpty();
    }
    if (!more) return lane;
    synchronized (waitingForSlot) {
      if (waitingForSlot.isEmpty()) return lane;
      waitingForSlot.add(lane);
      Lane next = waitingForSlot.poll();
      orgsInLine = waitingForSlot.size();
      return next;
    }
  }
}
