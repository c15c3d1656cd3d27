package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.MeteringGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A call gRPC leaves open past its deadline (as it has under connection rotation) still ends: the
 * SDK fails it DEADLINE_EXCEEDED with its request id, and cancels the gRPC call. A channel that
 * never tells the SDK a call closed stands in for that fault.
 */
class OverdueCallsTest {

  static final Duration DEADLINE = Duration.ofMillis(300);

  /** Passes every call through, but never tells the caller it closed; counts the calls cancelled. */
  static final class ClosesLost implements ClientInterceptor {
    final AtomicInteger cancelled = new AtomicInteger();
    final CountDownLatch firstCancel = new CountDownLatch(1);

    @Override
    public <Req, Res> ClientCall<Req, Res> interceptCall(MethodDescriptor<Req, Res> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<Res> listener, Metadata headers) {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onClose(Status status, Metadata trailers) {
              // lost
            }
          }, headers);
        }

        @Override
        public void cancel(String message, Throwable cause) {
          cancelled.incrementAndGet();
          firstCancel.countDown();
          super.cancel(message, cause);
        }
      };
    }
  }

  /** How long a test waits for a call to end before it fails (a call the SDK never ends would hang it). */
  static final Duration WAIT = Duration.ofSeconds(10);

  static TallyException ended(CompletableFuture<?> call) {
    ExecutionException failed = assertThrows(ExecutionException.class, () -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    return (TallyException) failed.getCause();
  }

  static ChargeRequest charge() {
    return ChargeRequest.newBuilder().setOrgId("acme").setRequestId("r-overdue").setAmount(dev.tally.v1.Credits.of(1)).build();
  }

  @Test
  void aCallGrpcNeverEndsFailsDeadlineExceededSoonAfterItsDeadlineAndIsCancelled() throws Exception {
    ClosesLost lost = new ClosesLost();
    try (FakeNode node = FakeNode.start(request -> ChargeResponse.getDefaultInstance())) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(node.address()).usePlaintext().build();
      try (Calls calls = new Calls(ClientInterceptors.intercept(channel, lost), DEADLINE)) {
        long started = System.nanoTime();
        CompletableFuture<ChargeResponse> async = calls.async(MeteringGrpc.getChargeMethod(), charge());
        TallyException failure = ended(async);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertTrue(failure instanceof TallyUnavailableException, failure.getClass().getName());
        assertEquals(Status.Code.DEADLINE_EXCEEDED, failure.code());
        assertEquals("r-overdue", failure.requestId().orElseThrow());
        // Checked once a second.
        assertTrue(tookMillis >= DEADLINE.plus(Calls.OVERDUE).toMillis() && tookMillis < 5_000, tookMillis + " ms");
        assertTrue(lost.firstCancel.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the gRPC call cancelled, after the result was failed");
        assertEquals(1, lost.cancelled.get(), "cancelled once");

        TallyException blocking = assertTimeoutPreemptively(WAIT, () -> assertThrows(TallyException.class,
            () -> calls.blocking(MeteringGrpc.getChargeMethod(), charge())));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, blocking.code(), "a blocking call too");
        assertTrue(Arrays.stream(blocking.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("blocking")),
            "thrown with the waiting thread's stack");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void closingTheClientFailsTheCallsStillOpen() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    try (FakeNode node = FakeNode.start(request -> {
          received.countDown();
          return ChargeResponse.getDefaultInstance();
        })) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(node.address()).usePlaintext().build();
      Calls calls = new Calls(ClientInterceptors.intercept(channel, new ClosesLost()), Duration.ofMinutes(1));
      CompletableFuture<ChargeResponse> async = calls.async(MeteringGrpc.getChargeMethod(), charge());
      assertTrue(received.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the node took the call");

      calls.close();
      channel.shutdownNow();

      TallyException failure = ended(async);
      assertEquals(Status.Code.UNAVAILABLE, failure.code());
      assertEquals("r-overdue", failure.requestId().orElseThrow());
    }
  }
}
