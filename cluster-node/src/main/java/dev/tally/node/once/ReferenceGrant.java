package dev.tally.node.once;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.once.ReferenceEvent.GrantIssued;
import dev.tally.node.once.ReferenceEvent.GrantRefused;
import dev.tally.node.once.ReferenceEvent.GrantRequested;
import dev.tally.node.once.ReferenceState.Granted;
import dev.tally.node.once.ReferenceState.Granting;
import dev.tally.node.once.ReferenceState.Unused;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The single writer of "this reference was used" (DESIGN §9): one sharded, event-sourced entity per
 * reference — a payment reference today, a redemption code's hash or a referral next — that grants
 * to one org at most once, forever.
 *
 * <p>Its first use persists {@link GrantRequested}; only then is the grant sent to the org, through
 * the org's normal path, with a request id and grant id derived from the reference, so the org's
 * own idempotency makes a resend harmless; the org's answer is persisted ({@link GrantIssued}, or
 * {@link GrantRefused}, which leaves the reference unused) before anyone is answered. A crash in
 * between leaves the reference granting: the next use, or the entity's next start, sends the same
 * grant again; so does the entity itself, a few seconds after the org did not answer (the sending is
 * {@link GrantSender}'s, shared with the other entities that grant once). Later uses with the same
 * claim answer the recorded grant (replayed) and grant nothing; with another claim they are refused ({@link Reused}).
 *
 * <p>Resuming relies on the org still knowing the grant: by its request id within the org's
 * idempotency window, or by its grant id while the grant has credits left. An interrupted grant is
 * resumed by the first resend after the crash; a reference left granting past both would be granted again.
 */
public final class ReferenceGrant
    extends EventSourcedBehaviorWithEnforcedReplies<ReferenceGrant.Command, ReferenceEvent, ReferenceState> {

  /** Payment references of PurchasePackage. */
  public static final EntityTypeKey<Command> PURCHASE = EntityTypeKey.create(Command.class, "purchase");

  /** Uses of one reference waiting for its grant at once, beyond which a use is told to come back. */
  static final int MAX_WAITING = 100;

  public sealed interface Command extends CborSerializable {}

  /**
   * Use the reference for {@code claim}. {@code blocked}, when not null, is why the caller may not
   * start a new use (e.g. the org's plan may not buy the package): it matters only if the reference
   * is unused, since a resend of a recorded use must answer what was recorded.
   */
  public record Use(Claim claim, String blocked, ActorRef<Reply> replyTo) implements Command {}

  /** The org's answer to the grant; sent by the entity to itself. */
  private record OrgAnswered(GrantAnswer answer) implements Command {}

  /** Time to send the grant again: the org did not answer the last time. */
  private record Resume() implements Command {}

  /** The pause before a grant the org did not answer is sent again. */
  static final Duration RESUME_AFTER = GrantSender.RESUME_AFTER;

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(Reply.Issued.class),
    @JsonSubTypes.Type(Reply.Reused.class),
    @JsonSubTypes.Type(Reply.Blocked.class),
    @JsonSubTypes.Type(Reply.Refused.class),
    @JsonSubTypes.Type(Reply.Pending.class)
  })
  public sealed interface Reply extends CborSerializable {

    /** The org holds the grant. {@code replayed}: this use did not start it (a resend). */
    record Issued(Claim claim, String grantId, Instant effectiveAt, Instant expiresAt, boolean replayed)
        implements Reply {}

    /** The reference was used for {@code recorded}, another claim: nothing was granted for this one. */
    record Reused(Claim recorded) implements Reply {}

    /** The reference is unused and the caller's precondition refused a first use: nothing changed. */
    record Blocked(String why) implements Reply {}

    /** The org's account refused the grant; the reference is unused again. */
    record Refused(Rejected refusal) implements Reply {}

    /** The grant is under way but not known to be done: use the reference again with the same claim. */
    record Pending(String why) implements Reply {}
  }

  /** A use waiting for the org's answer. */
  private record Waiter(ActorRef<Reply> replyTo, boolean replayed) {}

  private final String grantId;
  private final Clock clock;
  private final List<Waiter> waiting = new ArrayList<>();
  /** The grant's only key: a reference grants once. */
  private final GrantSender<Command, String> sender;

  private ReferenceGrant(ActorContext<Command> context, TimerScheduler<Command> timers, EntityTypeKey<Command> type,
      String key, OrgGrants orgs, Clock clock) {
    super(persistenceId(type, key));
    this.grantId = grantId(type, key);
    this.clock = clock;
    this.sender = new GrantSender<>(context, timers, orgs, (grant, answer) -> new OrgAnswered(answer), grant -> new Resume());
  }

  /** The entity of reference {@code key} (the sharding entity id) among the references of {@code type}. */
  public static Behavior<Command> create(EntityTypeKey<Command> type, String key, OrgGrants orgs, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ReferenceGrant(context, timers, type, key, orgs, clock)));
  }

  public static PersistenceId persistenceId(EntityTypeKey<Command> type, String key) {
    return PersistenceId.of(type.name(), key, "|");
  }

  /** The org's grant id (and request id) of a reference: the same on every resend. */
  public static String grantId(EntityTypeKey<Command> type, String key) {
    return type.name() + ":" + key;
  }

  @Override
  public ReferenceState emptyState() {
    return new Unused();
  }

  @Override
  public CommandHandlerWithReply<Command, ReferenceEvent, ReferenceState> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, ReferenceEvent, ReferenceState> builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(Unused.class)
        .onCommand(Use.class, this::firstUse)
        .onCommand(OrgAnswered.class, (state, late) -> Effect().noReply())
        .onCommand(Resume.class, (state, late) -> Effect().noReply());
    builder.forStateType(Granting.class)
        .onCommand(Use.class, this::useWhileGranting)
        .onCommand(OrgAnswered.class, this::orgAnswered)
        .onCommand(Resume.class, (state, resume) -> {
          askOrg(state);
          return Effect().noReply();
        });
    builder.forStateType(Granted.class)
        .onCommand(Use.class, this::useOfGranted)
        .onCommand(OrgAnswered.class, (state, late) -> Effect().noReply())
        .onCommand(Resume.class, (state, late) -> Effect().noReply());
    return builder.build();
  }

  private ReplyEffect<ReferenceEvent, ReferenceState> firstUse(Unused state, Use use) {
    if (use.blocked() != null) return Effect().reply(use.replyTo(), new Reply.Blocked(use.blocked()));
    return Effect().persist(new GrantRequested(use.claim(), clock.instant()))
        .thenRun(after -> {
          waiting.add(new Waiter(use.replyTo(), false));
          askOrg((Granting) after);
        })
        .thenNoReply();
  }

  private ReplyEffect<ReferenceEvent, ReferenceState> useWhileGranting(Granting state, Use use) {
    Claim recorded = state.requested().claim();
    if (!recorded.sameAs(use.claim())) return Effect().reply(use.replyTo(), new Reply.Reused(recorded));
    if (waiting.size() >= MAX_WAITING) {
      return Effect().reply(use.replyTo(), new Reply.Pending(MAX_WAITING + " uses of this reference already wait"));
    }
    waiting.add(new Waiter(use.replyTo(), true));
    askOrg(state);
    return Effect().noReply();
  }

  private ReplyEffect<ReferenceEvent, ReferenceState> useOfGranted(Granted state, Use use) {
    Claim recorded = state.requested().claim();
    if (!recorded.sameAs(use.claim())) return Effect().reply(use.replyTo(), new Reply.Reused(recorded));
    return Effect().reply(use.replyTo(), issued(state.requested(), true));
  }

  /** Persists the org's answer before anyone hears it; a failure to answer leaves the reference granting. */
  private ReplyEffect<ReferenceEvent, ReferenceState> orgAnswered(Granting state, OrgAnswered answered) {
    sender.answered(grantId);
    GrantAnswer answer = answered.answer();
    if (answer instanceof GrantAnswer.Issued) {
      return Effect().persist(new GrantIssued(clock.instant()))
          .thenRun(after -> answerAll(waiter -> issued(state.requested(), waiter.replayed())))
          .thenNoReply();
    }
    if (answer instanceof GrantAnswer.Refused refused) {
      Rejected refusal = refused.refusal();
      return Effect().persist(new GrantRefused(refusal.reason(), refusal.message(), clock.instant()))
          .thenRun(after -> answerAll(waiter -> new Reply.Refused(refusal)))
          .thenNoReply();
    }
    GrantAnswer.Unknown unknown = (GrantAnswer.Unknown) answer;
    answerAll(waiter -> new Reply.Pending(unknown.why()));
    sender.resumeLater(grantId, unknown, grantId);
    return Effect().noReply();
  }

  /** Sends the grant, unless it is out already. */
  private void askOrg(Granting state) {
    GrantRequested requested = state.requested();
    Claim claim = requested.claim();
    Operation.GrantCredits grant = new Operation.GrantCredits(
        grantId, grantId, claim.kind(), claim.amount(), null, requested.at(), claim.expiresAt(requested.at()));
    sender.send(grantId, claim.orgId(), grant);
  }

  private Reply.Issued issued(GrantRequested requested, boolean replayed) {
    Claim claim = requested.claim();
    return new Reply.Issued(claim, grantId, requested.at(), claim.expiresAt(requested.at()), replayed);
  }

  private void answerAll(java.util.function.Function<Waiter, Reply> reply) {
    for (Waiter waiter : waiting) waiter.replyTo().tell(reply.apply(waiter));
    waiting.clear();
  }

  @Override
  public EventHandler<ReferenceState, ReferenceEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ReferenceState::apply);
  }

  /** A reference left granting by a crash resumes its grant as soon as its entity is back. */
  @Override
  public SignalHandler<ReferenceState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Granting granting) askOrg(granting);
        })
        .build();
  }
}
