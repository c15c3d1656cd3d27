package dev.tally.node.once;

import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The loop an entity that acts once runs to get an operation into an org's account: it sends the
 * operation (whose ids are derived from what the entity records, so the org's idempotency makes a
 * resend harmless), reads the org's answer as {@link Answer}, and when the answer is not known sends
 * it again after {@link #RESUME_AFTER}, so an org that is down is not asked in a loop. The entity
 * persists what was recorded before and after: {@link ReferenceGrant} and {@code RedemptionCode}
 * for their grants, {@link ReferenceGrant} for a referral reward.
 *
 * <p>One operation per {@code key} is out at a time. Used on the entity's thread only.
 *
 * @param <K> what names one operation among the entity's (one per reference, one per redemption…)
 * @param <C> the entity's command type
 */
public final class Deliveries<K, C> {

  /** The pause before an operation the org did not answer is sent again. */
  public static final Duration RESUME_AFTER = Duration.ofSeconds(5);

  /** What the org made of an operation. */
  public sealed interface Answer extends dev.tally.node.CborSerializable {}

  /**
   * The org did it, now or before: {@code done} is null when a grant was refused as existing, since
   * a grant id derived from what the entity recorded names this very grant, given before.
   */
  public record Accepted(Outcome.Done done) implements Answer {}

  /** The org refused it; nothing changed there. */
  public record Refused(Rejected refusal) implements Answer {}

  /** Not known whether the org did it: it is sent again after {@link #RESUME_AFTER}. */
  public record Unknown(String why) implements Answer {}

  private final ActorContext<C> context;
  private final TimerScheduler<C> timers;
  private final OrgAccounts orgs;
  private final BiFunction<K, Answer, C> answered;
  private final Function<K, C> resume;
  private final Set<K> out = new HashSet<>();

  /**
   * @param answered the entity's own command carrying an answer to it
   * @param resume the entity's own command telling it to send {@code key}'s operation again if still owed
   */
  public Deliveries(ActorContext<C> context, TimerScheduler<C> timers, OrgAccounts orgs,
      BiFunction<K, Answer, C> answered, Function<K, C> resume) {
    this.context = context;
    this.timers = timers;
    this.orgs = orgs;
    this.answered = answered;
    this.resume = resume;
  }

  /** Sends {@code operation} to {@code orgId} unless {@code key}'s is out already; its answer comes back as a command. */
  public void send(K key, String orgId, Operation operation) {
    if (!out.add(key)) return;
    context.pipeToSelf(orgs.execute(orgId, operation), (outcome, failure) -> answered.apply(key, answerOf(outcome, failure)));
  }

  /**
   * To be called with each answer the entity gets: {@code key}'s operation is no longer out, and
   * when the answer is not known it is sent again later (through the entity's {@code resume} command).
   */
  public Answer received(K key, Answer answer) {
    out.remove(key);
    if (answer instanceof Unknown unknown) {
      context.getLog().warn("operation {} of {} is not known to be done ({}); sent again in {}",
          key, context.getSelf().path().name(), unknown.why(), RESUME_AFTER);
      timers.startSingleTimer(key, resume.apply(key), RESUME_AFTER);
    }
    return answer;
  }

  private static Answer answerOf(Outcome outcome, Throwable failure) {
    if (outcome instanceof Outcome.Done done) return new Accepted(done);
    if (outcome instanceof Rejected rejected) {
      return rejected.reason() == Rejection.GRANT_EXISTS ? new Accepted(null) : new Refused(rejected);
    }
    if (outcome instanceof Outcome.Failed failed) return new Unknown(failed.description());
    if (outcome instanceof Outcome.Unavailable unavailable) return new Unknown(unavailable.description());
    return new Unknown(failure == null ? "no answer" : failure.toString());
  }
}
