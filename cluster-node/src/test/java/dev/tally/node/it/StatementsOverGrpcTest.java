package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.tally.node.account.OrgSlices;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.GetStatementRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.Labels;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.ListStatementsResponse;
import dev.tally.v1.Statement;
import dev.tally.v1.TopOrgsRequest;
import dev.tally.v1.VoidGrantRequest;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Statements over gRPC on a node whose clock the test moves (issue 18 item 2): an org's open
 * statement follows its ledger; once the clock passes the period's end, the org's period closes
 * and its statement with it although nothing touches the org (the read side wakes it), and the
 * closed statement reconciles and matches the ledger, the next one opening where it closed.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatementsOverGrpcTest {

  /** A plan whose monthly allocation expires at the period's end, and readers that pass every tick. */
  static final String SETTINGS = TimeRulesOverGrpcTest.PLANS + """
      tally.read-side.reconcile-every = 1s
      """;

  InProcessNode node;
  /** The test's own session on the node's Cassandra, to see and change the directory's rows as they are stored. */
  CqlSession cql;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), SETTINGS);
    cql = CqlSession.builder().addContactPoint(new InetSocketAddress("127.0.0.1", TestCassandra.server().cqlPort()))
        .withLocalDatacenter("datacenter1").build();
  }

  @AfterAll
  void stop() {
    cql.close();
    node.close();
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  List<Statement> statements(String org) {
    ListStatementsResponse page = node.accounts().listStatements(ListStatementsRequest.newBuilder().setOrgId(org).build());
    return page.getStatementsList();
  }

  static long sum(List<LedgerEntry> ledger, String type) {
    return ledger.stream().filter(entry -> entry.getType().equals(type)).mapToLong(LedgerEntry::getAmount).sum();
  }

  @Test
  void anIdleOrgsPeriodClosesOnItsOwnAndItsStatementReconcilesWithTheLedger() throws Exception {
    String org = "statement-" + id();
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan("expiring").build());
    node.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId(id()).setGrantId("bought")
        .setKind(GrantKind.PURCHASE).setAmount(50 * MICROS_PER_CREDIT).build());
    node.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId(id()).setGrantId("gift")
        .setKind(GrantKind.PROMOTION).setAmount(5 * MICROS_PER_CREDIT).build());
    node.accounts().voidGrant(VoidGrantRequest.newBuilder().setOrgId(org).setRequestId(id()).setGrantId("gift")
        .setReason("test").build());
    for (String model : List.of("gpt-4o", "gpt-4o", "dall-e")) {
      node.metering().charge(ChargeRequest.newBuilder().setOrgId(org).setRequestId(id()).setAmount(7 * MICROS_PER_CREDIT)
          .setLabels(Labels.newBuilder().setModel(model)).build());
    }
    long last = node.accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(org).setPageSize(1000).build())
        .getEntriesList().stream().mapToLong(LedgerEntry::getSequenceNr).max().orElseThrow();
    Eventually.await("the open statement up to the ledger", Duration.ofSeconds(60),
        () -> statements(org).size() == 1 && statements(org).get(0).getAppliedSequenceNr() == last);
    Statement open = statements(org).get(0);
    assertFalse(open.hasClosedAt());
    long allocation = open.getGrantedByKindMap().get("SUBSCRIPTION");
    assertTrue(allocation > 21 * MICROS_PER_CREDIT, open.toString());
    assertEquals(Map.of("SUBSCRIPTION", allocation, "PURCHASE", 50 * MICROS_PER_CREDIT,
        "PROMOTION", 5 * MICROS_PER_CREDIT), open.getGrantedByKindMap());
    assertEquals(Map.of("gpt-4o", 14 * MICROS_PER_CREDIT, "dall-e", 7 * MICROS_PER_CREDIT), open.getUsedByModelMap());
    assertEquals(5 * MICROS_PER_CREDIT, open.getVoided());

    Instant end = Instant.ofEpochSecond(open.getPeriodEnd().getSeconds());
    node.clock().advance(Duration.between(node.clock().instant(), end.plusSeconds(60)));
    AtomicReference<List<Statement>> both = new AtomicReference<>();
    Eventually.await("the period closed without a request to the org", Duration.ofSeconds(90), () -> {
      both.set(statements(org));
      return both.get().size() == 2 && both.get().get(1).hasClosedAt();
    });
    Statement next = both.get().get(0);
    Statement closed = both.get().get(1);
    assertEquals(open.getPeriodStart(), closed.getPeriodStart(), "newest first");
    assertEquals(open.getPeriodEnd(), closed.getClosedAt());
    assertEquals(allocation - 21 * MICROS_PER_CREDIT, closed.getExpired(),
        "what the allocation held when it expired: charges drew it first (it expires soonest)");
    assertEquals(closed.getOpeningBalance() + closed.getGranted() - closed.getUsed() - closed.getExpired()
        - closed.getVoided(), closed.getClosingBalance(), "it reconciles");
    assertEquals(closed.getClosingBalance(), next.getOpeningBalance(), "the next period opens where this one closed");
    assertFalse(next.hasClosedAt());
    assertEquals(closed.getPeriodEnd(), next.getPeriodStart());

    List<LedgerEntry> ledger = node.accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(org).setPageSize(1000)
        .build()).getEntriesList().stream()
        .filter(entry -> entry.getOccurredAt().getSeconds() < closed.getClosedAt().getSeconds()
            || entry.getType().equals("GRANT_EXPIRED") && entry.getOccurredAt().equals(closed.getClosedAt()))
        .toList();
    assertEquals(sum(ledger, "CREDITS_GRANTED"), closed.getGranted());
    assertEquals(sum(ledger, "CREDITS_CHARGED"), closed.getUsed());
    assertEquals(sum(ledger, "GRANT_EXPIRED"), closed.getExpired());
    assertEquals(sum(ledger, "GRANT_VOIDED"), closed.getVoided());

    AtomicReference<List<DirectoryEntry>> lastMonth = new AtomicReference<>();
    Eventually.await("the directory ranks the org by what it used last month", Duration.ofSeconds(60), () -> {
      lastMonth.set(node.accounts().topOrgs(TopOrgsRequest.newBuilder().setPlan("expiring").setLimit(100)
          .setUsagePeriod(closed.getPeriodStart()).build()).getOrgsList());
      return lastMonth.get().stream().anyMatch(entry -> entry.getOrgId().equals(org)
          && entry.getPeriodStart().equals(next.getPeriodStart()));
    });
    DirectoryEntry ranked = lastMonth.get().stream().filter(entry -> entry.getOrgId().equals(org)).findFirst().orElseThrow();
    assertEquals(closed.getUsed(), ranked.getUsagePeriodUsed());
    assertEquals(closed.getPeriodStart(), ranked.getPreviousPeriodStart());
    assertEquals(closed.getUsed(), ranked.getPreviousPeriodUsed());
    assertEquals(0, node.accounts().listOrgs(ListOrgsRequest.newBuilder().setPlan("expiring")
        .setOrder(ListOrgsRequest.Order.USAGE).build()).getOrgsList().stream()
        .filter(entry -> entry.getOrgId().equals(org)).findFirst().orElseThrow().getUsagePeriodUsed(),
        "this month (the node's clock's): nothing used yet");

    Statement fetched = node.accounts().getStatement(GetStatementRequest.newBuilder().setOrgId(org)
        .setPeriodStart(closed.getPeriodStart()).build());
    assertEquals(closed, fetched);
    ListStatementsResponse first = node.accounts().listStatements(ListStatementsRequest.newBuilder().setOrgId(org)
        .setPageSize(1).build());
    assertEquals(List.of(next), first.getStatementsList());
    assertEquals(List.of(closed), node.accounts().listStatements(ListStatementsRequest.newBuilder().setOrgId(org)
        .setPageSize(1).setPageToken(first.getNextPageToken()).build()).getStatementsList());
  }

  /**
   * A directory row written before its period's statement was part of it (ops/cql V11: no opening
   * balance): the reader builds the row again from the org's journal, so the open statement shown
   * counts every event once.
   */
  @Test
  void aDirectoryRowWrittenBeforeV11IsBuiltAgainFromTheJournal() throws Exception {
    rebuiltFromTheJournal("statement-v10-", "period_opening_balance = null, period_granted_by_kind = null,"
        + " period_used_by_model = null, period_used_by_call_type = null, period_expired = null, period_voided = null");
  }

  /** A directory row written before it kept the previous period's usage (ops/cql V12) is built again too. */
  @Test
  void aDirectoryRowWrittenBeforeV12IsBuiltAgainFromTheJournal() throws Exception {
    rebuiltFromTheJournal("statement-v11-", "previous_period_start = null, previous_period_used = null");
  }

  /** Whether the org's directory row has every column a row has from ops/cql V12 on. */
  boolean writtenSinceV12(String org) {
    Row row = cql.execute(SimpleStatement.newInstance("SELECT period_opening_balance, previous_period_used"
        + " FROM tally.org_directory WHERE slice = ? AND org_id = ?", OrgSlices.sliceOf(org), org)).one();
    return !row.isNull("period_opening_balance") && !row.isNull("previous_period_used");
  }

  /**
   * An org whose directory row, once written, has {@code columnsUnset} set to null: the reader's
   * reconciliation builds it again from the journal, and its next write counts each event once.
   */
  void rebuiltFromTheJournal(String prefix, String columnsUnset) throws Exception {
    String org = prefix + id();
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan("expiring").build());
    node.metering().charge(ChargeRequest.newBuilder().setOrgId(org).setRequestId(id()).setAmount(3 * MICROS_PER_CREDIT)
        .setLabels(Labels.newBuilder().setModel("gpt-4o")).build());
    Eventually.await("the open statement counts the charge", Duration.ofSeconds(60),
        () -> statements(org).size() == 1 && statements(org).get(0).getUsed() == 3 * MICROS_PER_CREDIT);
    Statement before = statements(org).get(0);
    cql.execute(SimpleStatement.newInstance("UPDATE tally.org_directory SET " + columnsUnset
        + " WHERE slice = ? AND org_id = ?", OrgSlices.sliceOf(org), org));
    // The node's clock stands still: its readers' next pass is due, and the listing of the journals they share
    // (at most a pass old, its scan started a second after it was asked for) too old for it, so it lists this org.
    node.clock().advance(Duration.ofSeconds(3));
    Eventually.await("the reader's reconciliation built the row again", Duration.ofSeconds(60),
        () -> statements(org).equals(List.of(before)) && writtenSinceV12(org));
    node.metering().charge(ChargeRequest.newBuilder().setOrgId(org).setRequestId(id()).setAmount(2 * MICROS_PER_CREDIT)
        .setLabels(Labels.newBuilder().setModel("gpt-4o")).build());
    Eventually.await("the statement counts both charges once", Duration.ofSeconds(60),
        () -> statements(org).size() == 1 && statements(org).get(0).getUsed() == 5 * MICROS_PER_CREDIT);
    Statement after = statements(org).get(0);
    assertEquals(before.getOpeningBalance(), after.getOpeningBalance());
    assertEquals(before.getGrantedByKindMap(), after.getGrantedByKindMap());
    assertEquals(Map.of("gpt-4o", 5 * MICROS_PER_CREDIT), after.getUsedByModelMap());
  }

  @Test
  void anUnknownPeriodIsNotFoundAndBadRequestsNameTheirField() {
    var missing = ErrorDetails.expect(Status.Code.NOT_FOUND, "STATEMENT_NOT_FOUND", () -> node.accounts().getStatement(
        GetStatementRequest.newBuilder().setOrgId("nobody-" + id()).setPeriodStart(Timestamp.newBuilder().setSeconds(0))
            .build()));
    assertEquals("1970-01-01T00:00:00Z", missing.detail(ErrorInfo.class).orElseThrow().getMetadataOrThrow("period_start"));
    for (var bad : Map.of(
        "period_start", GetStatementRequest.newBuilder().setOrgId("acme"),
        "org_id", GetStatementRequest.newBuilder().setOrgId("").setPeriodStart(Timestamp.getDefaultInstance())).entrySet()) {
      var details = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
          () -> node.accounts().getStatement(bad.getValue().build()));
      assertEquals(bad.getKey(), details.detail(BadRequest.class).orElseThrow().getFieldViolations(0).getField());
    }
    for (var bad : Map.of(
        "page_size", ListStatementsRequest.newBuilder().setOrgId("acme").setPageSize(101),
        "page_token", ListStatementsRequest.newBuilder().setOrgId("acme").setPageToken("not a token")).entrySet()) {
      var details = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
          () -> node.accounts().listStatements(bad.getValue().build()));
      assertEquals(bad.getKey(), details.detail(BadRequest.class).orElseThrow().getFieldViolations(0).getField());
    }
  }
}
