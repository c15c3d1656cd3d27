package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.rpc.BadRequest;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListAlertsRequest;
import dev.tally.v1.ListAlertsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.SetOverridesRequest;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ListAlerts (issue 20): an org's past alerts newest first, read backwards from its journal, over real
 * gRPC to a node on a real Cassandra; pages, the kinds filter, and every bad field named. Who may call
 * it is in {@link AuthorizationMatrixTest}.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
class ListAlertsTest {

  final NodeProcess node = TestNode.node();

  /** A stub whose deadline starts now: the test runs longer than one call may take. */
  private AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(node.channel()).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  @Test
  void theAlertsAreTheLedgersNewestFirstAlsoPagedAndAcrossStretchesOfOtherEvents() {
    String orgId = orgAlertingEveryTenPercent();
    charge(orgId, 100 * MICROS_PER_CREDIT);
    // More events than one stretch the node reads (1,000) between two alerts.
    for (int i = 0; i < 1_050; i++) charge(orgId, 1_000);
    charge(orgId, 100 * MICROS_PER_CREDIT);
    charge(orgId, 100 * MICROS_PER_CREDIT);

    List<Alert> ledger = new ArrayList<>();
    String token = "";
    do {
      var page = accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).setPageToken(token).build());
      page.getEntriesList().stream().filter(LedgerEntry::hasAlert).map(LedgerEntry::getAlert).forEach(ledger::add);
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    Collections.reverse(ledger);
    assertEquals(List.of(30, 20, 10), ledger.stream().map(Alert::getThresholdPercent).toList());

    ListAlertsResponse all = list(ListAlertsRequest.newBuilder().setOrgId(orgId));
    assertEquals(ledger, all.getAlertsList(), "the ledger's alerts, newest first, with their event ids");
    assertEquals("", all.getNextPageToken(), "the whole journal was read");
    assertEquals(ledger, list(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageToken("1000000000")).getAlertsList(),
        "a token past the journal's end reads from its newest event");

    List<Alert> paged = new ArrayList<>();
    token = "";
    int pages = 0;
    do {
      ListAlertsResponse page = list(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageSize(1).setPageToken(token));
      paged.addAll(page.getAlertsList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty() && pages < 10);
    assertEquals(ledger, paged, "a page at a time, the same alerts");

    assertEquals(ledger, list(ListAlertsRequest.newBuilder().setOrgId(orgId).addKinds(Alert.Kind.USAGE_THRESHOLD)).getAlertsList());
    ListAlertsResponse none = list(ListAlertsRequest.newBuilder().setOrgId(orgId).addKinds(Alert.Kind.LOW_BALANCE));
    assertEquals(List.of(), none.getAlertsList(), "no low-balance alert was raised");
    assertEquals("", none.getNextPageToken());
  }

  @Test
  void anOrgWithoutAlertsHasAnEmptyPageAndAnUnknownOrgIsNotFound() {
    String orgId = AlertsAcrossTheClusterTest.flexOrg(accounts());
    ListAlertsResponse page = list(ListAlertsRequest.newBuilder().setOrgId(orgId));
    assertEquals(0, page.getAlertsCount());
    assertEquals("", page.getNextPageToken());
    ErrorDetails.expect(Code.NOT_FOUND, "ORG_NOT_FOUND",
        () -> list(ListAlertsRequest.newBuilder().setOrgId("no-such-org-" + UUID.randomUUID())));
  }

  @Test
  void eachBadFieldIsRefusedByName() {
    String orgId = AlertsAcrossTheClusterTest.flexOrg(accounts());
    assertEquals(List.of("org_id"), refused(ListAlertsRequest.newBuilder()));
    assertEquals(List.of("page_size"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageSize(1_001)));
    assertEquals(List.of("page_size"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageSize(-1)));
    assertEquals(List.of("page_token"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageToken("next")));
    assertEquals(List.of("page_token"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageToken("1")));
    assertEquals(List.of("page_token"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageToken("-5")));
    assertEquals(List.of("kinds"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).addKinds(Alert.Kind.KIND_UNSPECIFIED)));
    assertEquals(List.of("kinds"), refused(ListAlertsRequest.newBuilder().setOrgId(orgId).addKindsValue(99)));
  }

  private ListAlertsResponse list(ListAlertsRequest.Builder request) {
    return accounts().listAlerts(request.build());
  }

  private List<String> refused(ListAlertsRequest.Builder request) {
    ErrorDetails details = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> list(request));
    return details.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).toList();
  }

  /** A flex org (1,000 credits allocated) whose own thresholds are 10, 20 and 30 %: a 100-credit charge crosses one. */
  private String orgAlertingEveryTenPercent() {
    String orgId = AlertsAcrossTheClusterTest.flexOrg(accounts());
    accounts().setOverrides(SetOverridesRequest.newBuilder().setOrgId(orgId).setRequestId(UUID.randomUUID().toString())
        .addAllAlertThresholdsPercent(List.of(10, 20, 30)).build());
    return orgId;
  }

  private void charge(String orgId, long micros) {
    MeteringGrpc.newBlockingStub(node.channel()).withDeadlineAfter(1, TimeUnit.MINUTES).charge(ChargeRequest.newBuilder()
        .setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).setAmount(micros).build());
  }
}
