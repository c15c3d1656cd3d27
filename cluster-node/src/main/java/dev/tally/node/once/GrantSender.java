package dev.tally.node.once;

import dev.tally.node.account.Operation;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The sending half of "grant exactly once" for an event-sourced entity that persisted its intent to
 * grant: sends the grant to the org (at most one send per {@code key} out at a time), hands the
 * org's answer back to the entity as a command to persist, and sends again a while after an answer
 * that said nothing. The entity also sends again after its recovery, so a crash anywhere in between
 * ends in one grant: the grant id is the same on every send and the org's idempotency does the rest.
 *
 * @param <C> the entity's command type
 * @param <K> what tells the entity's grants apart (one per reference, one per numbered request)
 */
public final class GrantSender<C, K> {

  /** The pause before a grant the org did not answer is sent again, so an org that is down is not asked in a loop. */
  public static final Duration RESUME_AFTER = Duration.ofSeconds(5);

  private final ActorContext<C> context;
  private final TimerScheduler<C> timers;
  private final OrgGrants orgs;
  private final BiFunction<K, GrantAnswer, C> answered;
  private final Function<K, C> resume;
  private final Set<K> out = new HashSet<>();

  /**
   * @param answered the command that brings the org's answer to the grant of a key to the entity
   * @param resume the command that makes the entity send the grant of a key again
   */
  public GrantSender(ActorContext<C> context, TimerScheduler<C> timers, OrgGrants orgs,
      BiFunction<K, GrantAnswer, C> answered, Function<K, C> resume) {
    this.context = context;
    this.timers = timers;
    this.orgs = orgs;
    this.answered = answered;
    this.resume = resume;
  }

  /** Sends the grant of {@code key} to {@code orgId}, unless a send of it is still out. */
  public void send(K key, String orgId, Operation.GrantCredits grant) {
    if (!out.add(key)) return;
    context.pipeToSelf(orgs.grant(orgId, grant), (outcome, failure) -> answered.apply(key, GrantAnswer.of(outcome, failure)));
  }

  /** The entity took the answer to {@code key}'s send: the next send goes out. */
  public void answered(K key) {
    out.remove(key);
  }

  /** The org's answer said nothing: the grant of {@code key} is sent again after {@link #RESUME_AFTER}. */
  public void resumeLater(K key, GrantAnswer.Unknown unknown, String grantId) {
    context.getLog().warn("the grant {} is not known to be done ({}); sent again in {}", grantId, unknown.why(), RESUME_AFTER);
    timers.startSingleTimer(key, resume.apply(key), RESUME_AFTER);
  }
}
