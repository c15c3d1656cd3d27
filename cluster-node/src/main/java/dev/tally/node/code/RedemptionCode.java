package dev.tally.node.code;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.auth.SecretText;
import dev.tally.node.code.CodeEvent.Defined;
import dev.tally.node.code.CodeEvent.RedemptionIssued;
import dev.tally.node.code.CodeEvent.RedemptionRefused;
import dev.tally.node.code.CodeEvent.RedemptionRequested;
import dev.tally.node.code.CodeState.Redemption;
import dev.tally.node.once.Deliveries;
import dev.tally.node.once.Deliveries.Answer;
import dev.tally.node.once.OrgAccounts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One redemption code (DESIGN §9), keyed by its SHA-256: the single writer of its redemptions, so
 * two orgs racing for a single-use code cannot both have it, on any node.
 *
 * <p>A redemption is persisted ({@link RedemptionRequested}) before its grant is sent to the org,
 * through the org's normal path, with a grant id and request id derived from the code's hash (and
 * the redemption's number when the code allows several), so the org's own idempotency makes a resend
 * harmless. The org's answer is persisted before anyone hears it; a refusal frees the redemption. A
 * redemption left granting by a crash is sent again when the entity starts, when the org redeems
 * again, and a few seconds after the org did not answer ({@link Deliveries}, shared with
 * {@code ReferenceGrant}), for several redemptions per code and with terms checked before the first.
 */
public final class RedemptionCode
    extends EventSourcedBehaviorWithEnforcedReplies<RedemptionCode.Command, CodeEvent, CodeState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "code");

  /** The codes' text: {@code tc_} + random + checksum; Tally keeps only its SHA-256. */
  public static final SecretText FORMAT = new SecretText("tc_");

  /** Redeems of one redemption waiting for its grant at once, beyond which one is told to come back. */
  static final int MAX_WAITING = 100;

  /** The pause before a grant the org did not answer is sent again. */
  static final Duration RESUME_AFTER = Deliveries.RESUME_AFTER;

  public sealed interface Command extends CborSerializable {}

  /** Give the code its batch's terms; a code already defined keeps its own. */
  public record Define(CodeTerms terms, ActorRef<Done> replyTo) implements Command {}

  /** Redeem the code for {@code orgId}. */
  public record Redeem(String orgId, ActorRef<Reply> replyTo) implements Command {}

  /** Stop the code's redemptions from now on; those made stay. Answers {@link Reply.Unknown} for an unknown code. */
  public record VoidCode(ActorRef<Reply> replyTo) implements Command {}

  /** Answers how the code stands, for listings: {@link Description}. */
  public record Describe(ActorRef<Description> replyTo) implements Command {}

  /**
   * {@code terms} null for an unknown code; {@code voidedAt} null unless voided; {@code redemptions}
   * made or under way.
   */
  public record Description(CodeTerms terms, Instant voidedAt, int redemptions) implements CborSerializable {}

  private record OrgAnswered(Integer number, Answer answer) implements Command {}

  private record Resume(Integer number) implements Command {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(Reply.Redeemed.class),
    @JsonSubTypes.Type(Reply.Unknown.class),
    @JsonSubTypes.Type(Reply.Expired.class),
    @JsonSubTypes.Type(Reply.UsedUp.class),
    @JsonSubTypes.Type(Reply.Voided.class),
    @JsonSubTypes.Type(Reply.Refused.class),
    @JsonSubTypes.Type(Reply.Pending.class)
  })
  public sealed interface Reply extends CborSerializable {

    /** The org holds the grant. {@code replayed}: this redeem did not start it. */
    record Redeemed(String orgId, String grantId, long amount, Instant effectiveAt, boolean replayed) implements Reply {}

    /** No code has this hash. */
    record Unknown() implements Reply {}

    record Expired(Instant at) implements Reply {}

    record UsedUp(int maxRedemptions) implements Reply {}

    /** Voided at {@code at} (for {@link VoidCode}: now voided). */
    record Voided(Instant at) implements Reply {}

    /** The org's account refused the grant; the redemption is free again. */
    record Refused(Rejected refusal) implements Reply {}

    /** The grant is under way but not known to be done: redeem again. */
    record Pending(String why) implements Reply {}
  }

  private record Waiter(ActorRef<Reply> replyTo, boolean replayed) {}

  private final String codeHash;
  private final Deliveries<Integer, Command> deliveries;
  private final Clock clock;
  private final Map<Integer, List<Waiter>> waiting = new HashMap<>();

  private RedemptionCode(ActorContext<Command> context, TimerScheduler<Command> timers, String codeHash, OrgAccounts orgs, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE.name(), codeHash, "|"));
    this.codeHash = codeHash;
    this.deliveries = new Deliveries<>(context, timers, orgs, OrgAnswered::new, Resume::new);
    this.clock = clock;
  }

  /** The entity of the code whose SHA-256 (lowercase hex) is {@code codeHash}. */
  public static Behavior<Command> create(String codeHash, OrgAccounts orgs, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RedemptionCode(context, timers, codeHash, orgs, clock)));
  }

  /** The org's grant id (and request id) of redemption {@code number} of a code allowing {@code maxRedemptions}. */
  public static String grantId(String codeHash, int number, int maxRedemptions) {
    return maxRedemptions == 1 ? "code:" + codeHash : "code:" + codeHash + ":" + number;
  }

  @Override
  public CodeState emptyState() {
    return CodeState.undefined();
  }

  @Override
  public CommandHandlerWithReply<Command, CodeEvent, CodeState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Define.class, this::define)
        .onCommand(Redeem.class, this::redeem)
        .onCommand(VoidCode.class, this::voidCode)
        .onCommand(Describe.class, (state, describe) -> Effect().reply(describe.replyTo(),
            new Description(state.terms(), state.voidedAt(), state.redemptions().size())))
        .onCommand(OrgAnswered.class, this::orgAnswered)
        .onCommand(Resume.class, (state, resume) -> {
          state.numbered(resume.number()).filter(r -> !r.issued()).ifPresent(r -> askOrg(state, r));
          return Effect().noReply();
        })
        .build();
  }

  private ReplyEffect<CodeEvent, CodeState> define(CodeState state, Define define) {
    if (state.terms() != null) return Effect().reply(define.replyTo(), Done.getInstance());
    return Effect().persist(new Defined(define.terms(), clock.instant())).thenReply(define.replyTo(), after -> Done.getInstance());
  }

  private ReplyEffect<CodeEvent, CodeState> voidCode(CodeState state, VoidCode command) {
    if (state.terms() == null) return Effect().reply(command.replyTo(), new Reply.Unknown());
    if (state.voidedAt() != null) return Effect().reply(command.replyTo(), new Reply.Voided(state.voidedAt()));
    return Effect().persist(new CodeEvent.Voided(clock.instant()))
        .thenReply(command.replyTo(), after -> new Reply.Voided(after.voidedAt()));
  }

  private ReplyEffect<CodeEvent, CodeState> redeem(CodeState state, Redeem redeem) {
    CodeState.Decision decision = state.decide(redeem.orgId(), clock.instant());
    if (decision instanceof CodeState.Redeem start) {
      return Effect().persist(new RedemptionRequested(redeem.orgId(), start.number(), clock.instant()))
          .thenRun(after -> {
            Redemption redemption = after.numbered(start.number()).orElseThrow();
            waitersOf(start.number()).add(new Waiter(redeem.replyTo(), false));
            askOrg(after, redemption);
          })
          .thenNoReply();
    }
    if (decision instanceof CodeState.Again again) {
      Redemption recorded = again.recorded();
      if (recorded.issued()) return Effect().reply(redeem.replyTo(), redeemed(state, recorded, true));
      List<Waiter> waiters = waitersOf(recorded.number());
      if (waiters.size() >= MAX_WAITING) {
        return Effect().reply(redeem.replyTo(), new Reply.Pending(MAX_WAITING + " redeems of this redemption already wait"));
      }
      waiters.add(new Waiter(redeem.replyTo(), true));
      askOrg(state, recorded);
      return Effect().noReply();
    }
    return Effect().reply(redeem.replyTo(), refusal(decision));
  }

  private static Reply refusal(CodeState.Decision decision) {
    if (decision instanceof CodeState.Expired expired) return new Reply.Expired(expired.at());
    if (decision instanceof CodeState.Voided voided) return new Reply.Voided(voided.at());
    if (decision instanceof CodeState.UsedUp usedUp) return new Reply.UsedUp(usedUp.maxRedemptions());
    return new Reply.Unknown();
  }

  /** Persists the org's answer before anyone hears it; no answer leaves the redemption granting. */
  private ReplyEffect<CodeEvent, CodeState> orgAnswered(CodeState state, OrgAnswered answered) {
    int number = answered.number();
    Answer answer = deliveries.received(number, answered.answer());
    Redemption redemption = state.numbered(number).filter(r -> !r.issued()).orElse(null);
    if (redemption == null) return Effect().noReply(); // a late answer to a redemption already settled
    if (answer instanceof Deliveries.Accepted) {
      return Effect().persist(new RedemptionIssued(number, clock.instant()))
          .thenRun(after -> answerAll(number, waiter -> redeemed(after, redemption, waiter.replayed())))
          .thenNoReply();
    }
    if (answer instanceof Deliveries.Refused refused) {
      Rejected refusal = refused.refusal();
      return Effect().persist(new RedemptionRefused(number, refusal.reason(), refusal.message(), clock.instant()))
          .thenRun(after -> answerAll(number, waiter -> new Reply.Refused(refusal)))
          .thenNoReply();
    }
    String why = ((Deliveries.Unknown) answer).why();
    answerAll(number, waiter -> new Reply.Pending(why));
    return Effect().noReply();
  }

  /** Sends the redemption's grant unless it is out already. */
  private void askOrg(CodeState state, Redemption redemption) {
    CodeTerms terms = state.terms();
    String id = grantId(codeHash, redemption.number(), terms.maxRedemptions());
    deliveries.send(redemption.number(), redemption.orgId(), new Operation.GrantCredits(
        id, id, GrantKind.REDEMPTION, terms.credits(), null, redemption.at(), null));
  }

  private Reply.Redeemed redeemed(CodeState state, Redemption redemption, boolean replayed) {
    return new Reply.Redeemed(redemption.orgId(), grantId(codeHash, redemption.number(), state.terms().maxRedemptions()),
        state.terms().credits(), redemption.at(), replayed);
  }

  private List<Waiter> waitersOf(int number) {
    return waiting.computeIfAbsent(number, n -> new ArrayList<>());
  }

  private void answerAll(int number, java.util.function.Function<Waiter, Reply> reply) {
    List<Waiter> waiters = waiting.remove(number);
    if (waiters != null) for (Waiter waiter : waiters) waiter.replyTo().tell(reply.apply(waiter));
  }

  @Override
  public EventHandler<CodeState, CodeEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CodeState::apply);
  }

  /** Redemptions left granting by a crash resume their grants as soon as the entity is back. */
  @Override
  public SignalHandler<CodeState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> state.granting().forEach(r -> askOrg(state, r)))
        .build();
  }
}
