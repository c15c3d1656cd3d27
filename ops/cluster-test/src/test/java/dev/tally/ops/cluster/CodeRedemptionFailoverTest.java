package dev.tally.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.RedemptionCodeUsedUpException;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestCluster;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.RedeemCodeRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Redemption codes across a node crash (issue 17 item 3): each org redeems its own single-use code three
 * times at once through every node of the cluster while one node is killed with SIGKILL, so redemptions
 * are interrupted wherever the code's entity or the org lived: before, between or after the code
 * recorded its use and the org its grant. Every redemption is then sent again until it is answered. Each
 * code ends up granted exactly once: one REDEMPTION grant per org, its credits once, and the code used up
 * for anyone else. First, before the kill, fifty orgs race through the three nodes to redeem one code.
 * The three nodes are the module's {@link TestCluster}; this class runs last.
 */
@ExtendWith({TestCassandra.class, TestCluster.class})
@Order(4)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CodeRedemptionFailoverTest {

  static final int ORGS = 30;
  static final int DELIVERIES = 3;
  static final long CREDITS = Credits.of(100);

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

  /** One org and the code it redeems. */
  record Redemption(String orgId, String code) {}

  @Test
  @Order(1)
  void fiftyOrgsRacingThroughTheThreeNodesToRedeemOneCodeLeaveExactlyOneGrantInAllLedgers() throws Exception {
    int racers = 50;
    List<TallyClient> perNode = List.of(first, second, third).stream()
        .map(node -> TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(address(node))
            .defaultDeadline(Duration.ofSeconds(20)).build())
        .toList();
    ExecutorService clients = Executors.newFixedThreadPool(racers);
    try {
      TallyClient any = perNode.get(0);
      String code = any.accounts().createRedemptionCodes(CreateRedemptionCodesRequest.newBuilder()
          .setRequestId("race-" + UUID.randomUUID()).setCount(1).setCredits(CREDITS).build()).getCodes(0);
      List<String> orgs = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        String orgId = "racer-" + UUID.randomUUID();
        any.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan("payg").build());
        orgs.add(orgId);
      }
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        String orgId = orgs.get(i);
        TallyClient through = perNode.get(i % perNode.size()); // the racers come in through all three nodes
        outcomes.add(clients.submit(() -> {
          start.await();
          try {
            through.accounts().redeemCode(RedeemCodeRequest.newBuilder().setOrgId(orgId).setCode(code)
                .setRequestId("redeem-" + UUID.randomUUID()).build());
            return "REDEEMED";
          } catch (RedemptionCodeUsedUpException usedUp) {
            return "USED_UP";
          }
        }));
      }
      start.countDown();
      Map<String, Integer> answers = new java.util.TreeMap<>();
      for (Future<String> outcome : outcomes) answers.merge(outcome.get(2, TimeUnit.MINUTES), 1, Integer::sum);
      long grants = 0;
      long balances = 0;
      for (String orgId : orgs) {
        grants += any.accounts().ledger(orgId).filter(entry -> entry.getType().equals("CREDITS_GRANTED")).count();
        balances += any.balance(orgId).getBalance().getAvailable();
      }
      System.out.printf("redemption race on three nodes: %d orgs, answers %s, %d grants in all ledgers, %s credits in all balances%n",
          racers, answers, grants, Credits.format(balances));
      assertEquals(Map.of("REDEEMED", 1, "USED_UP", racers - 1), answers);
      assertEquals(1, grants);
      assertEquals(CREDITS, balances);
    } finally {
      clients.shutdownNow();
      perNode.forEach(TallyClient::close);
    }
  }

  @Test
  @Order(2)
  void aNodeKilledDuringRedemptionsLeavesEachCodeGrantedOnce() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Map<String, Boolean> answered = new ConcurrentHashMap<>();
    ExecutorService redeemers = Executors.newFixedThreadPool(DELIVERIES);
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN)
        .nodes(address(first), address(second), address(third))
        .defaultDeadline(Duration.ofSeconds(20)).build()) {
      List<String> codes = tally.accounts().createRedemptionCodes(CreateRedemptionCodesRequest.newBuilder()
          .setRequestId("codes-" + UUID.randomUUID()).setCount(ORGS).setCredits(CREDITS).setMaxRedemptions(1)
          .setLabel("failover").build()).getCodesList();
      List<Redemption> redemptions = new ArrayList<>();
      for (String code : codes) {
        String orgId = "redeemer-" + UUID.randomUUID();
        tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan("payg").build());
        redemptions.add(new Redemption(orgId, code));
      }

      List<Future<?>> deliveries = new ArrayList<>();
      for (int copy = 0; copy < DELIVERIES; copy++) {
        deliveries.add(redeemers.submit(() -> {
          for (Redemption redemption : redemptions) redeem(tally, redemption, attempts, failures, answered);
        }));
      }
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> answered.size() >= ORGS / 3),
          "a third of the redemptions answered before the kill");
      third.kill();
      int answeredAtKill = answered.size();
      for (Future<?> delivery : deliveries) delivery.get(5, TimeUnit.MINUTES);

      // The org's user clicks again until the redemption is answered, then once more, late.
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> {
        for (Redemption redemption : redemptions) {
          if (!answered.containsKey(redemption.orgId())) redeem(tally, redemption, attempts, failures, answered);
        }
        return answered.size() == ORGS;
      }), () -> "every redemption answered after the failover; answered " + answered.size());
      for (Redemption redemption : redemptions) redeem(tally, redemption, attempts, failures, answered);

      int grants = 0;
      for (Redemption redemption : redemptions) {
        List<LedgerEntry> granted = tally.accounts().ledger(redemption.orgId())
            .filter(entry -> entry.getType().equals("CREDITS_GRANTED")).toList();
        grants += granted.size();
        assertEquals(1, granted.size(), redemption.orgId() + ": one grant for its code " + granted);
        assertTrue(granted.get(0).getGrantId().startsWith("code:"), granted.toString());
        assertEquals(CREDITS, tally.balance(redemption.orgId()).getBalance().getAvailable(), redemption.orgId());
      }
      String other = "latecomer-" + UUID.randomUUID();
      tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(other).setPlan("payg").build());
      assertThrows(RedemptionCodeUsedUpException.class, () -> tally.accounts().redeemCode(RedeemCodeRequest.newBuilder()
          .setOrgId(other).setCode(codes.get(0)).setRequestId("late-" + UUID.randomUUID()).build()));
      System.out.printf("code redemption failover: %d single-use codes, %d answered when a node was killed, %d attempts "
              + "(%d failed, to be resent), %d grants across the %d orgs' ledgers, each org %s credits%n",
          ORGS, answeredAtKill, attempts.get(), failures.get(), grants, ORGS, Credits.format(CREDITS));
      assertTrue(answeredAtKill < ORGS, "the node was killed while redemptions were still under way");
    } finally {
      redeemers.shutdownNow();
    }
  }

  /** One attempt at a redemption, with an id of its own as a second click would have; a failure is left to a resend. */
  private static void redeem(TallyClient tally, Redemption redemption, AtomicInteger attempts, AtomicInteger failures,
      Map<String, Boolean> answered) {
    attempts.incrementAndGet();
    try {
      tally.accounts().redeemCode(RedeemCodeRequest.newBuilder().setOrgId(redemption.orgId()).setCode(redemption.code())
          .setRequestId("redeem-" + UUID.randomUUID()).build());
      answered.put(redemption.orgId(), true);
    } catch (TallyException unavailable) {
      failures.incrementAndGet();
    }
  }

  private static String address(NodeProcess node) {
    return "127.0.0.1:" + node.grpcPort();
  }
}
