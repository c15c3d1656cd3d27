package dev.tally.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.rpc.ErrorInfo;
import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.node.account.OrgEvent.AlertKind;
import dev.tally.node.account.OrgEvent.AlertRaised;
import dev.tally.testkit.Eventually;
import dev.tally.v1.Alert;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A WatchAlerts reader slower than its alerts holds a bounded part of the node's memory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertWatchTest {

  final ActorTestKit testKit = ActorTestKit.create();
  final ActorRef<Topic.Command<AlertNotice>> topic = testKit.<Topic.Command<AlertNotice>>createTestProbe().getRef();

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void alertsWaitForASlowReaderAndReachItInOrderOnceItIsReady() throws Exception {
    SlowReader reader = new SlowReader();
    var watch = testKit.spawn(AlertWatch.create(topic, "", reader));
    for (int i = 1; i <= AlertWatch.MAX_BEHIND; i++) watch.tell(notice(i));

    Eventually.await("the reader is asked whether it is ready", Duration.ofSeconds(10), () -> reader.asked >= AlertWatch.MAX_BEHIND);
    assertEquals(0, reader.received.size(), "nothing is written while the reader is not ready");

    reader.ready = true;
    watch.tell(new AlertWatch.Ready());
    Eventually.await("every alert arrived", Duration.ofSeconds(10), () -> reader.received.size() == AlertWatch.MAX_BEHIND);
    assertEquals(1, reader.received.get(0).getAvailable());
    assertEquals(AlertWatch.MAX_BEHIND, reader.received.get(AlertWatch.MAX_BEHIND - 1).getAvailable());
    assertNull(reader.error);
  }

  @Test
  void aReaderTooFarBehindHasItsStreamEndedWithBackpressure() throws Exception {
    SlowReader reader = new SlowReader();
    var watch = testKit.spawn(AlertWatch.create(topic, "", reader));
    for (int i = 1; i <= AlertWatch.MAX_BEHIND + 1; i++) watch.tell(notice(i));

    Eventually.await("the stream ended", Duration.ofSeconds(10), () -> reader.error != null);
    ErrorInfo info = StatusProto.fromThrowable(reader.error).getDetailsList().stream()
        .filter(detail -> detail.is(ErrorInfo.class))
        .map(detail -> {
          try {
            return detail.unpack(ErrorInfo.class);
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
          }
        })
        .findFirst().orElseThrow();
    assertEquals("BACKPRESSURE", info.getReason());
    assertEquals(0, reader.received.size());
  }

  private static AlertWatch.Notice notice(long available) {
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    return new AlertWatch.Notice(new AlertNotice("acme", available, new AlertRaised(AlertKind.LOW_BALANCE, 0, now, 0, available, now)));
  }

  /** A stream whose client reads nothing until the test says it is ready. */
  static final class SlowReader extends ServerCallStreamObserver<Alert> {
    volatile boolean ready;
    volatile int asked;
    volatile Throwable error;
    final List<Alert> received = new CopyOnWriteArrayList<>();

    @Override
    public boolean isReady() {
      asked++;
      return ready;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void onNext(Alert alert) {
      received.add(alert);
    }

    @Override
    public void onError(Throwable failure) {
      error = failure;
    }

    @Override
    public void onCompleted() {}

    @Override
    public void setOnCancelHandler(Runnable handler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public void setOnReadyHandler(Runnable handler) {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void disableAutoInboundFlowControl() {}
  }
}
