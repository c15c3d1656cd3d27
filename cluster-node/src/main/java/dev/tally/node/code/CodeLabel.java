package dev.tally.node.code;

import dev.tally.node.CborSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The batches of redemption codes made with one label, in the order they were made: what
 * ListRedemptionCodes reads to list codes by label. Keyed by the label's SHA-256 (a label is free
 * text). A batch is listed before it is recorded, so no recorded batch is missing here; an id whose
 * batch lost a race with its retry lists nothing. At most {@link #MAX_BATCHES}: later batches of the
 * label are made all the same and listed by their batch id only.
 */
public final class CodeLabel
    extends EventSourcedBehaviorWithEnforcedReplies<CodeLabel.Command, CodeLabel.Listed, CodeLabel.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "codelabel");

  /** The most batches one label lists: bounds the entity's state and its snapshot. */
  public static final int MAX_BATCHES = 10_000;

  /** A batch made with the label. */
  public record Listed(String batchId, Instant at) implements CborSerializable {}

  /** The label's batch ids, oldest first. */
  public record State(List<String> batchIds) implements CborSerializable {}

  public sealed interface Command extends CborSerializable {}

  /** List the batch under the label, once; answers whether it is listed. */
  public record Add(String batchId, ActorRef<Added> replyTo) implements Command {}

  /** {@code listed}: false when the label lists {@link #MAX_BATCHES} already. */
  public record Added(boolean listed) implements CborSerializable {}

  /** Up to {@code limit} batch ids from position {@code from} (0-based). */
  public record Read(int from, int limit, ActorRef<Batches> replyTo) implements Command {}

  /** {@code batchIds} from the asked position; {@code total} listed in all. */
  public record Batches(List<String> batchIds, int total) implements CborSerializable {}

  private final Clock clock;

  private CodeLabel(String labelHash, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE.name(), labelHash, "|"));
    this.clock = clock;
  }

  public static Behavior<Command> create(String labelHash, Clock clock) {
    return new CodeLabel(labelHash, clock);
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Listed, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Add.class, this::add)
        .onCommand(Read.class, (state, read) -> {
          List<String> ids = state.batchIds();
          int from = Math.min(Math.max(0, read.from()), ids.size());
          int to = (int) Math.min(ids.size(), (long) from + Math.max(0, read.limit()));
          return Effect().reply(read.replyTo(), new Batches(List.copyOf(ids.subList(from, to)), ids.size()));
        })
        .build();
  }

  private ReplyEffect<Listed, State> add(State state, Add command) {
    if (state.batchIds().contains(command.batchId())) return Effect().reply(command.replyTo(), new Added(true));
    if (state.batchIds().size() >= MAX_BATCHES) return Effect().reply(command.replyTo(), new Added(false));
    return Effect().persist(new Listed(command.batchId(), clock.instant()))
        .thenReply(command.replyTo(), after -> new Added(true));
  }

  @Override
  public EventHandler<State, Listed> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, listed) -> {
      if (state.batchIds().contains(listed.batchId())) return state;
      List<String> ids = new ArrayList<>(state.batchIds());
      ids.add(listed.batchId());
      return new State(List.copyOf(ids));
    });
  }
}
