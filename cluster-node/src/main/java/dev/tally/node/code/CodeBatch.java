package dev.tally.node.code;

import dev.tally.node.CborSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One batch of redemption codes, keyed by the request id that made it: the single writer of "this
 * request id made a batch", so a retried CreateRedemptionCodes cannot make a second one. It keeps
 * the codes' hashes and hints (never the codes), at most {@link #MAX_CODES}.
 */
public final class CodeBatch
    extends EventSourcedBehaviorWithEnforcedReplies<CodeBatch.Command, CodeBatch.Made, CodeBatch.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "codebatch");

  /** The most codes one batch holds: bounds one request, one event, and the pages that list or void them. */
  public static final int MAX_CODES = 1000;

  /** One code of the batch: what finds its entity, and what a listing shows. */
  public record Code(String sha256, String hint) implements CborSerializable {}

  /** The batch exists with these terms and codes. */
  public record Made(CodeTerms terms, List<Code> codes, Instant at) implements CborSerializable {}

  /** The batch as made; null before. */
  public record State(Made made) implements CborSerializable {}

  public sealed interface Command extends CborSerializable {}

  /** Record the batch unless its request id made one; answers the batch the id made, and whether this command made it. */
  public record Make(CodeTerms terms, List<Code> codes, ActorRef<Reply> replyTo) implements Command {}

  /** Answers the batch, or a reply with {@code made} null when the request id made none. */
  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record Reply(Made made, boolean replayed) implements CborSerializable {}

  private final Clock clock;

  private CodeBatch(String requestId, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE.name(), requestId, "|"));
    this.clock = clock;
  }

  public static Behavior<Command> create(String requestId, Clock clock) {
    return new CodeBatch(requestId, clock);
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public CommandHandlerWithReply<Command, Made, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Make.class, this::make)
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), new Reply(state.made(), true)))
        .build();
  }

  private ReplyEffect<Made, State> make(State state, Make make) {
    if (state.made() != null) return Effect().reply(make.replyTo(), new Reply(state.made(), true));
    return Effect().persist(new Made(make.terms(), List.copyOf(make.codes()), clock.instant()))
        .thenReply(make.replyTo(), after -> new Reply(after.made(), false));
  }

  @Override
  public EventHandler<State, Made> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, made) -> state.made() == null ? new State(made) : state);
  }
}
