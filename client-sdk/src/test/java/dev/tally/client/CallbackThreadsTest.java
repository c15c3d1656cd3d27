package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  /** The callback is attached before the fake node answers, so it runs where the result completes. */
  private static String threadThatCompletes(TallyClientBuilder builder) throws Exception {
    CountDownLatch attached = new CountDownLatch(1);
    try (FakeNode node = FakeNode.start(request -> {
          await(attached);
          return RetryPolicyTest.RESERVED;
        });
        TallyClient tally = builder.nodes(node.address()).build()) {
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
