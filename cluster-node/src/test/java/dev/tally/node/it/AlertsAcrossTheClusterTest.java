package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.common.util.concurrent.ListenableFuture;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Alerts under concurrency, seen from another node: 100 concurrent commits cross the 80 % and
 * 100 % thresholds of an org's allocation and its low-balance floor; each alert is raised exactly
 * once, and a WatchAlerts subscriber connected to the other node of the cluster receives each once.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class AlertsAcrossTheClusterTest {

  @Test
  void eachThresholdFiresOnceUnderConcurrentCommitsAndASubscriberOnAnotherNodeReceivesIt() throws Exception {
    NodeProcess first = TestNode.node();
    try (NodeProcess second = NodeProcess.start(TestCassandra.server(), first)) {
      var metering = MeteringGrpc.newFutureStub(first.channel());
      var accounts = AccountsGrpc.newBlockingStub(first.channel()).withDeadlineAfter(1, TimeUnit.MINUTES);
      var watchOnSecond = AccountsGrpc.newStub(second.channel());

      // Every org's alerts, on the second node; wait until the first node's alerts reach it.
      BlockingQueue<Alert> everyOrg = AlertWatcher.watch(watchOnSecond, "").alerts();
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      Alert warmUp = null;
      while (warmUp == null && Instant.now().isBefore(deadline)) {
        String probe = flexOrg(accounts);
        MeteringGrpc.newBlockingStub(first.channel()).withDeadlineAfter(1, TimeUnit.MINUTES).charge(ChargeRequest
            .newBuilder().setOrgId(probe).setRequestId(id()).setAmount(1000 * MICROS_PER_CREDIT).build());
        warmUp = everyOrg.poll(2, TimeUnit.SECONDS);
      }
      assertNotNull(warmUp, "alerts never crossed to the other node");

      String orgId = flexOrg(accounts);
      BlockingQueue<Alert> oneOrg = AlertWatcher.watch(watchOnSecond, orgId).alerts();
      List<String> reservations = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        reservations.add(metering.withDeadlineAfter(1, TimeUnit.MINUTES).reserve(ReserveRequest.newBuilder()
            .setOrgId(orgId).setRequestId(id()).setAmount(10 * MICROS_PER_CREDIT).build()).get().getReservationId());
      }
      List<ListenableFuture<CommitResponse>> commits = new ArrayList<>();
      for (String reservationId : reservations) {
        commits.add(metering.withDeadlineAfter(1, TimeUnit.MINUTES).commit(CommitRequest.newBuilder()
            .setOrgId(orgId).setRequestId(id()).setReservationId(reservationId).setAmount(10 * MICROS_PER_CREDIT).build()));
      }
      for (ListenableFuture<CommitResponse> commit : commits) commit.get();

      List<LedgerEntry> raised = accounts.listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
          .getEntriesList().stream().filter(e -> e.getType().equals("ALERT_RAISED")).toList();
      // The holds already took the balance to 0, so the first commit crosses the low-balance floor and,
      // using credits with none left to reserve, depletes the org.
      assertEquals(List.of("LOW_BALANCE 0", "DEPLETED 0", "USAGE_THRESHOLD 80", "USAGE_THRESHOLD 100"),
          raised.stream().map(e -> e.getAlert().getKind() + " " + e.getAlert().getThresholdPercent()).toList());

      List<String> received = new ArrayList<>();
      for (int i = 0; i < raised.size(); i++) {
        Alert alert = oneOrg.poll(1, TimeUnit.MINUTES);
        assertNotNull(alert, "received so far: " + received);
        received.add(alert.getKind() + " " + alert.getThresholdPercent());
      }
      assertEquals(raised.stream().map(e -> e.getAlert().getKind() + " " + e.getAlert().getThresholdPercent()).toList(),
          received);
      assertNull(oneOrg.poll(500, TimeUnit.MILLISECONDS), "each alert arrives once");
    }
  }

  /** A new org on the flex plan: a 1000-credit allocation, alerts at 80 % and 100 %, a 50-credit floor. */
  static String flexOrg(AccountsGrpc.AccountsBlockingStub accounts) {
    String orgId = "alerts-" + UUID.randomUUID();
    accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan("flex").build());
    return orgId;
  }

  static String id() {
    return UUID.randomUUID().toString();
  }
}
