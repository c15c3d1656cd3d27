package dev.tally.node.referral;

import dev.tally.node.CborSerializable;
import dev.tally.node.auth.SecretText;
import java.time.Clock;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;

/**
 * One referral code (DESIGN §9, {@code referral|<code>}): the single writer of which org the code is.
 * An org's account draws its code at random and keeps it; the first time the org shows it
 * (GetReferral), the code's entity records the org as its owner, before the code is shown, so every
 * code anyone can know resolves. CreateOrg resolves a code here to the org that referred the new one.
 *
 * <p>Why an entity and not a table: it is the one writer of the mapping without a lightweight
 * transaction, needs no schema change, and lives in the journal every node already reaches.
 * A referral code is meant to be shared, so, unlike a redemption code, it is kept as it is.
 */
public final class ReferralCode
    extends EventSourcedBehaviorWithEnforcedReplies<ReferralCode.Command, ReferralCode.Assigned, ReferralCode.Owner> {

  public static final EntityTypeKey<Command> ENTITY_TYPE = EntityTypeKey.create(Command.class, "referral");

  /** The codes' text: {@code tr_} + random + checksum, so a mistyped code is caught before any lookup. */
  public static final SecretText FORMAT = new SecretText("tr_");

  public sealed interface Command extends CborSerializable {}

  /** Records {@code orgId} as the code's owner unless it has one; answers the owner either way. */
  public record Assign(String orgId, ActorRef<Owner> replyTo) implements Command {}

  /** Answers the code's owner ({@link Owner#orgId()} null: no org has this code). */
  public record Resolve(ActorRef<Owner> replyTo) implements Command {}

  /** The code is {@code orgId}'s, for good. */
  public record Assigned(String orgId, Instant at) implements CborSerializable {}

  /** The org whose code this is; null while none is. Also the entity's state. */
  public record Owner(String orgId) implements CborSerializable {}

  private final Clock clock;

  private ReferralCode(String code, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE.name(), code, "|"));
    this.clock = clock;
  }

  /** The entity of referral code {@code code}. */
  public static Behavior<Command> create(String code, Clock clock) {
    return new ReferralCode(code, clock);
  }

  @Override
  public Owner emptyState() {
    return new Owner(null);
  }

  @Override
  public CommandHandlerWithReply<Command, Assigned, Owner> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Assign.class, (owner, assign) -> owner.orgId() != null
            ? Effect().reply(assign.replyTo(), owner)
            : Effect().persist(new Assigned(assign.orgId(), clock.instant())).thenReply(assign.replyTo(), after -> after))
        .onCommand(Resolve.class, (owner, resolve) -> Effect().reply(resolve.replyTo(), owner))
        .build();
  }

  @Override
  public EventHandler<Owner, Assigned> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((owner, assigned) -> new Owner(assigned.orgId()));
  }
}
