package dev.tally.client;

import static dev.tally.v1.Credits.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.Balance;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.MeteringGrpc;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes of one cluster; one is stopped (SIGTERM, graceful) while two threads reserve and
 * commit through the SDK. Every operation completes through the other node and none is charged
 * twice: per org, granted − Σ commits = available, with no hold left and one ledger event each.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class FailoverTest {

  static final int THREADS = 2;
  static final int BEFORE_STOP = 30;
  static final int AFTER_STOP = 30;
  static final long GRANTED = of(1_000);

  @Test
  void stoppingANodeMidRunLosesNoOperationAndChargesNoneTwice() throws Exception {
    NodeProcess nodeA = TestNode.node();
    try (NodeProcess nodeB = NodeProcess.start(TestCassandra.server(), nodeA);
        TallyClient operator = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).build()) {
      awaitServing(nodeB);
      Orgs orgs = new Orgs(operator.accounts());
      List<String> orgIds = List.of(orgs.withCredits(GRANTED), orgs.withCredits(GRANTED), orgs.withCredits(GRANTED));
      Map<String, AtomicLong> committed = new ConcurrentHashMap<>();
      orgIds.forEach(org -> committed.put(org, new AtomicLong()));
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicInteger operations = new AtomicInteger();
      AtomicInteger whileStopping = new AtomicInteger();
      AtomicBoolean stopping = new AtomicBoolean();
      CountDownLatch beforeStop = new CountDownLatch(BEFORE_STOP);
      CountDownLatch afterStop = new CountDownLatch(AFTER_STOP);
      AtomicBoolean stopped = new AtomicBoolean();

      ExecutorService threads = Executors.newFixedThreadPool(THREADS);
      try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN)
          .nodes("127.0.0.1:" + nodeA.grpcPort(), "127.0.0.1:" + nodeB.grpcPort())
          .defaultDeadline(Duration.ofSeconds(30))
          .retries(8, Duration.ofMillis(200), Duration.ofSeconds(3))
          .build()) {
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          workers.add(threads.submit(() -> {
            // Until the node is gone and AFTER_STOP more operations completed through the other.
            for (int i = 0; afterStop.getCount() > 0; i++) {
              String org = orgIds.get((thread + i) % orgIds.size());
              long used = 1_000L * (1 + (i % 7));
              boolean startedWhileStopping = stopping.get() && !stopped.get();
              try (Reservation reservation = tally.reserve(org, Estimate.microCredits(10_000))) {
                reservation.commit(Usage.microCredits(used));
                committed.get(org).addAndGet(used);
              } catch (RuntimeException failure) {
                failures.add(failure);
              }
              operations.incrementAndGet();
              if (startedWhileStopping) whileStopping.incrementAndGet();
              beforeStop.countDown();
              if (stopped.get()) afterStop.countDown();
            }
          }));
        }
        assertTrue(beforeStop.await(2, TimeUnit.MINUTES), "operations ran on both nodes");
        stopping.set(true);
        nodeB.stop();
        stopped.set(true);
        for (Future<?> worker : workers) worker.get(3, TimeUnit.MINUTES);
      } finally {
        threads.shutdownNow();
      }

      assertEquals(List.of(), failures, "every operation completed");
      assertTrue(whileStopping.get() > 0, "operations ran while the node stopped");
      for (String org : orgIds) {
        Balance balance = MeteringGrpc.newBlockingStub(nodeA.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
            .getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()).getBalance();
        assertEquals(GRANTED - committed.get(org).get(), balance.getAvailable(), "no double charge for " + org);
        assertEquals(0, balance.getHeld(), "no hold left behind for " + org);
        assertEquals(orgs.ledger(org, "RESERVATION_COMMITTED").size(), orgs.ledger(org, "CREDITS_RESERVED").size(),
            "one reservation per operation for " + org);
      }
      long commits = 0;
      for (String org : orgIds) commits += orgs.ledger(org, "RESERVATION_COMMITTED").size();
      assertEquals(operations.get(), commits, "one commit per operation");
      System.out.println("failover: " + operations.get() + " operations, " + whileStopping.get() + " while the node stopped");
    }
  }

  /** Until a call through B reaches an org entity: B joined the cluster and hosts shards. */
  static void awaitServing(NodeProcess node) throws InterruptedException {
    var metering = MeteringGrpc.newBlockingStub(node.channel());
    Eventually.await("an org entity answers through the new node", Duration.ofSeconds(60), () -> {
      try {
        metering.withDeadlineAfter(5, TimeUnit.SECONDS).getBalance(GetBalanceRequest.newBuilder().setOrgId("probe").build());
        return true;
      } catch (StatusRuntimeException e) {
        return e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND;  // the entity answered: no such org
      }
    });
  }
}
