package dev.tally.node.usage;

import dev.tally.node.CborSerializable;
import dev.tally.node.usage.ChangeFeed.OrgsWritten;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader of one slice of orgs, one in the cluster (an instance of a sharded daemon process):
 * hears which of its orgs wrote, from every node's {@link ChangeFeed}, and brings their rows up to
 * their journals, one round at a time, so it is the single writer of its slice's rows. Between
 * rounds it gathers what it hears; a tick every {@link #TICK} runs a step of the reconciliation.
 */
final class SliceReader {

  private static final Logger log = LoggerFactory.getLogger(SliceReader.class);

  static final Duration TICK = Duration.ofSeconds(5);

  sealed interface Command extends CborSerializable {}

  /** Orgs that wrote (from the slice's topic). */
  record Heard(OrgsWritten written) implements Command {}

  record Tick() implements Command {}

  /** A round ended; {@code failure} null when it went well, else {@code again} what to apply again. */
  record RoundDone(Map<String, OrgDelta> again, Throwable failure) implements Command {}

  /** Stops the reader (the daemon process's stop message). */
  record Stop() implements Command {}

  private SliceReader() {}

  static Behavior<Command> create(ActorRef<Topic.Command<OrgsWritten>> topic, Supplier<SliceRows> rows) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      topic.tell(Topic.subscribe(context.messageAdapter(OrgsWritten.class, Heard::new)));
      timers.startTimerWithFixedDelay(new Tick(), TICK);
      return new Reading(context, rows.get()).idle();
    }));
  }

  /** What the reader holds between messages: the rows' work, and what it heard meanwhile. */
  private static final class Reading {
    private final ActorContext<Command> context;
    private final SliceRows rows;
    private Map<String, OrgDelta> heard = new HashMap<>();
    private boolean reconcileDue;

    Reading(ActorContext<Command> context, SliceRows rows) {
      this.context = context;
      this.rows = rows;
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Heard.class, message -> {
            note(message);
            return round();
          })
          .onMessage(Tick.class, tick -> {
            reconcileDue = true;
            return round();
          })
          .onMessage(Stop.class, stop -> Behaviors.stopped())
          .build();
    }

    private Behavior<Command> busy() {
      return Behaviors.receive(Command.class)
          .onMessage(Heard.class, message -> {
            note(message);
            return Behaviors.same();
          })
          .onMessage(Tick.class, tick -> {
            reconcileDue = true;
            return Behaviors.same();
          })
          .onMessage(RoundDone.class, done -> {
            if (done.failure() == null) return round();
            // Read again with the next notice or tick, not at once: Cassandra may be away a while.
            log.warn("a read-side round failed; its orgs are read again: {}", done.failure().toString());
            done.again().forEach((orgId, delta) -> heard.merge(orgId, delta, OrgDelta::merge));
            return idle();
          })
          .onMessage(Stop.class, stop -> Behaviors.stopped())
          .build();
    }

    private void note(Heard message) {
      message.written().deltas().forEach((orgId, delta) -> heard.merge(orgId, delta, OrgDelta::merge));
    }

    /** Catches up what was heard, or else takes a reconciliation step; one round at a time. */
    private Behavior<Command> round() {
      if (!heard.isEmpty()) {
        Map<String, OrgDelta> now = heard;
        heard = new HashMap<>();
        context.pipeToSelf(rows.catchUp(now), (done, failure) -> new RoundDone(now, failure));
      } else if (reconcileDue) {
        reconcileDue = false;
        context.pipeToSelf(rows.reconcileSome(), (Done done, Throwable failure) -> new RoundDone(Map.of(), failure));
      } else {
        return idle();
      }
      return busy();
    }
  }
}
