package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.SetOverridesRequest;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WatchAlerts resumes after a disconnect (issue 19 item 5): a client that comes back with the event
 * id of the last alert it got is sent the alerts raised while it was away, exactly once, then the
 * live ones, over real gRPC to a node on a real Cassandra.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class AlertWatchResumeTest {

  final NodeProcess node = TestNode.node();
  final AccountsGrpc.AccountsBlockingStub accounts =
      AccountsGrpc.newBlockingStub(node.channel()).withDeadlineAfter(1, TimeUnit.MINUTES);
  final AccountsGrpc.AccountsStub watches = AccountsGrpc.newStub(node.channel());

  @Test
  void aResumedWatchGetsTheAlertsRaisedWhileAwayOnceThenTheLiveOnes() throws Exception {
    String orgId = orgAlertingEveryTenPercent();
    // Resumed from the org's first event, so the watch misses nothing even before its subscription settles.
    AlertWatcher first = AlertWatcher.resume(watches, orgId, "evt_1_0_" + orgId);
    charge(orgId, 100);
    Alert tenPercent = first.alerts().poll(1, TimeUnit.MINUTES);
    assertNotNull(tenPercent, "the first alert arrived");
    assertEquals(10, tenPercent.getThresholdPercent());
    first.disconnect();

    charge(orgId, 100);
    charge(orgId, 100);
    AlertWatcher resumed = AlertWatcher.resume(watches, orgId, tenPercent.getEventId());
    List<Alert> received = new ArrayList<>();
    for (int i = 0; i < 2; i++) received.add(next(resumed));
    assertEquals(List.of(20, 30), received.stream().map(Alert::getThresholdPercent).toList());
    charge(orgId, 100);
    received.add(next(resumed));
    assertEquals(40, received.get(2).getThresholdPercent(), "then the live one");
    assertNull(resumed.alerts().poll(2, TimeUnit.SECONDS), "each alert arrives once");

    // The ids are those of the alerts in the org's ledger: the same positions a later resume starts from.
    List<String> ledgerIds = accounts.listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList().stream().filter(LedgerEntry::hasAlert).map(e -> e.getAlert().getEventId()).toList();
    List<String> watchedIds = new ArrayList<>(List.of(tenPercent.getEventId()));
    received.forEach(alert -> watchedIds.add(alert.getEventId()));
    assertEquals(ledgerIds, watchedIds);
    assertTrue(tenPercent.getEventId().matches("evt_[1-9][0-9]*_0_" + orgId), tenPercent.getEventId());
    resumed.disconnect();
  }

  @Test
  void aResumeFromTheLastAlertSendsNothingUntilTheNextOne() throws Exception {
    String orgId = orgAlertingEveryTenPercent();
    charge(orgId, 100);
    String lastId = accounts.listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build())
        .getEntriesList().stream().filter(LedgerEntry::hasAlert).reduce((a, b) -> b).orElseThrow().getAlert().getEventId();
    AlertWatcher resumed = AlertWatcher.resume(watches, orgId, lastId);
    assertNull(resumed.alerts().poll(2, TimeUnit.SECONDS), "the alert before the resume point is not sent again");
    charge(orgId, 100);
    assertEquals(20, next(resumed).getThresholdPercent());
    resumed.disconnect();
  }

  @Test
  void aResumePointThatIsNoEventOfTheWatchedOrgIsRefusedNamingAfterEventId() throws Exception {
    String orgId = orgAlertingEveryTenPercent();
    String other = orgAlertingEveryTenPercent();
    assertEquals(List.of("after_event_id"), refused("", "evt_1_0_" + orgId), "a watch of every org cannot resume");
    assertEquals(List.of("after_event_id"), refused(orgId, "not-an-event-id"));
    assertEquals(List.of("after_event_id"), refused(orgId, "evt_0_0_" + orgId));
    assertEquals(List.of("after_event_id"), refused(orgId, "evt_1_0_" + other), "another org's event");
    assertEquals(List.of("after_event_id"), refused(orgId, "evt_1000000_0_" + orgId), "past the end of the org's journal");
  }

  /** The fields a watch from {@code afterEventId} is refused for; the stream fails before any alert. */
  private List<String> refused(String orgId, String afterEventId) throws Exception {
    AlertWatcher watcher = AlertWatcher.resume(watches, orgId, afterEventId);
    Throwable failure;
    try {
      failure = watcher.end().get(1, TimeUnit.MINUTES);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the watch was not refused", e);
    }
    assertTrue(watcher.alerts().isEmpty());
    ErrorDetails details = ErrorDetails.of(failure);
    assertEquals(Code.INVALID_ARGUMENT, details.code(), () -> "status: " + details.status());
    assertEquals("INVALID_REQUEST", details.info().getReason());
    return details.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList();
  }

  private static Alert next(AlertWatcher watcher) throws InterruptedException {
    Alert alert = watcher.alerts().poll(1, TimeUnit.MINUTES);
    assertNotNull(alert, () -> "no alert came; the stream ended with " + watcher.end().getNow(null));
    return alert;
  }

  /** A flex org (1,000 credits allocated) whose own thresholds are 10, 20, 30 and 40 %: a 100-credit charge crosses one. */
  private String orgAlertingEveryTenPercent() {
    String orgId = AlertsAcrossTheClusterTest.flexOrg(accounts);
    accounts.setOverrides(SetOverridesRequest.newBuilder().setOrgId(orgId).setRequestId(UUID.randomUUID().toString())
        .addAllAlertThresholdsPercent(List.of(10, 20, 30, 40)).build());
    return orgId;
  }

  private void charge(String orgId, long credits) {
    MeteringGrpc.newBlockingStub(node.channel()).withDeadlineAfter(1, TimeUnit.MINUTES).charge(ChargeRequest.newBuilder()
        .setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).setAmount(credits * MICROS_PER_CREDIT).build());
  }
}
