package dev.tally.node.notify;

import dev.tally.node.CborSerializable;
import dev.tally.node.usage.ChangeFeed.OrgsWritten;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook dispatcher of one slice of orgs, one in the cluster (an instance of a sharded daemon
 * process, like the read side's {@code SliceReader}): hears which of its orgs wrote from every
 * node's {@code ChangeFeed}, has its {@link Outbox} turn their new journal events into pending
 * deliveries, and makes them: at most {@code concurrency} at once per endpoint, each retried on the
 * {@link RetrySchedule}. It starts by reloading its slice's pending deliveries and its orgs'
 * endpoints, so a delivery survives the node it was pending on. A tick every {@link #TICK} checks a
 * few of its orgs that have endpoints against their journals: what a lost notice left out.
 */
final class Dispatcher {

  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  static final Duration TICK = Duration.ofSeconds(5);
  /** Orgs a tick checks against their journals. */
  static final int ORGS_PER_TICK = 25;
  /** After a failed write of a delivery's state, the wait before it is tried again. */
  static final Duration AFTER_A_FAILED_WRITE = Duration.ofSeconds(5);

  interface Command extends CborSerializable {}

  /** What a dispatcher hears on its slice's topic (from any node). */
  interface Notice extends Command {}

  record Heard(OrgsWritten written) implements Command {}


  record Loaded(List<Pending> pending, Map<String, List<Endpoint>> endpoints, Throwable failure) implements Command {}

  record Tick() implements Command {}

  record DeliverDue() implements Command {}

  record RoundDone(Set<String> orgs, List<Outbox.Written> written, Throwable failure) implements Command {}

  /** An attempt ended: {@code next} is the delivery as it stays pending, null when it is done. */
  record AttemptDone(Pending pending, Pending next, Attempt attempt, Throwable failure) implements Command {}

  record Stop() implements Command {}

  /** What a dispatcher needs of its node. */
  interface Node {
    /**
     * Every org of the slice with an endpoint (and the operator's "*"), each with its endpoints, as a listing
     * of the journals that started at or after {@code since} found them; {@code now} by the same clock.
     */
    CompletionStage<Map<String, List<Endpoint>>> endpoints(int slice, Instant since, Instant now);

    /** The orgs of the slice that have a journal, as a listing that started at or after {@code since} read them. */
    CompletionStage<List<String>> orgs(int slice, Instant since, Instant now);

    /** Disables the endpoint (it failed too long) and tells its org. */
    CompletionStage<?> disable(String endpointOrg, String endpointId);
  }

  record Settings(int concurrency, RetrySchedule retries, Duration disableAfter, Duration reconcileEvery) {}

  private Dispatcher() {}

  static Behavior<Command> create(int slice, ActorRef<Topic.Command<OrgsWritten>> feed,
      ActorRef<Topic.Command<Notice>> changes, Supplier<Outbox> outbox, Deliverer deliverer, DeliveryTable table,
      Node node, Settings settings, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      feed.tell(Topic.subscribe(context.messageAdapter(OrgsWritten.class, Heard::new)));
      changes.tell(Topic.subscribe(context.getSelf().narrow()));
      timers.startTimerWithFixedDelay(new Tick(), TICK);
      Dispatching dispatching = new Dispatching(slice, context, timers, outbox.get(), deliverer, table, node, settings, clock);
      dispatching.load();
      return dispatching.behavior();
    }));
  }

  private static final class Dispatching {
    private final int slice;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Outbox outbox;
    private final Deliverer deliverer;
    private final DeliveryTable table;
    private final Node node;
    private final Settings settings;
    private final Clock clock;

    /** Just after this dispatcher subscribed to its topics: its endpoints are listed by a scan that started later. */
    private final Instant started;
    private boolean loading;
    private boolean roundRunning;
    private boolean reconcileDue;
    private Set<String> heard = new LinkedHashSet<>();
    /** Loaded with the pending deliveries: until then the dispatcher delivers nothing. */
    private final KnownEndpoints endpoints = new KnownEndpoints();
    /** Endpoint id to event id to its delivery. */
    private final Map<String, Map<String, Pending>> pending = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Integer> inFlightPerEndpoint = new HashMap<>();
    private final Map<String, Instant> failingSince = new HashMap<>();
    private List<String> toCheck = List.of();
    private Instant passStarted;

    Dispatching(int slice, ActorContext<Command> context, TimerScheduler<Command> timers, Outbox outbox, Deliverer deliverer,
        DeliveryTable table, Node node, Settings settings, Clock clock) {
      this.slice = slice;
      this.context = context;
      this.timers = timers;
      this.outbox = outbox;
      this.deliverer = deliverer;
      this.table = table;
      this.node = node;
      this.settings = settings;
      this.clock = clock;
      this.started = clock.instant();
    }

    /** Reads the slice's pending deliveries and its orgs' endpoints; not again while a read is on its way. */
    void load() {
      if (loading) return;
      loading = true;
      context.pipeToSelf(table.pending(slice).thenCombine(node.endpoints(slice, started, clock.instant()), (rows, found) -> new Loaded(rows, found, null)),
          (done, failure) -> failure == null ? done : new Loaded(List.of(), Map.of(), failure));
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Loaded.class, this::onLoaded)
          .onMessage(Heard.class, message -> {
            heard.addAll(message.written().deltas().keySet());
            return round();
          })
          .onMessage(EndpointsChanged.class, changed -> {
            endpoints.changed(changed.orgId(), changed.endpoints());
            // Events since the org's offset may have waited for an endpoint: look now.
            if (!changed.orgId().equals(WebhookEndpoints.ALL_ORGS)) heard.add(changed.orgId());
            return round();
          })
          .onMessage(Replayed.class, replayed -> {
            replayed.deliveries().forEach(this::add);
            if (endpoints.loaded()) deliverDue();
            return Behaviors.same();
          })
          .onMessage(Tick.class, tick -> {
            if (!endpoints.loaded()) {
              load();
              return Behaviors.same();
            }
            reconcileDue = true;
            return round();
          })
          .onMessage(RoundDone.class, this::onRoundDone)
          .onMessage(DeliverDue.class, due -> {
            deliverDue();
            return Behaviors.same();
          })
          .onMessage(AttemptDone.class, this::onAttemptDone)
          .onMessage(Stop.class, stop -> Behaviors.stopped())
          .build();
    }

    private Behavior<Command> onLoaded(Loaded done) {
      loading = false;
      if (done.failure() != null) {
        log.warn("webhook dispatcher of slice {} could not load its deliveries; tries again: {}", slice, done.failure().toString());
        return Behaviors.same(); // the next tick loads again
      }
      if (endpoints.loaded()) return Behaviors.same();
      endpoints.load(done.endpoints());
      for (Pending p : done.pending()) {
        add(p);
        if (p.failingSince() != null) failingSince.merge(p.endpointId(), p.failingSince(), (a, b) -> a.isBefore(b) ? a : b);
      }
      if (!done.pending().isEmpty()) log.info("webhook dispatcher of slice {} took up {} pending deliveries", slice, done.pending().size());
      deliverDue();
      return round();
    }

    private void add(Pending p) {
      pending.computeIfAbsent(p.endpointId(), id -> new LinkedHashMap<>()).put(p.eventId(), p);
    }

    private void remove(Pending p) {
      Map<String, Pending> ofEndpoint = pending.get(p.endpointId());
      if (ofEndpoint == null) return;
      ofEndpoint.remove(p.eventId());
      if (ofEndpoint.isEmpty()) pending.remove(p.endpointId());
    }

    /** Catches up the orgs heard of, or else a few for the reconciliation; one round at a time. */
    private Behavior<Command> round() {
      if (!endpoints.loaded() || roundRunning) return Behaviors.same();
      Set<String> orgs;
      if (!heard.isEmpty()) {
        orgs = heard;
        heard = new LinkedHashSet<>();
        start(orgs, CompletableFuture.completedFuture(orgs));
      } else if (reconcileDue) {
        reconcileDue = false;
        start(Set.of(), nextToCheck().thenApply(LinkedHashSet::new));
      }
      return Behaviors.same();
    }

    private void start(Set<String> named, CompletionStage<Set<String>> orgs) {
      roundRunning = true;
      Map<String, Integer> counts = new HashMap<>();
      pending.forEach((endpointId, events) -> counts.put(endpointId, events.size()));
      CompletionStage<RoundDone> done = orgs.thenCompose(chosen ->
          outbox.catchUp(endpoints.of(chosen), counts).thenApply(written -> new RoundDone(chosen, written, null)));
      context.pipeToSelf(done, (result, failure) -> failure == null ? result : new RoundDone(named, List.of(), failure));
    }

    /**
     * The next orgs of the reconciliation pass: those with an endpoint, or every org of the slice
     * when the operator has one; a pass starts at most every {@code reconcileEvery}.
     */
    private CompletionStage<List<String>> nextToCheck() {
      Instant now = clock.instant();
      CompletionStage<List<String>> pass;
      if (!toCheck.isEmpty()) {
        pass = CompletableFuture.completedFuture(toCheck);
      } else if (passStarted == null || !now.isBefore(passStarted.plus(settings.reconcileEvery()))) {
        passStarted = now;
        pass = endpoints.operatorHasOne() ? node.orgs(slice, now.minus(settings.reconcileEvery()), now)
            : CompletableFuture.completedFuture(endpoints.orgs());
      } else {
        return CompletableFuture.completedFuture(List.of());
      }
      return pass.thenApply(orgs -> {
        List<String> now2 = orgs.subList(0, Math.min(ORGS_PER_TICK, orgs.size()));
        toCheck = List.copyOf(orgs.subList(now2.size(), orgs.size()));
        return List.copyOf(now2);
      });
    }

    private Behavior<Command> onRoundDone(RoundDone done) {
      roundRunning = false;
      if (done.failure() != null) {
        // Read again with the next notice or tick, not at once: Cassandra may be away a while.
        log.warn("a webhook outbox round of slice {} failed; its orgs are read again: {}", slice, done.failure().toString());
        heard.addAll(done.orgs());
        return Behaviors.same();
      }
      for (Outbox.Written written : done.written()) {
        written.pending().forEach(this::add);
        if (written.more()) heard.add(written.orgId());
      }
      deliverDue();
      return round();
    }

    /** Starts every due delivery an endpoint has room for; sets the timer for the next one due. */
    private void deliverDue() {
      Instant now = clock.instant();
      Instant nextDue = null;
      for (Map<String, Pending> ofEndpoint : List.copyOf(pending.values())) {
        for (Pending p : List.copyOf(ofEndpoint.values())) {
          if (inFlight.contains(key(p))) continue;
          if (p.nextAttemptAt().isAfter(now)) {
            if (nextDue == null || p.nextAttemptAt().isBefore(nextDue)) nextDue = p.nextAttemptAt();
            continue;
          }
          if (inFlightPerEndpoint.getOrDefault(p.endpointId(), 0) >= settings.concurrency()) break;
          attempt(p, now);
        }
      }
      if (nextDue != null) timers.startSingleTimer("deliver", new DeliverDue(), Duration.between(now, nextDue));
    }

    private static String key(Pending p) {
      return p.endpointId() + " " + p.eventId();
    }

    private void attempt(Pending p, Instant now) {
      Endpoint endpoint = endpoints.find(p.endpointOrg(), p.endpointId());
      if (endpoint == null || !endpoint.enabled()) {
        remove(p);
        drop(p, endpoint == null ? "the endpoint was deleted" : "the endpoint is disabled", now);
        return;
      }
      inFlight.add(key(p));
      inFlightPerEndpoint.merge(p.endpointId(), 1, Integer::sum);
      context.pipeToSelf(deliverer.send(endpoint, p).thenCompose(sent -> recorded(p, sent)),
          (done, failure) -> failure == null ? done : new AttemptDone(p, p, null, failure));
    }

    private void drop(Pending p, String why, Instant now) {
      Attempt dropped = new Attempt(p.endpointId(), now, p.eventId(), 0, p.orgId(), p.type(), 0, 0, why + ": not sent",
          Attempt.Outcome.DROPPED);
      table.delete(p).thenCompose(done -> table.log(dropped)).whenComplete((done, failure) -> {
        if (failure != null) log.warn("a dropped webhook delivery's row stays; it is dropped again at reload: {}", failure.toString());
      });
    }

    /** The attempt logged and the delivery's row brought to what follows it. */
    private CompletionStage<AttemptDone> recorded(Pending p, Deliverer.Sent sent) {
      int number = p.attempts() + 1;
      if (sent.succeeded()) {
        Attempt attempt = attempt(p, sent, number, Attempt.Outcome.DELIVERED);
        return table.log(attempt).thenCompose(done -> table.delete(p)).thenApply(done -> new AttemptDone(p, null, attempt, null));
      }
      var wait = settings.retries().after(number);
      if (wait.isEmpty()) {
        Attempt attempt = attempt(p, sent, number, Attempt.Outcome.FAILED);
        return table.log(attempt).thenCompose(done -> table.delete(p)).thenApply(done -> new AttemptDone(p, null, attempt, null));
      }
      Pending next = p.failed(sent.at(), sent.at().plus(wait.get()));
      Attempt attempt = attempt(p, sent, number, Attempt.Outcome.RETRYING);
      return table.log(attempt).thenCompose(done -> table.save(next)).thenApply(done -> new AttemptDone(p, next, attempt, null));
    }

    private static Attempt attempt(Pending p, Deliverer.Sent sent, int number, Attempt.Outcome outcome) {
      return new Attempt(p.endpointId(), sent.at(), p.eventId(), number, p.orgId(), p.type(), sent.statusCode(),
          sent.latencyMillis(), sent.error(), outcome);
    }

    private Behavior<Command> onAttemptDone(AttemptDone done) {
      Pending p = done.pending();
      inFlight.remove(key(p));
      inFlightPerEndpoint.computeIfPresent(p.endpointId(), (id, count) -> count <= 1 ? null : count - 1);
      Instant now = clock.instant();
      if (done.failure() != null) {
        log.warn("a webhook attempt's state could not be written; tried again in {}: {}", AFTER_A_FAILED_WRITE,
            done.failure().toString());
        replaceIfPending(p, new Pending(p.slice(), p.endpointOrg(), p.endpointId(), p.eventId(), p.orgId(), p.type(),
            p.occurredAt(), p.body(), p.attempts(), now.plus(AFTER_A_FAILED_WRITE), p.failingSince()));
      } else if (done.next() == null) {
        Map<String, Pending> ofEndpoint = pending.get(p.endpointId());
        // A replay may have put the event back meanwhile: only this attempt's delivery goes.
        if (ofEndpoint != null && ofEndpoint.get(p.eventId()) == p) remove(p);
      } else {
        replaceIfPending(p, done.next());
      }
      if (done.attempt() != null) {
        if (done.attempt().succeeded()) failingSince.remove(p.endpointId());
        else failingSince.putIfAbsent(p.endpointId(), done.attempt().attemptedAt());
        Instant since = failingSince.get(p.endpointId());
        if (since != null && !now.isBefore(since.plus(settings.disableAfter()))) disable(p, since, now);
      }
      deliverDue();
      return Behaviors.same();
    }

    private void replaceIfPending(Pending before, Pending after) {
      Map<String, Pending> ofEndpoint = pending.get(before.endpointId());
      if (ofEndpoint != null && ofEndpoint.get(before.eventId()) == before) ofEndpoint.put(before.eventId(), after);
    }

    /** The endpoint failed every attempt since {@code since}: disabled, its deliveries dropped. */
    private void disable(Pending p, Instant since, Instant now) {
      log.warn("webhook endpoint {} of {} failed every delivery since {}: disabled", p.endpointId(), p.endpointOrg(), since);
      failingSince.remove(p.endpointId());
      node.disable(p.endpointOrg(), p.endpointId()).whenComplete((done, failure) -> {
        if (failure != null) {
          log.warn("webhook endpoint {} of {} could not be disabled, or its org told: {}", p.endpointId(), p.endpointOrg(),
              failure.toString());
        }
      });
      Map<String, Pending> ofEndpoint = pending.remove(p.endpointId());
      if (ofEndpoint == null) return;
      for (Pending dropped : ofEndpoint.values()) {
        if (!inFlight.contains(key(dropped))) drop(dropped, "the endpoint was disabled after failing since " + since, now);
      }
    }
  }
}
