package dev.tally.node.api;

import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.v1.Alert;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One WatchAlerts stream: an actor subscribed to the cluster's alert topic that writes the
 * alerts it is shown onto the stream, one at a time, until the client goes away. A client that
 * reads slower than alerts come gets them kept here, up to {@link #MAX_BEHIND}; past that its stream
 * ends (UNAVAILABLE / BACKPRESSURE) rather than the node's memory growing, and it may subscribe again
 * (every alert is also in the org's ledger).
 */
final class AlertWatch {

  /** Alerts kept for a client that does not read them yet. */
  static final int MAX_BEHIND = 1_000;

  sealed interface Message {}

  record Notice(AlertNotice notice) implements Message {}

  /** The stream can take more (its onReady handler, set by the service before it returns, says so). */
  record Ready() implements Message {}

  /** The client cancelled or the stream ended. */
  record End() implements Message {}

  private AlertWatch() {}

  /** @param orgId the org to pass alerts of, or empty for every org */
  static Behavior<Message> create(
      ActorRef<Topic.Command<AlertNotice>> topic, String orgId, ServerCallStreamObserver<Alert> stream) {
    return Behaviors.setup(context -> {
      // The topic drops the adapter's subscription when this actor stops.
      topic.tell(Topic.subscribe(context.messageAdapter(AlertNotice.class, Notice::new)));
      Deque<Alert> behind = new ArrayDeque<>();
      return Behaviors.receive(Message.class)
          .onMessage(Notice.class, notice -> {
            if (stream.isCancelled()) return Behaviors.stopped();
            if (!orgId.isEmpty() && !orgId.equals(notice.notice().orgId())) return Behaviors.same();
            behind.add(ProtoMapping.alert(notice.notice().orgId(), notice.notice().alert()));
            if (behind.size() > MAX_BEHIND) {
              stream.onError(TallyErrors.streamBehind(MAX_BEHIND));
              return Behaviors.stopped();
            }
            return flush(stream, behind);
          })
          .onMessage(Ready.class, ready -> flush(stream, behind))
          .onMessage(End.class, end -> Behaviors.stopped())
          .build();
    });
  }

  /** Writes what the stream can take now; the rest waits for its next Ready. */
  private static Behavior<Message> flush(ServerCallStreamObserver<Alert> stream, Deque<Alert> behind) {
    if (stream.isCancelled()) return Behaviors.stopped();
    while (!behind.isEmpty() && stream.isReady()) stream.onNext(behind.poll());
    return Behaviors.same();
  }
}
