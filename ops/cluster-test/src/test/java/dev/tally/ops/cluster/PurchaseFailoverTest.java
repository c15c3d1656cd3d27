package dev.tally.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestCluster;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.PurchasePackageResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Payment notifications, each delivered three times at once through every node of a three-node
 * cluster, while one node is killed with SIGKILL: the purchases whose reference entities (or whose
 * org) lived there are interrupted wherever they were. Every notification is then sent again until
 * it is answered. Each payment reference ends up granted exactly once: one PURCHASE grant per
 * reference in the org's ledger, and the balance is the sum of the packages, once. The three nodes
 * are the module's {@link TestCluster}; this class runs first, and the next one finds the killed node
 * replaced.
 */
@ExtendWith({TestCassandra.class, TestCluster.class})
@Order(1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurchaseFailoverTest {

  static final int PAYMENTS = 30;
  static final int DELIVERIES = 3;
  static final long STANDARD = Credits.of(1000);

  NodeProcess first;
  NodeProcess second;
  NodeProcess third;

  @BeforeAll
  void takeTheThreeNodes() {
    List<NodeProcess> nodes = TestCluster.nodes();
    first = nodes.get(0);
    second = nodes.get(1);
    third = nodes.get(2);
  }

  @Test
  void aNodeKilledDuringDuplicatedPaymentNotificationsLeavesEachPaymentGrantedOnce() throws Exception {
    String orgId = "buyer-" + UUID.randomUUID();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < PAYMENTS; i++) references.add("pay-" + i + "-" + UUID.randomUUID());
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Map<String, Set<Boolean>> answered = new ConcurrentHashMap<>();
    ExecutorService notifier = Executors.newFixedThreadPool(DELIVERIES);
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN)
        .nodes(address(first), address(second), address(third))
        .defaultDeadline(Duration.ofSeconds(20)).build()) {
      tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan("payg").build());

      List<Future<?>> deliveries = new ArrayList<>();
      for (int copy = 0; copy < DELIVERIES; copy++) {
        deliveries.add(notifier.submit(() -> {
          for (String reference : references) deliver(tally, orgId, reference, attempts, failures, answered);
        }));
      }
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> answered.size() >= PAYMENTS / 3),
          "a third of the payments answered before the kill");
      third.kill();
      int answeredAtKill = answered.size();
      for (Future<?> delivery : deliveries) delivery.get(5, TimeUnit.MINUTES);

      // The payment system resends what was not acknowledged until it is.
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> {
        for (String reference : references) deliver(tally, orgId, reference, attempts, failures, answered);
        return answered.size() == PAYMENTS;
      }), () -> "every payment answered after the failover; answered " + answered.size());
      // And once more after all were answered: a late duplicate of every notification.
      for (String reference : references) deliver(tally, orgId, reference, attempts, failures, answered);

      List<LedgerEntry> grants = tally.accounts().ledger(orgId)
          .filter(entry -> entry.getType().equals("CREDITS_GRANTED")).toList();
      Map<String, Long> grantsByReference = grants.stream()
          .collect(Collectors.groupingBy(LedgerEntry::getGrantId, Collectors.counting()));
      long available = tally.balance(orgId).getBalance().getAvailable();
      long firstAnswers = answered.values().stream().filter(replays -> replays.contains(false)).count();
      System.out.printf("purchase failover: %d payments, %d answered when a node was killed, %d deliveries (%d failed, "
              + "to be resent), %d grants in the ledger, %d payments answered as new at least once, balance %s credits%n",
          PAYMENTS, answeredAtKill, attempts.get(), failures.get(), grants.size(), firstAnswers, Credits.format(available));
      assertTrue(answeredAtKill < PAYMENTS, "the node was killed while payments were still being delivered");

      assertEquals(PAYMENTS, grants.size(), "one grant per payment: " + grantsByReference);
      for (String reference : references) {
        assertEquals(1L, grantsByReference.get("purchase:" + reference), reference + " granted once");
      }
      assertEquals(PAYMENTS * STANDARD, available);
    } finally {
      notifier.shutdownNow();
    }
  }

  /** One delivery of one payment notification; a failure is counted and left to a resend. */
  private static void deliver(TallyClient tally, String orgId, String reference, AtomicInteger attempts,
      AtomicInteger failures, Map<String, Set<Boolean>> answered) {
    attempts.incrementAndGet();
    try {
      PurchasePackageResponse response = tally.accounts().purchasePackage(PurchasePackageRequest.newBuilder()
          .setOrgId(orgId).setPackageName("standard").setPaymentReference(reference).build());
      answered.computeIfAbsent(reference, r -> ConcurrentHashMap.newKeySet()).add(response.getReplayed());
    } catch (TallyException unavailable) {
      failures.incrementAndGet();
    }
  }

  private static String address(NodeProcess node) {
    return "127.0.0.1:" + node.grpcPort();
  }
}
