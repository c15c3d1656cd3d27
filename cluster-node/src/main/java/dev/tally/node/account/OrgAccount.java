package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.AccountState.Handled;
import dev.tally.node.account.RequestMemory.Forgotten;
import dev.tally.node.account.RequestMemory.Remembered;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One org's credit account: a sharded, event-sourced entity and the single writer of its balance.
 * It takes operations in batches (group commit) and persists a batch's events in one write.
 */
public final class OrgAccount
    extends EventSourcedBehaviorWithEnforcedReplies<OrgAccount.Command, OrgEvent, AccountState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "OrgAccount");

  public sealed interface Command extends CborSerializable {}

  /** Operations handled in order and persisted as one write; answered with one outcome per operation. */
  public record Execute(List<Operation> operations, ActorRef<Outcomes> replyTo) implements Command {}

  public record Outcomes(List<Outcome> outcomes) implements CborSerializable {}

  /**
   * Answered (with no outcomes) once everything sent to the entity before it is done: a batch whose
   * ask timed out is still being worked on until then (see {@code OrgBatcher}). Changes nothing.
   */
  public record Probe(ActorRef<Outcomes> replyTo) implements Command {}

  private static final Outcomes NONE = new Outcomes(List.of());

  /** Something falls due now: a hold or grant expires, or a grant can pay debt. */
  public record Tick() implements Command {}

  /**
   * The request table answered for {@code execute}'s request ids the account no longer remembers
   * ({@code found}), or failed. Sent by the account to itself only.
   */
  record Recalled(Execute execute, Map<String, Remembered> found, Throwable failure) implements Command {}

  /**
   * The requests {@code handled} pushes out of memory are in the request table (or {@code failure}):
   * its events may be persisted. Sent by the account to itself only.
   */
  record Spilled(Execute execute, Handled handled, Throwable failure) implements Command {}

  /** A chunk of requests still in memory was written to the request table ahead (or {@code failure}). */
  record WrittenAhead(List<Forgotten> chunk, Throwable failure) implements Command {}

  /** The requests replay pushed out of memory are in the request table (or {@code failure}). */
  record KeptAfterReplay(Throwable failure) implements Command {}

  /**
   * The node holds more request memory than its budget: the account leaves memory unless it has an open hold (which
   * must expire on time) or a batch under way. Sent by {@link RequestMemoryBudget} only.
   */
  record LeaveIfIdle() implements Command {}

  private static final LeaveIfIdle LEAVE_IF_IDLE = new LeaveIfIdle();

  private static final Object TICK = "tick";
  private static final Logger log = LoggerFactory.getLogger(OrgAccount.class);

  /**
   * An account whose journal write or recovery failed starts again, recovering, after a pause that
   * doubles up to 1 s: an org serves within seconds of its journal returning, not after a long pause.
   */
  private static final BackoffSupervisorStrategy AFTER_JOURNAL_FAILURE =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(1), 0.2);

  private final String orgId;
  private final AccountSettings settings;
  private final Clock clock;
  private final TimerScheduler<Command> timers;
  private final RateGate rateLimits;
  private final ActorRef<Topic.Command<AlertNotice>> alerts;
  private final Written written;
  private final AccountMetrics metrics;
  private final Runnable passivate;
  private final RequestOutcomeTable requestTable;
  private final ActorContext<Command> context;
  private final DecidedBatch decided = new DecidedBatch();
  private final KeptAhead keptAhead = new KeptAhead();
  private final RequestMemoryBudget budget;
  /** How the node's budget asks this account to leave memory. */
  private final Runnable askToLeave;
  /** How much the account remembers while it replays its journal: what the node's budget allowed when it started. */
  private final RequestMemory.Retention replayRetention;
  /** A batch waits on the request table: every other command is stashed until it is decided. */
  private boolean awaitingTable;
  /** Until recovery completes, every event applied is replayed from the journal. */
  private boolean recovering = true;
  /**
   * Requests replay pushed out of memory while inside their window, by id. The node that persisted those events
   * may have remembered more (a larger max-entries: before a restart, or on another node of the cluster), and so
   * never written them to the request table: they are written before the account takes its first command.
   */
  private final Map<String, Forgotten> pushedOutInReplay = new LinkedHashMap<>();

  private OrgAccount(
      String orgId,
      AccountSettings settings,
      Clock clock,
      TimerScheduler<Command> timers,
      ActorRef<Topic.Command<AlertNotice>> alerts,
      Written written,
      AccountMetrics metrics,
      Runnable passivate,
      RequestOutcomeTable requestTable,
      RequestMemoryBudget budget,
      ActorContext<Command> context) {
    super(persistenceId(orgId), AFTER_JOURNAL_FAILURE);
    this.orgId = orgId;
    this.settings = settings;
    this.clock = clock;
    this.timers = timers;
    this.rateLimits = new TokenBuckets(clock);
    this.alerts = alerts;
    this.written = written;
    this.metrics = metrics;
    this.passivate = passivate;
    this.requestTable = requestTable;
    this.context = context;
    this.budget = budget;
    ActorRef<Command> self = context.getSelf();
    this.askToLeave = () -> self.tell(LEAVE_IF_IDLE);
    this.replayRetention = settingsNow().retention();
  }

  /**
   * @param alerts the cluster-wide topic alerts are published to once they are persisted
   * @param metrics where the account reports its writes, expiries and time in memory
   * @param passivate asks that this entity be stopped (given its own ref): sharding's Passivate
   * @param requestTable where requests pushed out of memory inside their window are kept
   */
  public static Behavior<Command> create(
      String orgId,
      AccountSettings settings,
      Clock clock,
      ActorRef<Topic.Command<AlertNotice>> alerts,
      AccountMetrics metrics,
      Consumer<ActorRef<Command>> passivate,
      RequestOutcomeTable requestTable) {
    return create(orgId, settings, clock, alerts, Written.NOBODY, metrics, passivate, requestTable,
        RequestMemoryBudget.unbounded());
  }

  /**
   * @param written told the org's last sequence number after each write (the read side)
   * @param budget the node's bound on what its orgs remember in all
   */
  public static Behavior<Command> create(
      String orgId,
      AccountSettings settings,
      Clock clock,
      ActorRef<Topic.Command<AlertNotice>> alerts,
      Written written,
      AccountMetrics metrics,
      Consumer<ActorRef<Command>> passivate,
      RequestOutcomeTable requestTable,
      RequestMemoryBudget budget) {
    // Whatever the account or Pekko logs for it carries the org's id.
    return Behaviors.withMdc(Command.class, Map.of("orgId", orgId),
        Behaviors.setup(context -> Behaviors.withTimers(timers -> new OrgAccount(
            orgId, settings, clock, timers, alerts, written, metrics, () -> passivate.accept(context.getSelf()),
            requestTable, budget, context))));
  }

  /**
   * An alert for subscribers anywhere in the cluster.
   *
   * @param seqNr the sequence number of the alert's event in the org's journal (0 from a node that predates it)
   */
  public record AlertNotice(String orgId, long seqNr, OrgEvent.AlertRaised alert) implements CborSerializable {}

  public static PersistenceId persistenceId(String orgId) {
    return PersistenceId.of("org", orgId, "|");
  }

  /** Whether {@code persistenceId} is an org's journal (not a code's, a purchase's...). */
  public static boolean isOrgJournal(String persistenceId) {
    return persistenceId.startsWith(PERSISTENCE_PREFIX);
  }

  /** The org whose journal {@code persistenceId} is ({@link #persistenceId}'s inverse). */
  public static String orgIdOf(String persistenceId) {
    if (!persistenceId.startsWith(PERSISTENCE_PREFIX)) throw new IllegalArgumentException("not an org's journal: " + persistenceId);
    return persistenceId.substring(PERSISTENCE_PREFIX.length());
  }

  private static final String PERSISTENCE_PREFIX = "org|";

  @Override
  public AccountState emptyState() {
    return new AccountState.Unopened();
  }

  @Override
  public CommandHandlerWithReply<Command, OrgEvent, AccountState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Execute.class, this::execute)
        .onCommand(Tick.class, this::fallDue)
        .onCommand(Probe.class, this::probe)
        .onCommand(Recalled.class, this::recalled)
        .onCommand(Spilled.class, this::spilled)
        .onCommand(WrittenAhead.class, this::writtenAhead)
        .onCommand(KeptAfterReplay.class, this::keptAfterReplay)
        .onCommand(LeaveIfIdle.class, this::leaveIfIdle)
        .build();
  }

  /**
   * Rule 6 at any rate: request ids the account does not remember are looked up in the request
   * table first, but only those it may have spilled within the window.
   */
  private ReplyEffect<OrgEvent, AccountState> execute(AccountState state, Execute command) {
    if (awaitingTable) return Effect().stash();
    if (command.operations().size() > settings.retention().maxEntries()) {
      // Its own requests could leave memory before it is written; the node's batches never get this big.
      return Effect().reply(command.replyTo(), allFailed(command, "a batch larger than tally.idempotency.max-entries"));
    }
    Instant now = clock.instant();
    Set<String> forgotten = new HashSet<>();
    RequestMemory memory = state.memory();
    for (Operation operation : command.operations()) {
      if (operation instanceof Operation.Requested requested
          && memory.mayHaveSpilled(requested.requestId(), now, settings.retention().window())
          && memory.request(requested.requestId()) == null) {
        forgotten.add(requested.requestId());
      }
    }
    if (forgotten.isEmpty()) return decide(state, command, Map.of());
    awaitingTable = true;
    metrics.requestsLookedUp(forgotten.size());
    context.pipeToSelf(requestTable.find(orgId, forgotten, now, settings.retention().window()),
        (found, failure) -> new Recalled(command, found, failure));
    return Effect().noReply();
  }

  private ReplyEffect<OrgEvent, AccountState> recalled(AccountState state, Recalled recalled) {
    awaitingTable = false;
    if (recalled.failure() != null) return unavailable(recalled.execute(), recalled.failure());
    return decide(state, recalled.execute(), recalled.found());
  }

  /**
   * Requests the batch pushes out of memory while inside their window go to the request table
   * before its events are persisted: replay pushes out the same ones, and they are there (a node
   * with a smaller memory pushes out more, and writes those when it recovers). Usually they were
   * written ahead ({@link KeptAhead}) and the batch is persisted at once.
   */
  private ReplyEffect<OrgEvent, AccountState> decide(AccountState state, Execute command, Map<String, Remembered> recalled) {
    Instant now = clock.instant();
    Handled handled = AccountState.handle(
        state, command.operations(), now, settingsNow(), rateLimits, ReservationIds.RANDOM, recalled);
    if (handled.after() instanceof AccountState.Unopened) {
      // No such org: asking for one must not keep an entity in memory, whatever ids callers try.
      passivate.run();
      return replyAndGoOn(command, new Outcomes(handled.outcomes()));
    }
    if (handled.events().isEmpty()) return replyAndGoOn(command, new Outcomes(handled.outcomes()));
    List<Forgotten> spilled = keptAhead.notKept(
        handled.after().memory().spilledSince(state.memory(), now, settings.retention().window()));
    if (spilled.isEmpty()) return persist(command, handled);
    keepFirst(spilled, now, failure -> new Spilled(command, handled, failure));
    return Effect().noReply();
  }

  /**
   * Writes requests that left memory to the request table; every command waits in the stash until {@code then}
   * (told the write's failure, or null) says what follows.
   */
  private void keepFirst(List<Forgotten> requests, Instant now, Function<Throwable, Command> then) {
    awaitingTable = true;
    metrics.requestsSpilled(requests.size());
    context.pipeToSelf(requestTable.keep(orgId, requests, now, settings.retention().window()),
        (done, failure) -> then.apply(failure));
  }

  private ReplyEffect<OrgEvent, AccountState> spilled(AccountState state, Spilled spilled) {
    awaitingTable = false;
    if (spilled.failure() != null) return unavailable(spilled.execute(), spilled.failure());
    return persist(spilled.execute(), spilled.handled());
  }

  /** Transient: the account's memory is as it was, only what it knows of the table grows. */
  private ReplyEffect<OrgEvent, AccountState> writtenAhead(AccountState state, WrittenAhead written) {
    if (written.failure() == null) {
      keptAhead.written(written.chunk(), state.memory());
      metrics.requestsWrittenAhead(written.chunk().size());
    } else {
      keptAhead.failed();
      log.debug("org {}: requests written ahead to the request table failed ({}); a batch that forgets them writes them",
          orgId, written.failure().toString());
    }
    return Effect().noReply();
  }

  /**
   * What replay pushed out of memory goes to the request table before anything else is done: with a memory as
   * large as the one that persisted the events it is there already (a row written twice holds the same outcome),
   * with a smaller one it may not be, and a retry would find it nowhere and be applied again.
   */
  private void keepPushedOutInReplay() {
    if (pushedOutInReplay.isEmpty()) return;
    List<Forgotten> pushedOut = List.copyOf(pushedOutInReplay.values());
    pushedOutInReplay.clear();
    keepFirst(pushedOut, clock.instant(), KeptAfterReplay::new);
  }

  private ReplyEffect<OrgEvent, AccountState> keptAfterReplay(AccountState state, KeptAfterReplay kept) {
    if (kept.failure() != null) {
      // Its commands wait in the stash; their batches fail as answers lost, and callers retry them.
      log.warn("org {}: requests replay pushed out of memory could not be written to the request table ({}); the"
          + " account stops and recovers again with its next command", orgId, kept.failure().toString());
      return Effect().none().thenStop().thenNoReply();
    }
    awaitingTable = false;
    return Effect().noReply().thenUnstashAll();
  }

  /** The oldest requests of a nearly full memory go to the request table while the account goes on. */
  private void writeAhead(AccountState state) {
    Instant now = clock.instant();
    Duration window = settings.retention().window();
    List<Forgotten> chunk = keptAhead.nextChunk(state.memory(), now, window, settingsNow().retention().maxEntries());
    if (chunk.isEmpty()) return;
    context.pipeToSelf(requestTable.keep(orgId, chunk, now, window), (done, failure) -> new WrittenAhead(chunk, failure));
  }

  private ReplyEffect<OrgEvent, AccountState> persist(Execute command, Handled handled) {
    Outcomes outcomes = new Outcomes(handled.outcomes());
    decided.expect(handled);
    long writeStarted = System.nanoTime();
    return Effect().persist(handled.events())
        .thenRun(after -> afterWrite(after, handled.events(), writeStarted))
        .thenReply(command.replyTo(), after -> outcomes)
        .thenUnstashAll();
  }

  /** Nothing of the batch was written: each operation may be retried with its request id. */
  private ReplyEffect<OrgEvent, AccountState> unavailable(Execute command, Throwable failure) {
    log.warn("org {}: the request table could not be reached ({}); the batch was not applied", orgId, failure.toString());
    List<Outcome> outcomes = command.operations().stream()
        .map(operation -> (Outcome) new Outcome.Unavailable("request table: " + failure))
        .toList();
    return replyAndGoOn(command, new Outcomes(outcomes));
  }

  /** Answers without a write and takes up what waited meanwhile. */
  private ReplyEffect<OrgEvent, AccountState> replyAndGoOn(Execute command, Outcomes outcomes) {
    return Effect().reply(command.replyTo(), outcomes).thenUnstashAll();
  }

  private static Outcomes allFailed(Execute command, String description) {
    return new Outcomes(command.operations().stream().map(operation -> (Outcome) new Outcome.Failed(description)).toList());
  }

  private ReplyEffect<OrgEvent, AccountState> probe(AccountState state, Probe probe) {
    if (awaitingTable) return Effect().stash(); // a batch is still being worked on: answered after it
    if (state instanceof AccountState.Unopened) passivate.run();
    return Effect().reply(probe.replyTo(), NONE);
  }

  private ReplyEffect<OrgEvent, AccountState> fallDue(AccountState state, Tick tick) {
    if (awaitingTable) return Effect().stash();
    Handled handled = AccountState.handle(state, List.of(), clock.instant(), settingsNow(), rateLimits, ReservationIds.RANDOM);
    if (handled.events().isEmpty()) return Effect().none().thenRun(this::armTimer).thenNoReply();
    decided.expect(handled);
    long writeStarted = System.nanoTime();
    return Effect().persist(handled.events())
        .thenRun(after -> afterWrite(after, handled.events(), writeStarted))
        .thenNoReply();
  }

  /** Alerts leave only once their events are written; then the next deadline is armed. */
  private void afterWrite(AccountState state, List<OrgEvent> events, long writeStarted) {
    metrics.written(events.size(), Duration.ofNanos(System.nanoTime() - writeStarted));
    long last = lastSequenceNumber(context);
    written.written(orgId, events, last);
    int expired = 0;
    long seqNr = last - events.size();
    for (OrgEvent event : events) {
      seqNr++;
      if (event instanceof OrgEvent.ReservationExpired) expired++;
      if (event instanceof OrgEvent.AlertRaised alert) alerts.tell(Topic.publish(new AlertNotice(orgId, seqNr, alert)));
    }
    if (expired > 0) metrics.reservationsExpired(expired);
    armTimer(state);
    writeAhead(state);
    tellBudget(state);
  }

  /**
   * The account's settings for its next batch: the request memory it decides with is what the node's budget allows
   * now (see {@link RequestMemoryBudget}).
   */
  private AccountSettings settingsNow() {
    return settings.remembering(budget.maxEntries(settings.retention().maxEntries()));
  }

  private void tellBudget(AccountState state) {
    RequestMemory memory = state.memory();
    budget.holds(orgId, memory.requests().size() + memory.resolved().size(), System.nanoTime(), askToLeave);
  }

  /** An org with an open hold stays: its holds expire on time (rule 4); it trims its memory with its next write. */
  private ReplyEffect<OrgEvent, AccountState> leaveIfIdle(AccountState state, LeaveIfIdle leave) {
    boolean holdsOpen = state instanceof OpenAccount account && account.reservations().size() > 0;
    if (holdsOpen) budget.stays(orgId);
    else if (!awaitingTable) passivate.run();
    return Effect().noReply();
  }

  /** Rule 4: holds expire on time while the org is in memory; after a restart, recovery re-arms this. */
  private void armTimer(AccountState state) {
    state.nextDeadline(clock.instant(), settings.expiryNotice()).ifPresentOrElse(
        deadline -> {
          Duration delay = Duration.between(clock.instant(), deadline);
          timers.startSingleTimer(TICK, new Tick(), delay.isNegative() ? Duration.ZERO : delay);
        },
        () -> timers.cancel(TICK));
  }

  @Override
  public EventHandler<AccountState, OrgEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> {
          AccountState after = decided.apply(state, event, replayRetention);
          if (recovering) {
            after.memory().spilledSince(state.memory(), clock.instant(), settings.retention().window())
                .forEach(request -> pushedOutInReplay.put(request.requestId(), request));
          }
          return after;
        });
  }

  @Override
  public SignalHandler<AccountState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          metrics.accountStarted();
          recovering = false;
          keepPushedOutInReplay();
          armTimer(state);
          tellBudget(state);
        })
        .onSignal(PostStop.instance(), state -> {
          metrics.accountStopped();
          budget.left(orgId);
        })
        .onSignal(SnapshotFailed.class, (state, failed) -> {
          metrics.snapshotFailed();
          log.warn("org {}: the snapshot at event {} could not be saved ({}); recovery replays the events since the last saved one",
              orgId, failed.metadata().sequenceNr(), failed.getFailure().toString());
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots bound recovery time; events are never deleted, they are the audit ledger.
    return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents(), settings.snapshotsKept());
  }

  @Override
  public SnapshotAdapter<AccountState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(AccountState state) {
        return state instanceof OpenAccount account ? AccountSnapshot.of(account) : state;
      }

      @Override
      public AccountState fromJournal(Object stored) {
        return stored instanceof AccountSnapshot snapshot ? snapshot.toAccount() : (AccountState) stored;
      }
    };
  }

}
