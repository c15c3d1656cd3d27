package dev.tally.node.api;

import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.v1.Alert;
import io.grpc.stub.ServerCallStreamObserver;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * One WatchAlerts stream: an actor subscribed to the cluster's alert topic that writes the
 * alerts it is shown onto the stream, one at a time, until the client goes away.
 */
final class AlertWatch {

  sealed interface Message {}

  record Notice(AlertNotice notice) implements Message {}

  /** The client cancelled or the stream ended. */
  record End() implements Message {}

  private AlertWatch() {}

  /** @param orgId the org to pass alerts of, or empty for every org */
  static Behavior<Message> create(
      ActorRef<Topic.Command<AlertNotice>> topic, String orgId, ServerCallStreamObserver<Alert> stream) {
    return Behaviors.setup(context -> {
      // The topic drops the adapter's subscription when this actor stops.
      topic.tell(Topic.subscribe(context.messageAdapter(AlertNotice.class, Notice::new)));
      return Behaviors.receive(Message.class)
          .onMessage(Notice.class, notice -> {
            if (stream.isCancelled()) return Behaviors.stopped();
            if (orgId.isEmpty() || orgId.equals(notice.notice().orgId())) {
              stream.onNext(ProtoMapping.alert(notice.notice().orgId(), notice.notice().alert()));
            }
            return Behaviors.same();
          })
          .onMessage(End.class, end -> Behaviors.stopped())
          .build();
    });
  }
}
