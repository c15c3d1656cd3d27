package dev.tally.node.creditrequest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Period;
import dev.tally.node.creditrequest.CreditRequest.PeriodUsage;
import dev.tally.node.creditrequest.CreditRequest.Status;
import dev.tally.node.creditrequest.CreditRequestEvent.Approved;
import dev.tally.node.creditrequest.CreditRequestEvent.Denied;
import dev.tally.node.creditrequest.CreditRequestEvent.Filed;
import dev.tally.node.creditrequest.CreditRequestEvent.GrantRefused;
import dev.tally.node.creditrequest.CreditRequestEvent.Granted;
import dev.tally.node.once.Deliveries;
import dev.tally.node.once.OrgAccounts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One org's credit requests (DESIGN §9): a sharded, event-sourced entity per org, the single writer
 * of its requests' states, so the bound on open requests holds and a request is decided once.
 *
 * <p>An approval is persisted ({@link Approved}) before its PROMOTION grant is sent to the org
 * through the org's normal path, with a grant id and request id derived from the request's number
 * ({@link CreditRequest#grantId()}), so the org's own idempotency makes a resend harmless
 * ({@link Deliveries}); the org's answer is persisted before anyone hears it. A crash in between
 * leaves the request granting: the entity's next start, a second approval, or the entity itself a
 * few seconds after the org did not answer sends the same grant again. Approving twice, or at once
 * from two operators, grants once.
 *
 * <p>A decision is told to the org's journal once it is final ({@link Operation.RecordCreditRequestDecided}:
 * the webhook event CREDIT_REQUEST_DECIDED, a ledger entry): a denial once persisted, an approval once
 * the org holds its grant. The decider is answered only after the org recorded it. A crash or an org
 * not answering in between leaves the decision untold until the decision is sent again: the operator's
 * retry (the same approval or denial, answered as replayed) tells it again, and the org writes it if it
 * had not (the record's id is the request's number, so a resend writes nothing twice). That repair
 * holds inside the idempotency window after the decision (the time the org remembers the record's
 * id); a decision repeated later is answered without telling the org again. An org that does not
 * answer is told again every {@link Deliveries#RESUME_AFTER}, as a grant is.
 *
 * <p>After every change the request's row in the operators' listing ({@link Listing}) is rewritten;
 * on every start all its kept requests' rows are, so a crash between an event and its row converges
 * the next time the org's requests are touched.
 */
public final class CreditRequests
    extends EventSourcedBehaviorWithEnforcedReplies<CreditRequests.Command, CreditRequestEvent, OrgCreditRequests> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "credit-requests");

  /**
   * The share of its alert base (the period's allocation, or what an org without one could spend)
   * an org must have used in the current period before it may file a request: the product's 80 %.
   */
  public static final int USAGE_PERCENT = 80;

  /** Approvals of one request waiting for its grant at once, beyond which one is told to come back. */
  static final int MAX_WAITING = 100;

  public sealed interface Command extends CborSerializable {}

  /**
   * File a request. {@code thresholdPassed} and {@code usage} are the org's period as its account
   * reported it just before ({@code Period.usageReached(USAGE_PERCENT)}).
   */
  public record File(String requestId, long amount, String reason, PeriodUsage usage, boolean thresholdPassed,
      ActorRef<Reply> replyTo) implements Command {}

  /** A filing measured against the org's current {@code period} by the account's own rule ({@link Period#usageReached}). */
  public static File filing(String requestId, long amount, String reason, Period period, ActorRef<Reply> replyTo) {
    return new File(requestId, amount, reason, new PeriodUsage(period.charged(), period.alertBase()),
        period.usageReached(USAGE_PERCENT), replyTo);
  }

  /** Approve (a PROMOTION grant of the amount) or deny request {@code number}. */
  public record Decide(long number, boolean approve, String note, ActorRef<Reply> replyTo) implements Command {}

  /** A page of the org's requests: see {@link OrgCreditRequests#page}. */
  public record ListRequests(Status status, long before, int limit, ActorRef<Reply> replyTo) implements Command {}

  private record OrgAnswered(long number, Deliveries.Answer answer) implements Command {}

  /** Names the telling of request {@code number}'s decision among the entity's sends (its timers apart from the grant's). */
  private record Telling(long number) {}

  /** The org answered the record of a decision. */
  private record OrgTold(Telling telling, Deliveries.Answer answer) implements Command {}

  private record TellAgain(Telling telling) implements Command {}

  private record Resume(long number) implements Command {}

  /** The listing's row of request {@code number} was written, or {@code failure}. */
  private record RowWritten(long number, Throwable failure) implements Command {}

  private record RewriteRows() implements Command {}

  private static final Object REWRITE_ROWS = "rewrite-rows";

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(Reply.Filed.class),
    @JsonSubTypes.Type(Reply.Decided.class),
    @JsonSubTypes.Type(Reply.Listed.class),
    @JsonSubTypes.Type(Reply.BelowThreshold.class),
    @JsonSubTypes.Type(Reply.TooManyOpen.class),
    @JsonSubTypes.Type(Reply.RequestIdReused.class),
    @JsonSubTypes.Type(Reply.NotFound.class),
    @JsonSubTypes.Type(Reply.AlreadyDecided.class),
    @JsonSubTypes.Type(Reply.Refused.class),
    @JsonSubTypes.Type(Reply.Pending.class)
  })
  public sealed interface Reply extends CborSerializable {

    /** {@code replayed}: this filing's request id had filed it before; nothing new was filed. */
    record Filed(CreditRequest request, boolean replayed) implements Reply {}

    /** The request as decided. {@code replayed}: it was decided this way before; nothing new was granted. */
    record Decided(CreditRequest request, boolean replayed) implements Reply {}

    record Listed(OrgCreditRequests.Page page) implements Reply {}

    record BelowThreshold(PeriodUsage usage, int percent) implements Reply {}

    record TooManyOpen(int max) implements Reply {}

    record RequestIdReused(CreditRequest recorded) implements Reply {}

    record NotFound(long number) implements Reply {}

    /** Decided the other way before. */
    record AlreadyDecided(CreditRequest request) implements Reply {}

    /** The org's account refused the grant; the request is open again. */
    record Refused(Rejected refusal) implements Reply {}

    /** The approval's grant is under way but not known to be done: approve again to learn. */
    record Pending(String why) implements Reply {}
  }

  /** The operators' listing of every org's requests (the table {@code tally.credit_requests}). */
  @FunctionalInterface
  public interface Listing {
    /** Writes {@code request}'s row as it stands now; idempotent. */
    CompletionStage<Done> write(String orgId, CreditRequest request);
  }

  /** The pause before a listing row that could not be written is written again. */
  static final Duration REWRITE_AFTER = Duration.ofSeconds(5);

  private record Waiter(ActorRef<Reply> replyTo, boolean replayed) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final String orgId;
  private final Listing listing;
  private final Clock clock;
  private final Deliveries<Long, Command> sender;
  private final Deliveries<Telling, Command> teller;
  private final Duration recordWindow;
  private final Map<Long, List<Waiter>> waiting = new HashMap<>();
  /** Requests whose listing rows are to be written, in order; one row is written at a time. */
  private final Set<Long> unwritten = new LinkedHashSet<>();
  private boolean writing;

  private CreditRequests(ActorContext<Command> context, TimerScheduler<Command> timers, String orgId, OrgAccounts orgs,
      Listing listing, Clock clock, Duration recordWindow) {
    super(persistenceId(orgId));
    this.context = context;
    this.timers = timers;
    this.orgId = orgId;
    this.listing = listing;
    this.clock = clock;
    this.sender = new Deliveries<>(context, timers, orgs, OrgAnswered::new, Resume::new);
    this.teller = new Deliveries<>(context, timers, orgs, OrgTold::new, TellAgain::new);
    this.recordWindow = recordWindow;
  }

  /**
   * The entity of org {@code orgId}'s credit requests.
   *
   * @param recordWindow how long the org remembers the record of a decision (tally.idempotency.window):
   *     a decision repeated within it tells the org again
   */
  public static Behavior<Command> create(String orgId, OrgAccounts orgs, Listing listing, Clock clock, Duration recordWindow) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new CreditRequests(context, timers, orgId, orgs, listing, clock, recordWindow)));
  }

  public static PersistenceId persistenceId(String orgId) {
    return PersistenceId.of(ENTITY_TYPE.name(), orgId, "|");
  }

  @Override
  public OrgCreditRequests emptyState() {
    return OrgCreditRequests.NONE;
  }

  @Override
  public CommandHandlerWithReply<Command, CreditRequestEvent, OrgCreditRequests> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(File.class, this::file)
        .onCommand(Decide.class, this::decide)
        .onCommand(ListRequests.class, (state, list) ->
            Effect().reply(list.replyTo(), new Reply.Listed(state.page(list.status(), list.before(), list.limit()))))
        .onCommand(OrgAnswered.class, this::orgAnswered)
        .onCommand(OrgTold.class, this::orgTold)
        .onCommand(TellAgain.class, (state, again) -> {
          state.numbered(again.telling().number()).filter(CreditRequests::decided).ifPresent(this::tell);
          return Effect().noReply();
        })
        .onCommand(Resume.class, (state, resume) -> {
          state.numbered(resume.number()).filter(r -> r.status() == Status.GRANTING).ifPresent(this::sendGrant);
          return Effect().noReply();
        })
        .onCommand(RowWritten.class, (state, written) -> {
          writing = false;
          if (written.failure() == null) {
            writeNextRow(state);
          } else {
            context.getLog().warn("the listing row of credit request {} of org {} was not written ({}); again in {}",
                written.number(), orgId, written.failure().toString(), REWRITE_AFTER);
            unwritten.add(written.number());
            timers.startSingleTimer(REWRITE_ROWS, new RewriteRows(), REWRITE_AFTER);
          }
          return Effect().noReply();
        })
        .onCommand(RewriteRows.class, (state, rewrite) -> {
          writeNextRow(state);
          return Effect().noReply();
        })
        .build();
  }

  private ReplyEffect<CreditRequestEvent, OrgCreditRequests> file(OrgCreditRequests state, File file) {
    OrgCreditRequests.Filing filing =
        state.file(file.requestId(), file.amount(), file.reason(), file.usage(), file.thresholdPassed(), clock.instant());
    if (filing instanceof OrgCreditRequests.New fresh) {
      return Effect().persist(new Filed(fresh.request()))
          .thenRun(after -> writeRow(after, fresh.request().number()))
          .thenReply(file.replyTo(), after -> new Reply.Filed(fresh.request(), false));
    }
    Reply answer;
    if (filing instanceof OrgCreditRequests.Again again) answer = new Reply.Filed(again.recorded(), true);
    else if (filing instanceof OrgCreditRequests.Reused reused) answer = new Reply.RequestIdReused(reused.recorded());
    else if (filing instanceof OrgCreditRequests.BelowThreshold below) answer = new Reply.BelowThreshold(below.usage(), USAGE_PERCENT);
    else answer = new Reply.TooManyOpen(((OrgCreditRequests.TooManyOpen) filing).max());
    return Effect().reply(file.replyTo(), answer);
  }

  private ReplyEffect<CreditRequestEvent, OrgCreditRequests> decide(OrgCreditRequests state, Decide decide) {
    OrgCreditRequests.Deciding deciding = state.decide(decide.number(), decide.approve());
    if (deciding instanceof OrgCreditRequests.Approve approve) {
      long number = approve.request().number();
      return Effect().persist(new Approved(number, decide.note(), clock.instant()))
          .thenRun(after -> {
            CreditRequest granting = after.numbered(number).orElseThrow();
            writeRow(after, number);
            waitersOf(number).add(new Waiter(decide.replyTo(), false));
            sendGrant(granting);
          })
          .thenNoReply();
    }
    if (deciding instanceof OrgCreditRequests.Deny deny) {
      long number = deny.request().number();
      return Effect().persist(new Denied(number, decide.note(), clock.instant()))
          .thenRun(after -> {
            writeRow(after, number);
            waitersOf(number).add(new Waiter(decide.replyTo(), false));
            tell(after.numbered(number).orElseThrow());
          })
          .thenNoReply();
    }
    if (deciding instanceof OrgCreditRequests.Same same) {
      CreditRequest request = same.request();
      boolean told = request.status() != Status.GRANTING
          && request.decidedAt().plus(recordWindow).isBefore(clock.instant()); // the org forgot its record: told long ago
      if (told) return Effect().reply(decide.replyTo(), new Reply.Decided(request, true));
      List<Waiter> waiters = waitersOf(request.number());
      if (waiters.size() >= MAX_WAITING) {
        return Effect().reply(decide.replyTo(), new Reply.Pending(MAX_WAITING + " approvals of this request already wait"));
      }
      waiters.add(new Waiter(decide.replyTo(), true));
      if (request.status() == Status.GRANTING) sendGrant(request);
      else tell(request); // told before, or not if the node stopped before: the org writes it once
      return Effect().noReply();
    }
    if (deciding instanceof OrgCreditRequests.Other other) {
      return Effect().reply(decide.replyTo(), new Reply.AlreadyDecided(other.request()));
    }
    return Effect().reply(decide.replyTo(), new Reply.NotFound(((OrgCreditRequests.NotFound) deciding).number()));
  }

  /** Persists the org's answer before anyone hears it; an answer that says nothing leaves the request granting. */
  private ReplyEffect<CreditRequestEvent, OrgCreditRequests> orgAnswered(OrgCreditRequests state, OrgAnswered answered) {
    long number = answered.number();
    Deliveries.Answer answer = sender.received(number, answered.answer());
    CreditRequest request = state.numbered(number).filter(r -> r.status() == Status.GRANTING).orElse(null);
    if (request == null) return Effect().noReply(); // a late answer to a request settled already
    if (answer instanceof Deliveries.Accepted) {
      return Effect().persist(new Granted(number, clock.instant()))
          .thenRun(after -> {
            writeRow(after, number);
            tell(after.numbered(number).orElseThrow()); // the approvers are answered once the org recorded it
          })
          .thenNoReply();
    }
    if (answer instanceof Deliveries.Refused refused) {
      Rejected refusal = refused.refusal();
      return Effect().persist(new GrantRefused(number, refusal.reason(), refusal.message(), clock.instant()))
          .thenRun(after -> {
            writeRow(after, number);
            answerAll(number, waiter -> new Reply.Refused(refusal));
          })
          .thenNoReply();
    }
    // Not known: Deliveries sends the grant again a while later.
    Deliveries.Unknown unknown = (Deliveries.Unknown) answer;
    answerAll(number, waiter -> new Reply.Pending(unknown.why()));
    return Effect().noReply();
  }

  /**
   * The org recorded the decision (or refused it, which only an org that is gone does: logged), and
   * whoever waits for it is answered; an answer that says nothing is told to them as pending, and the
   * record is sent again a while later.
   */
  private ReplyEffect<CreditRequestEvent, OrgCreditRequests> orgTold(OrgCreditRequests state, OrgTold told) {
    long number = told.telling().number();
    Deliveries.Answer answer = teller.received(told.telling(), told.answer());
    CreditRequest request = state.numbered(number).filter(CreditRequests::decided).orElse(null);
    if (request == null) return Effect().noReply();
    if (answer instanceof Deliveries.Unknown unknown) {
      answerAll(number, waiter -> new Reply.Pending(unknown.why()));
    } else {
      if (answer instanceof Deliveries.Refused refused) {
        context.getLog().warn("org {} refused the record of its credit request {}'s decision: {}", orgId, number,
            refused.refusal().message());
      }
      answerAll(number, waiter -> new Reply.Decided(request, waiter.replayed()));
    }
    return Effect().noReply();
  }

  /** Approved with the grant in the org's account, or denied: final. */
  private static boolean decided(CreditRequest request) {
    return request.status() == Status.APPROVED || request.status() == Status.DENIED;
  }

  /** Sends the org the record of request's final decision; the same on every send, written once. */
  private void tell(CreditRequest request) {
    boolean approved = request.status() == Status.APPROVED;
    teller.send(new Telling(request.number()), orgId, new Operation.RecordCreditRequestDecided(
        request.number(), approved, request.amount(), approved ? request.grantId() : null));
  }

  /** The approval's PROMOTION grant, the same on every send: ids from the request's number, effective at the approval. */
  private void sendGrant(CreditRequest request) {
    String grantId = request.grantId();
    sender.send(request.number(), orgId, new Operation.GrantCredits(
        grantId, grantId, GrantKind.PROMOTION, request.amount(), null, request.decidedAt(), null));
  }

  /**
   * Has request {@code number}'s row written as the request stands when its write starts. Rows are
   * written one at a time, so an older write of a row never lands after a newer one.
   */
  private void writeRow(OrgCreditRequests state, long number) {
    unwritten.add(number);
    writeNextRow(state);
  }

  private void writeNextRow(OrgCreditRequests state) {
    while (!writing && !unwritten.isEmpty()) {
      Long number = unwritten.iterator().next();
      unwritten.remove(number);
      // A request no longer kept has nothing to write: its decided row leaves the listing by its TTL.
      state.numbered(number).ifPresent(request -> {
        writing = true;
        context.pipeToSelf(listing.write(orgId, request), (done, failure) -> new RowWritten(number, failure));
      });
    }
  }

  private List<Waiter> waitersOf(long number) {
    return waiting.computeIfAbsent(number, n -> new ArrayList<>());
  }

  private void answerAll(long number, Function<Waiter, Reply> reply) {
    List<Waiter> waiters = waiting.remove(number);
    if (waiters != null) for (Waiter waiter : waiters) waiter.replyTo().tell(reply.apply(waiter));
  }

  @Override
  public EventHandler<OrgCreditRequests, CreditRequestEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(OrgCreditRequests::apply);
  }

  /** On every start: approvals left granting by a crash send their grants again, and every kept row is rewritten. */
  @Override
  public SignalHandler<OrgCreditRequests> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          state.requests().forEach(request -> unwritten.add(request.number()));
          writeNextRow(state);
          state.granting().forEach(this::sendGrant);
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Recovery replays at most this many events; the journal keeps every request.
    return RetentionCriteria.snapshotEvery(100, 2);
  }
}
