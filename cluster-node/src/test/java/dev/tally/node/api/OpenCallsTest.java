package dev.tally.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.tally.node.it.AlertWatcher;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import dev.tally.v1.WatchAlertsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A stopping node answers the calls it still holds with UNAVAILABLE / NODE_STOPPING (which
 * clients retry) instead of letting gRPC reset them — over a real socket, with services that
 * answer only when the test says so.
 */
class OpenCallsTest {

  final BlockingQueue<StreamObserver<ReserveResponse>> reserves = new LinkedBlockingQueue<>();
  final BlockingQueue<StreamObserver<Alert>> watches = new LinkedBlockingQueue<>();
  final OpenCalls openCalls = new OpenCalls();
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new MeteringGrpc.MeteringImplBase() {
          @Override
          public void reserve(ReserveRequest request, StreamObserver<ReserveResponse> responses) {
            reserves.add(responses);
          }
        })
        .addService(new AccountsGrpc.AccountsImplBase() {
          @Override
          public void watchAlerts(WatchAlertsRequest request, StreamObserver<Alert> responses) {
            watches.add(responses);
          }
        })
        .intercept(openCalls)
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void anUnansweredCallIsAnsweredNodeStoppingAndItsLateAnswerIsDropped() throws Exception {
    ListenableFuture<ReserveResponse> reserve = reserve();
    StreamObserver<ReserveResponse> held = reserves.poll(10, TimeUnit.SECONDS);

    assertEquals(1, openCalls.refuseAll());

    assertNodeStopping(reserve);
    held.onNext(ReserveResponse.getDefaultInstance()); // the service answers late: nothing is written, nothing throws
    held.onCompleted();
    assertEquals(0, openCalls.refuseAll());
  }

  @Test
  void anAnsweredCallIsNotTouched() throws Exception {
    ListenableFuture<ReserveResponse> reserve = reserve();
    StreamObserver<ReserveResponse> held = reserves.poll(10, TimeUnit.SECONDS);
    held.onNext(ReserveResponse.newBuilder().setReservationId("rsv-1").build());
    held.onCompleted();

    assertEquals(0, openCalls.refuseAll());
    assertEquals("rsv-1", reserve.get(10, TimeUnit.SECONDS).getReservationId());
  }

  @Test
  void endingStreamsEndsAlertSubscriptionsAndLeavesUnaryCallsToFinish() throws Exception {
    AlertWatcher watcher = AlertWatcher.watch(AccountsGrpc.newStub(channel), "");
    StreamObserver<Alert> stream = watches.poll(10, TimeUnit.SECONDS);
    stream.onNext(Alert.newBuilder().setOrgId("acme").build());
    assertEquals("acme", watcher.alerts().poll(10, TimeUnit.SECONDS).getOrgId());
    ListenableFuture<ReserveResponse> reserve = reserve();
    StreamObserver<ReserveResponse> held = reserves.poll(10, TimeUnit.SECONDS);

    assertEquals(1, openCalls.endStreams());

    Throwable end = watcher.end().get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(end).getCode());
    assertEquals("NODE_STOPPING", reason(end));
    assertFalse(reserve.isDone(), "the unary call is left to its service");
    held.onNext(ReserveResponse.newBuilder().setReservationId("rsv-2").build());
    held.onCompleted();
    assertEquals("rsv-2", reserve.get(10, TimeUnit.SECONDS).getReservationId());
  }

  private ListenableFuture<ReserveResponse> reserve() {
    return MeteringGrpc.newFutureStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .reserve(ReserveRequest.newBuilder().setOrgId("acme").setRequestId("r-1").setAmount(5).build());
  }

  private static void assertNodeStopping(ListenableFuture<?> call) throws Exception {
    try {
      call.get(10, TimeUnit.SECONDS);
      throw new AssertionError("the call succeeded");
    } catch (ExecutionException failed) {
      assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(failed.getCause()).getCode());
      assertEquals("NODE_STOPPING", reason(failed.getCause()));
    }
  }

  private static String reason(Throwable failure) throws Exception {
    assertTrue(failure instanceof StatusRuntimeException, () -> "not a status: " + failure);
    for (Any detail : StatusProto.fromThrowable(failure).getDetailsList()) {
      if (detail.is(ErrorInfo.class)) return detail.unpack(ErrorInfo.class).getReason();
    }
    return "";
  }
}
