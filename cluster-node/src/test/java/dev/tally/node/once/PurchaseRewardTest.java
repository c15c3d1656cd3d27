package dev.tally.node.once;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.NodeSettings;
import dev.tally.node.account.AccountMetrics;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.RequestOutcomeTable;
import dev.tally.node.once.ReferenceGrant.Reply;
import dev.tally.node.once.ReferenceGrant.Use;
import dev.tally.testkit.Eventually;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A referred org's purchase rewards its referrer exactly once: the notification sent three times,
 * the node stopped between the grant and the reward, the referrer not answering. The orgs are real
 * {@link OrgAccount} entities on the node's configured plans (payg: 10 % of a purchase).
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PurchaseRewardTest {

  static final Config CONFIG = ReferenceGrantTest.CONFIG;
  static final long AMOUNT = 1_000_000_000L; // 1,000 credits
  static final long REWARD = AMOUNT / 10; // payg's 10 %, within its caps

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  final Clock clock = Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC);
  final AtomicInteger ids = new AtomicInteger();
  final Map<String, ActorRef<OrgAccount.Command>> orgs = new ConcurrentHashMap<>();
  /** Where the reference's operations go; a test swaps it to lose one or its answer. */
  final AtomicReference<OrgAccounts> route = new AtomicReference<>();
  final AtomicInteger rewardsSent = new AtomicInteger();

  @BeforeEach
  void operationsReachTheOrgs() {
    route.set(this::toOrg);
    rewardsSent.set(0);
  }

  CompletableFuture<Outcome> toOrg(String orgId, Operation operation) {
    if (operation instanceof Operation.CreditReward) rewardsSent.incrementAndGet();
    ActorRef<OrgAccount.Command> org = orgs.get(orgId);
    if (org == null) return CompletableFuture.completedFuture(new Outcome.Rejected(Outcome.Rejection.ORG_NOT_FOUND, "no org", Map.of()));
    return AskPattern.<OrgAccount.Command, OrgAccount.Outcomes>ask(org,
            replyTo -> new OrgAccount.Execute(List.of(operation), replyTo), Duration.ofSeconds(10), testKit.scheduler())
        .thenApply(outcomes -> outcomes.outcomes().get(0))
        .toCompletableFuture();
  }

  /** A new org on payg, referred by {@code referrer} (null: by none). */
  String newOrg(String referrer) {
    String orgId = "org-" + ids.incrementAndGet();
    orgs.put(orgId, testKit.spawn(OrgAccount.create(orgId, NodeSettings.from(CONFIG).account(), clock,
        testKit.<org.apache.pekko.actor.typed.pubsub.Topic.Command<OrgAccount.AlertNotice>>createTestProbe().ref(),
        AccountMetrics.NONE, self -> {},
        new RequestOutcomeTable(() -> CompletableFuture.failedFuture(new IllegalStateException("this test has no Cassandra")), null))));
    assertInstanceOf(Outcome.Done.class, toOrg(orgId, new Operation.CreateOrg("create-" + orgId, orgId, orgId, "payg", referrer)).join());
    return orgId;
  }

  Outcome.ReferralView referralOf(String orgId) {
    return (Outcome.ReferralView) ((Outcome.Done) toOrg(orgId, new Operation.GetReferral("tr_unused")).join()).result();
  }

  long availableOf(String orgId) {
    return ((Outcome.Done) toOrg(orgId, new Operation.GetBalance()).join()).balance().available();
  }

  EventSourcedBehaviorTestKit<ReferenceGrant.Command, ReferenceEvent, ReferenceState> payment(String reference) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        ReferenceGrant.create(ReferenceGrant.PURCHASE, reference, (orgId, operation) -> route.get().execute(orgId, operation), clock));
  }

  static Claim purchase(String buyer, String referrer) {
    return new Claim(buyer, "standard", GrantKind.PURCHASE, AMOUNT, Duration.ofDays(365), referrer);
  }

  @Test
  void aPurchaseNotifiedThreeTimesRewardsTheReferrerOnce() throws InterruptedException {
    String referrer = newOrg(null);
    String buyer = newOrg(referrer);
    var payment = payment("pay-" + ids.incrementAndGet());

    List<Reply> replies = List.of(
        payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo)).reply(),
        payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo)).reply(),
        payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo)).reply());

    assertEquals(List.of(false, true, true), replies.stream().map(reply -> assertInstanceOf(Reply.Issued.class, reply).replayed()).toList());
    assertEquals(1, rewardsSent.get());
    assertEquals(REWARD, referralOf(referrer).balance());
    assertEquals(REWARD, referralOf(referrer).earned());
    assertEquals(0, availableOf(referrer), "not spendable until transferred");
    assertEquals(AMOUNT, availableOf(buyer));
    assertEquals(0, referralOf(buyer).balance(), "the buyer earns nothing from its own purchase");
  }

  @Test
  void notificationsArrivingWhileTheRewardIsUnderWayAllWaitForItAndRewardOnce() throws InterruptedException {
    String referrer = newOrg(null);
    String buyer = newOrg(referrer);
    CompletableFuture<Void> referrerAnswers = new CompletableFuture<>();
    route.set((org, operation) -> operation instanceof Operation.CreditReward
        ? referrerAnswers.thenCompose(go -> toOrg(org, operation))
        : toOrg(org, operation));
    var payment = payment("pay-" + ids.incrementAndGet());
    List<TestProbe<Reply>> callers = List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    for (TestProbe<Reply> caller : callers) payment.runCommand(new Use(purchase(buyer, referrer), null, caller.ref()));
    Eventually.await("the grant is issued and the reward is owed", Duration.ofSeconds(10),
        () -> payment.getState() instanceof ReferenceState.Rewarding);
    for (TestProbe<Reply> caller : callers) caller.expectNoMessage(Duration.ofMillis(100));
    referrerAnswers.complete(null);

    List<Reply.Issued> answers = callers.stream().map(caller -> caller.expectMessageClass(Reply.Issued.class)).toList();
    assertEquals(1, answers.stream().filter(answer -> !answer.replayed()).count());
    assertEquals(1, rewardsSent.get());
    assertEquals(REWARD, referralOf(referrer).balance());
  }

  @Test
  void aStopAfterTheGrantBeforeTheRewardLeftIsResumedOnRecoveryAndRewardsOnce() throws InterruptedException {
    String referrer = newOrg(null);
    String buyer = newOrg(referrer);
    route.set((org, operation) -> operation instanceof Operation.CreditReward
        ? new CompletableFuture<>() // the node dies before the reward leaves
        : toOrg(org, operation));
    var payment = payment("pay-" + ids.incrementAndGet());
    payment.runCommand(new Use(purchase(buyer, referrer), null, testKit.<Reply>createTestProbe().ref()));
    Eventually.await("the grant is issued", Duration.ofSeconds(10), () -> payment.getState() instanceof ReferenceState.Rewarding);
    assertEquals(0, referralOf(referrer).balance());

    route.set(this::toOrg);
    payment.restart();

    Eventually.await("the owed reward is credited", Duration.ofSeconds(10), () -> payment.getState() instanceof ReferenceState.Granted);
    assertEquals(REWARD, referralOf(referrer).balance());
    assertTrue(assertInstanceOf(Reply.Issued.class,
        payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo)).reply()).replayed());
    assertEquals(REWARD, referralOf(referrer).balance());
    assertEquals(AMOUNT, availableOf(buyer));
  }

  @Test
  void aStopAfterTheReferrerCreditedTheRewardButBeforeItWasRecordedRewardsOnce() throws InterruptedException {
    String referrer = newOrg(null);
    String buyer = newOrg(referrer);
    route.set((org, operation) -> {
      if (!(operation instanceof Operation.CreditReward)) return toOrg(org, operation);
      toOrg(org, operation); // the reward lands; the answer is lost with the node
      return new CompletableFuture<>();
    });
    var payment = payment("pay-" + ids.incrementAndGet());
    payment.runCommand(new Use(purchase(buyer, referrer), null, testKit.<Reply>createTestProbe().ref()));
    Eventually.await("the referrer holds the reward", Duration.ofSeconds(10), () -> referralOf(referrer).balance() == REWARD);

    route.set(this::toOrg);
    payment.restart();

    Reply.Issued resumed = assertInstanceOf(Reply.Issued.class,
        payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo)).reply());
    assertTrue(resumed.replayed());
    assertEquals(2, rewardsSent.get(), "sent again after the stop");
    assertEquals(REWARD, referralOf(referrer).balance(), "answered from the referrer's memory, not credited again");
  }

  @Test
  void aRewardTheReferrerDidNotAnswerIsSentAgainByTheEntityItselfAndRewardsOnce() throws InterruptedException {
    String referrer = newOrg(null);
    String buyer = newOrg(referrer);
    AtomicInteger rewardAttempts = new AtomicInteger();
    route.set((org, operation) -> operation instanceof Operation.CreditReward && rewardAttempts.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new TimeoutException("the referrer's node was lost"))
        : toOrg(org, operation));
    var payment = payment("pay-" + ids.incrementAndGet());

    assertInstanceOf(Reply.Pending.class,
        payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo)).reply());
    assertEquals(AMOUNT, availableOf(buyer), "the purchase is granted; only its reward is pending");
    Eventually.await("the entity sends the reward again on its own", ReferenceGrant.RESUME_AFTER.multipliedBy(6),
        () -> payment.getState() instanceof ReferenceState.Granted);
    assertEquals(2, rewardAttempts.get());
    assertEquals(REWARD, referralOf(referrer).balance());
  }

  @Test
  void signingUpAndOtherGrantsEarnNothingOnlyAPurchaseDoes() throws InterruptedException {
    String referrer = newOrg(null);
    String buyer = newOrg(referrer);
    assertInstanceOf(Outcome.Done.class, toOrg(buyer, new Operation.GrantCredits("promo", "promo", GrantKind.PROMOTION, AMOUNT,
        null, null, null)).join());
    assertEquals(0, referralOf(referrer).earned(), "a referred org's sign-up and an operator's grant earn nothing");
    assertEquals(0, rewardsSent.get());

    var payment = payment("pay-" + ids.incrementAndGet());
    payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, referrer), null, replyTo));
    assertEquals(REWARD, referralOf(referrer).earned());
  }

  @Test
  void aPurchaseOfAnOrgNobodyReferredRewardsNobody() throws InterruptedException {
    String buyer = newOrg(null);
    var payment = payment("pay-" + ids.incrementAndGet());
    var used = payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, null), null, replyTo));
    assertFalse(assertInstanceOf(Reply.Issued.class, used.reply()).replayed());
    assertInstanceOf(ReferenceState.Granted.class, payment.getState());
    assertEquals(0, rewardsSent.get());
  }

  @Test
  void aRewardTheReferrerRefusesIsRecordedAndThePurchaseStands() throws InterruptedException {
    String buyer = newOrg("org-that-is-not");
    var payment = payment("pay-" + ids.incrementAndGet());
    Reply reply = payment.<Reply>runCommand(replyTo -> new Use(purchase(buyer, "org-that-is-not"), null, replyTo)).reply();
    assertInstanceOf(Reply.Issued.class, reply);
    assertInstanceOf(ReferenceState.Granted.class, payment.getState());
    assertEquals(AMOUNT, availableOf(buyer));
    assertEquals(1, rewardsSent.get(), "a refusal is final: not sent again");
  }
}
