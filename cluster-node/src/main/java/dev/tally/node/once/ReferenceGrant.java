package dev.tally.node.once;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.auth.SecretText;
import dev.tally.node.once.Deliveries.Accepted;
import dev.tally.node.once.Deliveries.Answer;
import dev.tally.node.once.Deliveries.Refused;
import dev.tally.node.once.ReferenceEvent.GrantIssued;
import dev.tally.node.once.ReferenceEvent.GrantRefused;
import dev.tally.node.once.ReferenceEvent.GrantRequested;
import dev.tally.node.once.ReferenceEvent.RewardCredited;
import dev.tally.node.once.ReferenceEvent.RewardRefused;
import dev.tally.node.once.ReferenceState.Granted;
import dev.tally.node.once.ReferenceState.Granting;
import dev.tally.node.once.ReferenceState.Rewarding;
import dev.tally.node.once.ReferenceState.Unused;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
 * reference — a payment reference today — that grants to one org at most once, forever, and, when
 * that org was referred, credits its referrer's reward once.
 *
 * <p>Its first use persists {@link GrantRequested}; only then is the grant sent to the org, through
 * the org's normal path, with a request id and grant id derived from the reference, so the org's
 * own idempotency makes a resend harmless; the org's answer is persisted ({@link GrantIssued}, or
 * {@link GrantRefused}, which leaves the reference unused) before anyone is answered. A crash in
 * between leaves the reference granting: the next use, or the entity's next start, sends the same
 * grant again; so does the entity itself, a few seconds after the org did not answer ({@link Deliveries}).
 * Later uses with the same claim answer the recorded grant (replayed) and grant nothing; with another
 * claim they are refused ({@link Reply.Reused}).
 *
 * <p>A claim that names a referrer owes it a reward from the moment {@link GrantIssued} is persisted:
 * the reward is sent to the referrer's account the same way, with a request id derived from the
 * reference ({@link #rewardId}), which the referrer's account deduplicates, and its answer is persisted
 * ({@link RewardCredited} or {@link RewardRefused}) before the uses waiting are answered. So a purchase
 * is answered as issued only once its reward is settled, and a crash before that is resumed by the
 * caller's resend or the entity's next start, like the grant.
 *
 * <p>Resuming relies on the org still knowing the grant: by its request id within the org's
 * idempotency window, or by its grant id while the grant has credits left; and on the referrer still
 * knowing the reward's request id (its idempotency window, then its request table). A reference left
 * granting or rewarding past those would be granted or rewarded again.
 */
public final class ReferenceGrant
    extends EventSourcedBehaviorWithEnforcedReplies<ReferenceGrant.Command, ReferenceEvent, ReferenceState> {

  /** Payment references of PurchasePackage. */
  public static final EntityTypeKey<Command> PURCHASE = EntityTypeKey.create(Command.class, "purchase");

  /** Uses of one reference waiting for its grant at once, beyond which a use is told to come back. */
  static final int MAX_WAITING = 100;

  /** The pause before a grant or reward the org did not answer is sent again. */
  static final Duration RESUME_AFTER = Deliveries.RESUME_AFTER;

  public sealed interface Command extends CborSerializable {}

  /**
   * Use the reference for {@code claim}. {@code blocked}, when not null, is why the caller may not
   * start a new use (e.g. the org's plan may not buy the package): it matters only if the reference
   * is unused, since a resend of a recorded use must answer what was recorded.
   */
  public record Use(Claim claim, String blocked, ActorRef<Reply> replyTo) implements Command {}

  /** An org's answer to the operation named {@code key} (the grant's or the reward's id); sent by the entity to itself. */
  private record OrgAnswered(String key, Answer answer) implements Command {}

  /** Time to send {@code key}'s operation again: the org did not answer the last time. */
  private record Resume(String key) implements Command {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(Reply.Issued.class),
    @JsonSubTypes.Type(Reply.Reused.class),
    @JsonSubTypes.Type(Reply.Blocked.class),
    @JsonSubTypes.Type(Reply.Refused.class),
    @JsonSubTypes.Type(Reply.Pending.class)
  })
  public sealed interface Reply extends CborSerializable {

    /** The org holds the grant (and a referrer its reward). {@code replayed}: this use did not start it (a resend). */
    record Issued(Claim claim, String grantId, Instant effectiveAt, Instant expiresAt, boolean replayed)
        implements Reply {}

    /** The reference was used for {@code recorded}, another claim: nothing was granted for this one. */
    record Reused(Claim recorded) implements Reply {}

    /** The reference is unused and the caller's precondition refused a first use: nothing changed. */
    record Blocked(String why) implements Reply {}

    /** The org's account refused the grant; the reference is unused again. */
    record Refused(Rejected refusal) implements Reply {}

    /** The grant or its reward is under way but not known to be done: use the reference again with the same claim. */
    record Pending(String why) implements Reply {}
  }

  /** A use waiting for the org's answer. */
  private record Waiter(ActorRef<Reply> replyTo, boolean replayed) {}

  private final ActorContext<Command> context;
  private final String grantId;
  private final String rewardId;
  private final Deliveries<String, Command> deliveries;
  private final Clock clock;
  private final List<Waiter> waiting = new ArrayList<>();

  private ReferenceGrant(ActorContext<Command> context, TimerScheduler<Command> timers, EntityTypeKey<Command> type,
      String key, OrgAccounts orgs, Clock clock) {
    super(persistenceId(type, key));
    this.context = context;
    this.grantId = grantId(type, key);
    this.rewardId = rewardId(type, key);
    this.deliveries = new Deliveries<>(context, timers, orgs, OrgAnswered::new, Resume::new);
    this.clock = clock;
  }

  /** The entity of reference {@code key} (the sharding entity id) among the references of {@code type}. */
  public static Behavior<Command> create(EntityTypeKey<Command> type, String key, OrgAccounts orgs, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new ReferenceGrant(context, timers, type, key, orgs, clock)));
  }

  public static PersistenceId persistenceId(EntityTypeKey<Command> type, String key) {
    return PersistenceId.of(type.name(), key, "|");
  }

  /** The org's grant id (and request id) of a reference: the same on every resend. */
  public static String grantId(EntityTypeKey<Command> type, String key) {
    return type.name() + ":" + key;
  }

  /**
   * The request id of the reward a reference owes the buyer's referrer: the same on every resend, and
   * a digest, so the referrer's ledger does not show the buyer's payment reference.
   */
  public static String rewardId(EntityTypeKey<Command> type, String key) {
    return "reward:" + SecretText.sha256Hex(grantId(type, key));
  }

  @Override
  public ReferenceState emptyState() {
    return new Unused();
  }

  @Override
  public CommandHandlerWithReply<Command, ReferenceEvent, ReferenceState> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, ReferenceEvent, ReferenceState> builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(Unused.class)
        .onCommand(Use.class, this::firstUse);
    builder.forStateType(Granting.class)
        .onCommand(Use.class, (state, use) -> useWhileOwed(state.requested(), use, () -> sendGrant(state)));
    builder.forStateType(Rewarding.class)
        .onCommand(Use.class, (state, use) -> useWhileOwed(state.requested(), use, () -> sendReward(state)));
    builder.forStateType(Granted.class)
        .onCommand(Use.class, this::useOfGranted);
    builder.forAnyState()
        .onCommand(OrgAnswered.class, this::orgAnswered)
        .onCommand(Resume.class, this::resume);
    return builder.build();
  }

  private ReplyEffect<ReferenceEvent, ReferenceState> firstUse(Unused state, Use use) {
    if (use.blocked() != null) return Effect().reply(use.replyTo(), new Reply.Blocked(use.blocked()));
    return Effect().persist(new GrantRequested(use.claim(), clock.instant()))
        .thenRun(after -> {
          waiting.add(new Waiter(use.replyTo(), false));
          sendGrant((Granting) after);
        })
        .thenNoReply();
  }

  /** A use while the grant or the reward is owed waits for it, and sends it again if it is not out. */
  private ReplyEffect<ReferenceEvent, ReferenceState> useWhileOwed(GrantRequested requested, Use use, Runnable send) {
    Claim recorded = requested.claim();
    if (!recorded.sameAs(use.claim())) return Effect().reply(use.replyTo(), new Reply.Reused(recorded));
    if (waiting.size() >= MAX_WAITING) {
      return Effect().reply(use.replyTo(), new Reply.Pending(MAX_WAITING + " uses of this reference already wait"));
    }
    waiting.add(new Waiter(use.replyTo(), true));
    send.run();
    return Effect().noReply();
  }

  private ReplyEffect<ReferenceEvent, ReferenceState> useOfGranted(Granted state, Use use) {
    Claim recorded = state.requested().claim();
    if (!recorded.sameAs(use.claim())) return Effect().reply(use.replyTo(), new Reply.Reused(recorded));
    return Effect().reply(use.replyTo(), issued(state.requested(), true));
  }

  /** An answer to the step the reference is at; a late answer to a step already recorded changes nothing. */
  private ReplyEffect<ReferenceEvent, ReferenceState> orgAnswered(ReferenceState state, OrgAnswered answered) {
    Answer answer = deliveries.received(answered.key(), answered.answer());
    if (state instanceof Granting granting && answered.key().equals(grantId)) return grantAnswered(granting, answer);
    if (state instanceof Rewarding rewarding && answered.key().equals(rewardId)) return rewardAnswered(rewarding, answer);
    return Effect().noReply();
  }

  private ReplyEffect<ReferenceEvent, ReferenceState> resume(ReferenceState state, Resume resume) {
    if (state instanceof Granting granting && resume.key().equals(grantId)) sendGrant(granting);
    if (state instanceof Rewarding rewarding && resume.key().equals(rewardId)) sendReward(rewarding);
    return Effect().noReply();
  }

  /** Persists the org's answer before anyone hears it; a grant issued to a referred org goes on to its reward. */
  private ReplyEffect<ReferenceEvent, ReferenceState> grantAnswered(Granting state, Answer answer) {
    if (answer instanceof Accepted) {
      return Effect().persist(new GrantIssued(clock.instant()))
          .thenRun(after -> {
            if (after instanceof Rewarding rewarding) sendReward(rewarding);
            else answerAll(waiter -> issued(state.requested(), waiter.replayed()));
          })
          .thenNoReply();
    }
    if (answer instanceof Refused refused) {
      Rejected refusal = refused.refusal();
      return Effect().persist(new GrantRefused(refusal.reason(), refusal.message(), clock.instant()))
          .thenRun(after -> answerAll(waiter -> new Reply.Refused(refusal)))
          .thenNoReply();
    }
    answerAll(waiter -> new Reply.Pending(((Deliveries.Unknown) answer).why()));
    return Effect().noReply();
  }

  /**
   * Persists the referrer's answer; the purchase is then done either way: a refused reward (the
   * referrer earns from too many referred orgs) is recorded, not retried.
   */
  private ReplyEffect<ReferenceEvent, ReferenceState> rewardAnswered(Rewarding state, Answer answer) {
    ReferenceEvent settled;
    if (answer instanceof Accepted accepted) {
      long reward = accepted.done() != null && accepted.done().result() instanceof Outcome.Rewarded rewarded ? rewarded.reward() : 0;
      settled = new RewardCredited(reward, clock.instant());
    } else if (answer instanceof Refused refused) {
      context.getLog().warn("the referrer {} refused the reward of {}: {}", state.requested().claim().referrerOrgId(),
          grantId, refused.refusal().message());
      settled = new RewardRefused(refused.refusal().reason(), refused.refusal().message(), clock.instant());
    } else {
      answerAll(waiter -> new Reply.Pending(((Deliveries.Unknown) answer).why()));
      return Effect().noReply();
    }
    return Effect().persist(settled)
        .thenRun(after -> answerAll(waiter -> issued(state.requested(), waiter.replayed())))
        .thenNoReply();
  }

  private void sendGrant(Granting state) {
    GrantRequested requested = state.requested();
    Claim claim = requested.claim();
    deliveries.send(grantId, claim.orgId(), new Operation.GrantCredits(
        grantId, grantId, claim.kind(), claim.amount(), null, requested.at(), claim.expiresAt(requested.at())));
  }

  private void sendReward(Rewarding state) {
    Claim claim = state.requested().claim();
    deliveries.send(rewardId, claim.referrerOrgId(), new Operation.CreditReward(rewardId, claim.orgId(), claim.amount()));
  }

  private Reply.Issued issued(GrantRequested requested, boolean replayed) {
    Claim claim = requested.claim();
    return new Reply.Issued(claim, grantId, requested.at(), claim.expiresAt(requested.at()), replayed);
  }

  private void answerAll(Function<Waiter, Reply> reply) {
    for (Waiter waiter : waiting) waiter.replyTo().tell(reply.apply(waiter));
    waiting.clear();
  }

  @Override
  public EventHandler<ReferenceState, ReferenceEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ReferenceState::apply);
  }

  /** A reference left granting or rewarding by a crash resumes as soon as its entity is back. */
  @Override
  public SignalHandler<ReferenceState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Granting granting) sendGrant(granting);
          if (state instanceof Rewarding rewarding) sendReward(rewarding);
        })
        .build();
  }
}
