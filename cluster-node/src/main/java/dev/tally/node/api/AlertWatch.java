package dev.tally.node.api;

import com.google.rpc.BadRequest.FieldViolation;
import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.usage.OrgJournals;
import dev.tally.node.usage.OrgJournals.Logged;
import dev.tally.v1.Alert;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One WatchAlerts stream: an actor subscribed to the cluster's alert topic that writes the
 * alerts it is shown onto the stream, one at a time, until the client goes away. A client that
 * reads slower than alerts come gets them kept here, up to {@link #MAX_BEHIND}; past that its stream
 * ends (UNAVAILABLE / BACKPRESSURE) rather than the node's memory growing, and it may subscribe again
 * (every alert is also in the org's ledger).
 *
 * <p>A resumed watch ({@link #resume}) subscribes first and holds what the topic brings (at most
 * {@link #MAX_BEHIND}), sends the org's alerts its journal holds after the resume point, reads the
 * journal once more after {@link #SETTLE} (what was raised on another node before the subscription
 * reached it), then sends the held alerts the journal did not have and goes on live: alerts are
 * told apart by their journal sequence number, so none is missed and none sent twice. It reads the
 * next page of the journal only once the client took the alerts of the last, so a resume from far
 * back keeps at most a page's alerts here.
 */
final class AlertWatch {

  /** Alerts kept for a client that does not read them yet. */
  static final int MAX_BEHIND = 1_000;

  /** Journal events read per query while a resumed watch catches up. */
  static final int PAGE = 1_000;

  /**
   * How long a new subscription may take to reach the topic on every node (the receptionist gossips
   * every 2 s): a resumed watch reads the journal once more after it, before it trusts the topic alone.
   */
  static final Duration SETTLE = Duration.ofSeconds(5);

  sealed interface Message {}

  record Notice(AlertNotice notice) implements Message {}

  /** The stream can take more (its onReady handler, set by the service before it returns, says so). */
  record Ready() implements Message {}

  /** The client cancelled or the stream ended. */
  record End() implements Message {}

  /** A page of the org's journal from {@code from} on, or why it could not be read. */
  record Read(long from, List<Logged> events, Throwable failure) implements Message {}

  /** {@link #SETTLE} has passed since the subscription. */
  record Settled() implements Message {}

  private AlertWatch() {}

  /** Live alerts only. @param orgId the org to pass alerts of, or empty for every org */
  static Behavior<Message> create(
      ActorRef<Topic.Command<AlertNotice>> topic, String orgId, ServerCallStreamObserver<Alert> stream) {
    return Behaviors.setup(context -> {
      subscribe(context, topic);
      return new Watch(orgId, stream, null, 0).live();
    });
  }

  /**
   * The org's alerts after its journal event {@code afterSeqNr}, then live ones. The stream fails with
   * INVALID_ARGUMENT naming after_event_id when the org's journal holds no such event.
   */
  static Behavior<Message> resume(ActorRef<Topic.Command<AlertNotice>> topic, OrgJournals journals, String orgId,
      long afterSeqNr, ServerCallStreamObserver<Alert> stream) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      subscribe(context, topic);
      timers.startSingleTimer(new Settled(), SETTLE);
      Watch watch = new Watch(orgId, stream, journals, afterSeqNr);
      return watch.read(context, afterSeqNr); // from the event itself, to check the journal holds it
    }));
  }

  private static void subscribe(ActorContext<Message> context, ActorRef<Topic.Command<AlertNotice>> topic) {
    // The topic drops the adapter's subscription when this actor stops.
    topic.tell(Topic.subscribe(context.messageAdapter(AlertNotice.class, Notice::new)));
  }

  /** The stream's state: what waits for the client, and for a resumed watch how far the journal was read. */
  private static final class Watch {
    private final String orgId;
    private final ServerCallStreamObserver<Alert> stream;
    private final OrgJournals journals;
    private final long afterSeqNr;
    private final Deque<Alert> behind = new ArrayDeque<>();
    /** Live notices held while a resumed watch reads the journal. */
    private final List<AlertNotice> held = new ArrayList<>();
    /** A resumed watch's journal is read (and its alerts queued) up to here; later notices only are sent. */
    private long readUpTo;
    private boolean settled;
    private boolean reading;
    /** A full page was read and its alerts still wait for the client: the next page is read once they went out. */
    private boolean nextPageWaits;
    private boolean readStartedSettled;

    Watch(String orgId, ServerCallStreamObserver<Alert> stream, OrgJournals journals, long afterSeqNr) {
      this.orgId = orgId;
      this.stream = stream;
      this.journals = journals;
      this.afterSeqNr = afterSeqNr;
      this.readUpTo = afterSeqNr;
    }

    /** Every notice of the org goes out, but none the journal already gave (a resumed watch). */
    Behavior<Message> live() {
      return Behaviors.receive(Message.class)
          .onMessage(Notice.class, notice -> {
            if (!of(notice.notice())) return Behaviors.same();
            if (journals != null && alreadyRead(notice.notice())) return Behaviors.same();
            readUpTo = Math.max(readUpTo, notice.notice().seqNr());
            return queue(ProtoMapping.alert(notice.notice().orgId(), notice.notice().seqNr(), notice.notice().alert()));
          })
          .onMessage(Ready.class, ready -> flush())
          .onMessage(End.class, end -> Behaviors.stopped())
          .build();
    }

    /** Reads the journal from {@code from}; live notices wait meanwhile. */
    Behavior<Message> read(ActorContext<Message> context, long from) {
      reading = true;
      readStartedSettled = settled;
      context.pipeToSelf(journals.events(orgId, from, from + PAGE - 1),
          (events, failure) -> new Read(from, events, failure));
      return catchingUp(context);
    }

    private Behavior<Message> catchingUp(ActorContext<Message> context) {
      return Behaviors.receive(Message.class)
          .onMessage(Notice.class, notice -> {
            if (!of(notice.notice())) return Behaviors.same();
            held.add(notice.notice());
            return held.size() > MAX_BEHIND ? fellBehind() : Behaviors.same();
          })
          .onMessage(Read.class, read -> read(context, read))
          .onMessage(Settled.class, tick -> {
            settled = true;
            return reading || nextPageWaits ? Behaviors.same() : read(context, readUpTo + 1);
          })
          .onMessage(Ready.class, ready -> {
            Behavior<Message> flushed = flush();
            if (!nextPageWaits || !behind.isEmpty() || stream.isCancelled()) return flushed;
            nextPageWaits = false;
            return read(context, readUpTo + 1);
          })
          .onMessage(End.class, end -> Behaviors.stopped())
          .build();
    }

    private Behavior<Message> read(ActorContext<Message> context, Read read) {
      reading = false;
      if (read.failure() != null) {
        stream.onError(
            TallyErrors.journalUnreadable("an alert watch", read.failure(), "watch again from the same event id"));
        return Behaviors.stopped();
      }
      List<Logged> events = read.events();
      if (read.from() == afterSeqNr && (events.isEmpty() || events.get(0).seqNr() != afterSeqNr)) {
        stream.onError(noSuchEvent());
        return Behaviors.stopped();
      }
      for (Logged logged : events) {
        if (logged.seqNr() <= readUpTo) continue;
        readUpTo = logged.seqNr();
        if (logged.event() instanceof OrgEvent.AlertRaised alert) behind.add(ProtoMapping.alert(orgId, logged.seqNr(), alert));
      }
      if (behind.size() > MAX_BEHIND) return fellBehind();
      if (stream.isCancelled()) return Behaviors.stopped();
      flush();
      if (events.size() == PAGE) { // a full page: more may follow, read once the client took this one's alerts
        if (behind.isEmpty()) return read(context, readUpTo + 1);
        nextPageWaits = true;
        return Behaviors.same();
      }
      if (readStartedSettled) return goLive();
      if (settled) return read(context, readUpTo + 1);
      return Behaviors.same(); // caught up; read once more when settled
    }

    /** The journal was read after the subscription had settled: the held notices it did not hold follow. */
    private Behavior<Message> goLive() {
      for (AlertNotice notice : held) {
        if (alreadyRead(notice)) continue;
        readUpTo = Math.max(readUpTo, notice.seqNr());
        behind.add(ProtoMapping.alert(notice.orgId(), notice.seqNr(), notice.alert()));
      }
      held.clear();
      if (behind.size() > MAX_BEHIND) return fellBehind();
      flush();
      return live();
    }

    /** The journal gave it already; a notice without a sequence number (from an older node) cannot tell, and goes out. */
    private boolean alreadyRead(AlertNotice notice) {
      return notice.seqNr() > 0 && notice.seqNr() <= readUpTo;
    }

    private boolean of(AlertNotice notice) {
      return orgId.isEmpty() || orgId.equals(notice.orgId());
    }

    private Behavior<Message> queue(Alert alert) {
      behind.add(alert);
      return behind.size() > MAX_BEHIND ? fellBehind() : flush();
    }

    private Behavior<Message> fellBehind() {
      stream.onError(TallyErrors.streamBehind(MAX_BEHIND));
      return Behaviors.stopped();
    }

    /** Writes what the stream can take now; the rest waits for its next Ready. */
    private Behavior<Message> flush() {
      if (stream.isCancelled()) return Behaviors.stopped();
      while (!behind.isEmpty() && stream.isReady()) stream.onNext(behind.poll());
      return Behaviors.same();
    }

    private StatusRuntimeException noSuchEvent() {
      return TallyErrors.invalid(List.of(FieldViolation.newBuilder().setField("after_event_id")
          .setDescription("names no event of org " + orgId + "'s journal (sequence number " + afterSeqNr + ")")
          .build()));
    }
  }
}
