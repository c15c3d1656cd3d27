package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node stopped with SIGTERM under load never resets a call: whatever it did not answer ends
 * UNAVAILABLE (retryable with the same request id), never CANCELLED with an unknown outcome. Its
 * alert subscriptions end at once with NODE_STOPPING. The drain timeout is 0 here, so calls are
 * certainly still open when the node gives up waiting.
 */
@ExtendWith(TestCassandra.class)
class GracefulStopTest {

  static final int WORKERS = 4;

  @Test
  void aStoppingNodeAnswersWhatItDidNotFinishUnavailableAndEndsAlertStreams() throws Exception {
    try (NodeProcess node = NodeProcess.start(TestCassandra.server(), "-Dtally.grpc.drain-timeout=0s")) {
      ManagedChannel channel = node.channel();
      String orgId = "stop-" + UUID.randomUUID();
      var accounts = AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
      accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create-" + orgId)
          .setPlan("payg").build()); // no rate limits
      accounts.grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId("grant-" + orgId)
          .setKind(GrantKind.PURCHASE).setAmount(1_000_000_000_000L).build());
      CompletableFuture<Throwable> streamEnd = AlertWatcher.watch(AccountsGrpc.newStub(channel), "").end();

      AtomicBoolean stopped = new AtomicBoolean();
      AtomicInteger succeeded = new AtomicInteger();
      List<Status> failures = new CopyOnWriteArrayList<>();
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        Thread worker = new Thread(() -> {
          var metering = MeteringGrpc.newBlockingStub(channel);
          while (!stopped.get()) {
            try {
              String reservationId = metering.withDeadlineAfter(30, TimeUnit.SECONDS).reserve(ReserveRequest.newBuilder()
                  .setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).setAmount(1_000).build()).getReservationId();
              metering.withDeadlineAfter(30, TimeUnit.SECONDS).commit(CommitRequest.newBuilder().setOrgId(orgId)
                  .setRequestId(UUID.randomUUID().toString()).setReservationId(reservationId).setAmount(500).build());
              succeeded.incrementAndGet();
            } catch (StatusRuntimeException failed) {
              failures.add(failed.getStatus());
            }
          }
        });
        worker.start();
        workers.add(worker);
      }
      Eventually.await("200 operations succeeded", Duration.ofMinutes(2), () -> succeeded.get() >= 200);

      node.stop();
      stopped.set(true);
      for (Thread worker : workers) worker.join(TimeUnit.MINUTES.toMillis(1));

      Throwable end = streamEnd.get(10, TimeUnit.SECONDS);
      assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(end).getCode(), () -> "the alert stream ended with " + end);
      assertEquals("NODE_STOPPING", ErrorDetails.of(end).info().getReason());
      assertFalse(failures.isEmpty(), "calls were still being made when the node stopped");
      Set<String> seen = failures.stream().map(s -> s.getCode() + ": " + s.getDescription()).collect(Collectors.toSet());
      assertEquals(Set.of(Status.Code.UNAVAILABLE), failures.stream().map(Status::getCode).collect(Collectors.toSet()),
          () -> "every unanswered call is UNAVAILABLE; seen " + seen);
    }
  }
}
