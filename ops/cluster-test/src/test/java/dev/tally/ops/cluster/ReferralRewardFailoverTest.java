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
import dev.tally.v1.Referral;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Referral rewards across a node crash (issue 17 item 4): referred orgs' payment notifications, each
 * delivered three times at once through every node of a three-node cluster, while one node is killed
 * with SIGKILL: a purchase may be interrupted before, between or after its grant and its reward,
 * wherever its reference's entity, the buyer or the referrer lived. Every notification is then sent
 * again until it is answered. Each referrer's reward balance ends up exactly one reward per purchase, and its ledger
 * holds one REWARD_EARNED per purchase. The three nodes are the module's {@link TestCluster}; this class runs after
 * the drill and finds the node it killed replaced.
 */
@ExtendWith({TestCassandra.class, TestCluster.class})
@Order(3)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferralRewardFailoverTest {

  static final int REFERRERS = 5;
  static final int BUYERS_PER_REFERRER = 2;
  static final int PURCHASES_PER_BUYER = 3;
  static final int DELIVERIES = 3;
  /** The standard package earns a payg referrer 10 % of its 1,000 credits; 6 purchases stay within payg's caps. */
  static final long REWARD = Credits.of(100);

  NodeProcess first;
  NodeProcess second;
  NodeProcess third;

  /** One payment of a referred org. */
  record Payment(String referrer, String buyer, String reference) {}

  @BeforeAll
  void takeTheThreeNodes() {
    List<NodeProcess> nodes = TestCluster.nodes();
    first = nodes.get(0);
    second = nodes.get(1);
    third = nodes.get(2);
  }

  @Test
  void aNodeKilledDuringReferredOrgsPurchasesLeavesEachReferrerOneRewardPerPurchase() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    Map<String, Boolean> answered = new ConcurrentHashMap<>();
    ExecutorService notifier = Executors.newFixedThreadPool(DELIVERIES);
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN)
        .nodes(address(first), address(second), address(third))
        .defaultDeadline(Duration.ofSeconds(20)).build()) {
      List<String> referrers = new ArrayList<>();
      List<Payment> payments = new ArrayList<>();
      for (int r = 0; r < REFERRERS; r++) {
        String referrer = createOrg(tally, "referrer-" + r + "-" + UUID.randomUUID(), "");
        referrers.add(referrer);
        String code = tally.accounts().getReferral(referrer).getReferralCode();
        for (int b = 0; b < BUYERS_PER_REFERRER; b++) {
          String buyer = createOrg(tally, "referred-" + r + "-" + b + "-" + UUID.randomUUID(), code);
          for (int p = 0; p < PURCHASES_PER_BUYER; p++) payments.add(new Payment(referrer, buyer, "pay-" + UUID.randomUUID()));
        }
      }

      List<Future<?>> deliveries = new ArrayList<>();
      for (int copy = 0; copy < DELIVERIES; copy++) {
        deliveries.add(notifier.submit(() -> {
          for (Payment payment : payments) deliver(tally, payment, attempts, failures, answered);
        }));
      }
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> answered.size() >= payments.size() / 3),
          "a third of the payments answered before the kill");
      third.kill();
      int answeredAtKill = answered.size();
      for (Future<?> delivery : deliveries) delivery.get(5, TimeUnit.MINUTES);

      // The payment system resends what was not acknowledged until it is, then once more, late.
      assertTrue(Eventually.within(Duration.ofMinutes(3), () -> {
        for (Payment payment : payments) {
          if (!answered.containsKey(payment.reference())) deliver(tally, payment, attempts, failures, answered);
        }
        return answered.size() == payments.size();
      }), () -> "every payment answered after the failover; answered " + answered.size());
      for (Payment payment : payments) deliver(tally, payment, attempts, failures, answered);

      long expected = (long) BUYERS_PER_REFERRER * PURCHASES_PER_BUYER * REWARD;
      List<String> balances = new ArrayList<>();
      int rewardEntries = 0;
      for (String referrer : referrers) {
        Referral referral = tally.accounts().getReferral(referrer);
        List<LedgerEntry> rewards = tally.accounts().ledger(referrer)
            .filter(entry -> entry.getType().equals("REWARD_EARNED")).toList();
        rewardEntries += rewards.size();
        balances.add(Credits.format(referral.getRewardBalance()));
        assertEquals(BUYERS_PER_REFERRER * PURCHASES_PER_BUYER, rewards.size(), referrer + ": one reward per purchase " + rewards);
        rewards.forEach(entry -> assertEquals(REWARD, entry.getAmount(), entry.toString()));
        assertEquals(expected, referral.getRewardBalance(), referrer + "'s reward balance");
        assertEquals(expected, referral.getRewardsEarned(), referrer + "'s rewards earned");
        assertEquals(BUYERS_PER_REFERRER, referral.getRewardingOrgs());
        assertEquals(0, tally.balance(referrer).getBalance().getAvailable(), "rewards are not spendable until transferred");
      }
      System.out.printf("referral failover: %d purchases of %d referred orgs of %d referrers, %d answered when a node was "
              + "killed, %d deliveries (%d failed, to be resent), %d rewards in the referrers' ledgers, reward balances %s "
              + "credits (expected %s each)%n",
          payments.size(), REFERRERS * BUYERS_PER_REFERRER, REFERRERS, answeredAtKill, attempts.get(), failures.get(),
          rewardEntries, balances, Credits.format(expected));
      assertTrue(answeredAtKill < payments.size(), "the node was killed while payments were still being delivered");
    } finally {
      notifier.shutdownNow();
    }
  }

  private static String createOrg(TallyClient tally, String orgId, String referralCode) {
    tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan("payg").setReferralCode(referralCode).build());
    return orgId;
  }

  /** One delivery of one payment notification; a failure is counted and left to a resend. */
  private static void deliver(TallyClient tally, Payment payment, AtomicInteger attempts, AtomicInteger failures,
      Map<String, Boolean> answered) {
    attempts.incrementAndGet();
    try {
      tally.accounts().purchasePackage(PurchasePackageRequest.newBuilder()
          .setOrgId(payment.buyer()).setPackageName("standard").setPaymentReference(payment.reference()).build());
      answered.put(payment.reference(), true);
    } catch (TallyException unavailable) {
      failures.incrementAndGet();
    }
  }

  private static String address(NodeProcess node) {
    return "127.0.0.1:" + node.grpcPort();
  }
}
