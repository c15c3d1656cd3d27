package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which threads complete the async results: gRPC's pool by default, the transport's on request. */
class CallbackThreadsTest {

  @Test
  void asyncResultsCompleteOnGrpcsPoolByDefault() throws Exception {
    String thread = threadThatCompletes(TallyClient.builder());
    assertTrue(thread.startsWith("grpc-default-executor"), thread);
  }

  @Test
  void callbacksOnTransportThreadsCompletesOnTheTransportsEventLoop() throws Exception {
    String thread = threadThatCompletes(TallyClient.builder().callbacksOnTransportThreads());
    assertTrue(thread.contains("-worker-ELG-"), thread);
  }

  /**
   * The callback is attached before the fake node answers, so it runs where the result completes.
   * A first call connects the client: a call made while the connection is still being set up is
   * held by gRPC and may complete on the thread that hands it to the new connection (in one suite
   * run on a loaded machine, a gRPC pool thread).
   */
  private static String threadThatCompletes(TallyClientBuilder builder) throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    try (FakeNode node = FakeNode.start(request -> {
          if (calls.incrementAndGet() > 1) await(attached);
          return RetryPolicyTest.RESERVED;
        });
        TallyClient tally = builder.nodes(node.address()).build()) {
      tally.reserve("acme", Estimate.microCredits(5));
      CompletableFuture<String> thread =
          tally.reserveAsync("acme", Estimate.microCredits(5)).thenApply(r -> Thread.currentThread().getName());
      attached.countDown();
      return thread.get(10, TimeUnit.SECONDS);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("callback never attached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
