package dev.tally.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.node.account.OrgSlices;
import com.google.protobuf.Timestamp;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.LedgerUsage;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestCluster;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.Labels;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.Statement;
import dev.tally.v1.UsageSums;
import dev.tally.v1.VoidGrantRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The read side across a node crash and a rebuild (issue 18): a random workload over many orgs through
 * the three nodes while one is killed with SIGKILL (its notices of writes are lost, the readers it
 * ran start again elsewhere), and the directory rows of some orgs are deleted after the workload, so
 * they are built again from the journal and their events applied a second time. Afterwards every
 * org's directory row equals what its ledger adds up to, to the µcr and up to its last event, and so
 * does its usage report (GetUsage) by model and project and its statement of the period, which
 * reconciles (opening + granted − used − expired − voided = closing): no event counted twice or lost. The
 * three nodes are the module's {@link TestCluster}, whose readers check every org at least every 20 s.
 */
@ExtendWith({TestCassandra.class, TestCluster.class})
@Order(5)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadSideFailoverTest {

  static final int ORGS = 40;
  static final int OPERATIONS = 1_200;
  static final int WORKERS = 4;

  List<NodeProcess> nodes;

  @BeforeAll
  void takeTheThreeNodes() {
    nodes = TestCluster.nodes();
  }

  @Test
  void aKilledNodeAndAReplayFromTheStartLeaveEveryDirectoryRowAndUsageReportEqualToItsLedger() throws Exception {
    Instant from = Instant.now().truncatedTo(ChronoUnit.HOURS);
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN)
        .nodes(nodes.stream().map(node -> "127.0.0.1:" + node.grpcPort()).toArray(String[]::new))
        .defaultDeadline(Duration.ofSeconds(20)).build()) {
      List<String> orgs = new ArrayList<>();
      for (int i = 0; i < ORGS; i++) {
        String orgId = "read-side-" + i + "-" + UUID.randomUUID();
        tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan("payg").build());
        orgs.add(orgId);
      }
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        Random random = new Random(w);
        running.add(workers.submit(() -> {
          for (int op = 0; op < OPERATIONS / WORKERS; op++) {
            attempts.incrementAndGet();
            try {
              operate(tally, orgs.get(random.nextInt(orgs.size())), random);
              answered.incrementAndGet();
            } catch (TallyException refusedOrLost) {
              failures.incrementAndGet(); // refused (no credits) or cut off by the kill: the ledger says what happened
            }
          }
        }));
      }
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> answered.get() >= OPERATIONS / 3), "a third done");
      nodes.get(2).kill();
      int answeredAtKill = answered.get();
      for (Future<?> worker : running) worker.get(5, TimeUnit.MINUTES);
      List<String> rebuilt = orgs.subList(0, 5);
      try (CqlSession cql = TestCassandra.server().newSession()) {
        for (String org : rebuilt) {
          cql.execute("DELETE FROM tally.org_directory WHERE slice = ? AND org_id = ?", OrgSlices.sliceOf(org), org);
        }
      }

      Map<String, List<LedgerEntry>> ledgers = new HashMap<>();
      for (String org : orgs) ledgers.put(org, tally.accounts().ledger(org).toList());
      long started = System.nanoTime();
      AtomicReference<Map<String, DirectoryEntry>> shown = new AtomicReference<>(Map.of());
      boolean converged = Eventually.within(Duration.ofMinutes(3), () -> {
        shown.set(directory(tally));
        return orgs.stream().allMatch(org -> shown.get().containsKey(org)
            && shown.get().get(org).getAppliedSequenceNr() == last(ledgers.get(org)));
      });
      double seconds = (System.nanoTime() - started) / 1e9;
      long events = ledgers.values().stream().mapToLong(List::size).sum();
      System.out.printf("read side failover: %d orgs, %d operations (%d refused or lost, %d answered when a node was "
              + "killed), %d ledger events, %d rows deleted and rebuilt, directory caught up %.1f s after the workload "
              + "ended: %s%n",
          ORGS, attempts.get(), failures.get(), answeredAtKill, events, rebuilt.size(), seconds, converged);
      assertTrue(converged, () -> "every org's row up to its last event; behind: " + orgs.stream()
          .filter(org -> !shown.get().containsKey(org) || shown.get().get(org).getAppliedSequenceNr() != last(ledgers.get(org)))
          .map(org -> org + " at " + (shown.get().containsKey(org) ? shown.get().get(org).getAppliedSequenceNr() : "none")
              + " of " + last(ledgers.get(org)))
          .toList());
      for (String org : orgs) {
        List<LedgerEntry> ledger = ledgers.get(org);
        DirectoryEntry row = shown.get().get(org);
        assertEquals(sum(ledger, "CREDITS_GRANTED"), row.getGranted(), org);
        assertEquals(sum(ledger, "RESERVATION_COMMITTED", "CREDITS_CHARGED"), row.getUsed(), org);
        assertEquals(sum(ledger, "GRANT_EXPIRED"), row.getExpired(), org);
        assertEquals(sum(ledger, "GRANT_VOIDED"), row.getVoided(), org);
        var balance = tally.balance(org).getBalance();
        assertEquals(balance.getGrantedRemaining() - balance.getDebt(), row.getBalance(), org);
      }
      Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
      for (String org : orgs) {
        Map<String, UsageSums> reported = new HashMap<>();
        GetUsageResponse report = tally.accounts().getUsage(GetUsageRequest.newBuilder().setOrgId(org)
            .setFrom(timestamp(from)).setTo(timestamp(to)).setGranularity(GetUsageRequest.Granularity.WHOLE_RANGE)
            .addGroupBy(GetUsageRequest.Dimension.MODEL).addGroupBy(GetUsageRequest.Dimension.PROJECT).build());
        assertEquals(last(ledgers.get(org)), report.getAppliedSequenceNr(), org);
        report.getRowsList().forEach(row -> reported.put(row.getModel() + "/" + row.getProject(), row.getUsage()));
        assertEquals(LedgerUsage.sums(ledgers.get(org), entry -> LedgerUsage.model(entry) + "/" + entry.getLabels().getProject()),
            reported, org + "'s usage");
        List<Statement> statements =
            tally.accounts().listStatements(ListStatementsRequest.newBuilder().setOrgId(org).build()).getStatementsList();
        assertEquals(1, statements.size(), org + ": one period, open");
        Statement open = statements.get(0);
        List<LedgerEntry> ledger = ledgers.get(org);
        assertEquals(last(ledger), open.getAppliedSequenceNr(), org);
        assertEquals(sum(ledger, "CREDITS_GRANTED"), open.getGranted(), org);
        assertEquals(sum(ledger, "RESERVATION_COMMITTED", "CREDITS_CHARGED"), open.getUsed(), org);
        assertEquals(sum(ledger, "GRANT_EXPIRED"), open.getExpired(), org);
        assertEquals(sum(ledger, "GRANT_VOIDED"), open.getVoided(), org);
        assertEquals(open.getOpeningBalance() + open.getGranted() - open.getUsed() - open.getExpired() - open.getVoided(),
            open.getClosingBalance(), org + "'s statement reconciles");
        assertEquals(shown.get().get(org).getBalance(), open.getClosingBalance(), org + ": its balance now");
        var balance = tally.balance(org).getBalance();
        assertEquals(balance.getDebt(), open.getDebt(), org + "'s debt");
      }
      assertTrue(answeredAtKill < OPERATIONS, "the node was killed while the workload ran");
    } finally {
      workers.shutdownNow();
    }
  }

  /**
   * One random operation: a grant, a void of one, a one-step charge, or a reserve and its commit or
   * release, the calls with one of a few models and projects.
   */
  private static void operate(TallyClient tally, String org, Random random) {
    int kind = random.nextInt(10);
    long amount = 1 + random.nextInt(5_000_000);
    Labels labels = Labels.newBuilder().setModel("model-" + random.nextInt(3)).setProject("project-" + random.nextInt(2))
        .build();
    if (kind == 0) {
      tally.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString())
          .setGrantId("g-" + random.nextInt(5)).setKind(GrantKind.PROMOTION).setAmount(Credits.of(50)).build());
    } else if (kind == 1) {
      tally.accounts().voidGrant(VoidGrantRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString())
          .setGrantId("g-" + random.nextInt(5)).setReason("drill").build());
    } else if (kind < 6) {
      tally.charge(ChargeRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString()).setAmount(amount)
          .setLabels(labels).build());
    } else {
      String held = tally.reserve(ReserveRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString())
          .setAmount(amount).setLabels(labels).build()).reservationId();
      if (kind == 9) {
        tally.release(ReleaseRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString())
            .setReservationId(held).build());
        return;
      }
      tally.commit(CommitRequest.newBuilder().setOrgId(org).setRequestId(UUID.randomUUID().toString()).setReservationId(held)
          .setAmount(random.nextInt(2 * (int) amount)).build());
    }
  }

  private static Map<String, DirectoryEntry> directory(TallyClient tally) {
    Map<String, DirectoryEntry> all = new HashMap<>();
    String token = "";
    do {
      ListOrgsResponse page = tally.accounts().listOrgs(ListOrgsRequest.newBuilder().setPageToken(token).build());
      page.getOrgsList().forEach(entry -> all.put(entry.getOrgId(), entry));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  private static Timestamp timestamp(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).build();
  }

  private static long last(List<LedgerEntry> ledger) {
    return ledger.stream().mapToLong(LedgerEntry::getSequenceNr).max().orElse(0);
  }

  private static long sum(List<LedgerEntry> ledger, String... types) {
    Set<String> wanted = Set.of(types);
    return ledger.stream().filter(entry -> wanted.contains(entry.getType())).mapToLong(LedgerEntry::getAmount).sum();
  }
}
