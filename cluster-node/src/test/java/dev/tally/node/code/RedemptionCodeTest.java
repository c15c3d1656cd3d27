package dev.tally.node.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.NodeSettings;
import dev.tally.node.account.AccountMetrics;
import dev.tally.node.account.Grant;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.RequestOutcomeTable;
import dev.tally.node.code.CodeEvent.RedemptionRequested;
import dev.tally.node.code.RedemptionCode.Redeem;
import dev.tally.node.code.RedemptionCode.Reply;
import dev.tally.testkit.Eventually;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
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
 * A redemption code grants each of its redemptions to one org, once: raced, resent, expired, voided,
 * interrupted by a stop. The orgs are real {@link OrgAccount} entities on the testkit's journal.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedemptionCodeTest {

  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load());
  static final long CREDITS = 1_000_000_000L;

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  final Clock clock = Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC);
  final AtomicInteger ids = new AtomicInteger();
  final Map<String, ActorRef<OrgAccount.Command>> orgs = new ConcurrentHashMap<>();
  /** Where the code's grants go; a test swaps it to lose a grant or its answer. */
  final AtomicReference<dev.tally.node.once.OrgAccounts> route = new AtomicReference<>();

  @BeforeEach
  void grantsReachTheOrgs() {
    route.set(this::toOrg);
  }

  CompletableFuture<Outcome> toOrg(String orgId, Operation grant) {
    ActorRef<OrgAccount.Command> org = orgs.get(orgId);
    if (org == null) return CompletableFuture.completedFuture(new Outcome.Rejected(Outcome.Rejection.ORG_NOT_FOUND, "no org", Map.of()));
    return execute(org, grant);
  }

  CompletableFuture<Outcome> execute(ActorRef<OrgAccount.Command> org, Operation operation) {
    return AskPattern.<OrgAccount.Command, OrgAccount.Outcomes>ask(org,
            replyTo -> new OrgAccount.Execute(List.of(operation), replyTo), Duration.ofSeconds(10), testKit.scheduler())
        .thenApply(outcomes -> outcomes.outcomes().get(0))
        .toCompletableFuture();
  }

  String newOrg() {
    String orgId = "org-" + ids.incrementAndGet();
    ActorRef<OrgAccount.Command> org = testKit.spawn(OrgAccount.create(orgId, NodeSettings.from(CONFIG).account(), clock,
        testKit.<org.apache.pekko.actor.typed.pubsub.Topic.Command<OrgAccount.AlertNotice>>createTestProbe().ref(),
        AccountMetrics.NONE, self -> {},
        // No org here remembers more requests than memory holds: the request table is never reached.
        new RequestOutcomeTable(() -> CompletableFuture.failedFuture(new IllegalStateException("this test has no Cassandra")), null)));
    orgs.put(orgId, org);
    assertInstanceOf(Outcome.Done.class, execute(org, new Operation.CreateOrg("create-" + orgId, orgId, orgId, "payg")).join());
    return orgId;
  }

  /** The org's grants with credits left: each redemption must be there once. */
  List<Grant> grantsOf(String orgId) {
    Outcome.Done done = (Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join();
    return ((Outcome.Statement) done.result()).grants();
  }

  long availableOf(String orgId) {
    return ((Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join()).balance().available();
  }

  EventSourcedBehaviorTestKit<RedemptionCode.Command, CodeEvent, CodeState> code(CodeTerms terms) {
    var code = EventSourcedBehaviorTestKit.<RedemptionCode.Command, CodeEvent, CodeState>create(testKit.system(),
        RedemptionCode.create("hash-" + ids.incrementAndGet(), (orgId, grant) -> route.get().execute(orgId, grant), clock));
    code.<Done>runCommand(replyTo -> new RedemptionCode.Define(terms, replyTo));
    return code;
  }

  static CodeTerms singleUse() {
    return new CodeTerms("batch-1", "launch", CREDITS, null, 1);
  }

  static Reply redeem(EventSourcedBehaviorTestKit<RedemptionCode.Command, CodeEvent, CodeState> code, String orgId) {
    return code.<Reply>runCommand(replyTo -> new Redeem(orgId, replyTo)).reply();
  }

  long redemptionGrants(String orgId) {
    return grantsOf(orgId).stream().filter(grant -> grant.kind() == GrantKind.REDEMPTION).count();
  }

  @Test
  void aSingleUseCodeGrantsToTheFirstOrgAndASecondOrgIsRefusedUsedUp() {
    String first = newOrg();
    String second = newOrg();
    var code = code(singleUse());

    Reply.Redeemed redeemed = assertInstanceOf(Reply.Redeemed.class, redeem(code, first));
    Reply.UsedUp refused = assertInstanceOf(Reply.UsedUp.class, redeem(code, second));

    assertFalse(redeemed.replayed());
    assertEquals(1, refused.maxRedemptions());
    assertEquals(CREDITS, availableOf(first));
    assertEquals(0, availableOf(second));
    assertEquals(1, redemptionGrants(first));
    assertEquals(0, redemptionGrants(second));
  }

  @Test
  void theSameOrgRedeemingAgainGetsItsRecordedRedemptionAndNothingMore() {
    String orgId = newOrg();
    var code = code(singleUse());
    Reply.Redeemed first = assertInstanceOf(Reply.Redeemed.class, redeem(code, orgId));
    var again = code.<Reply>runCommand(replyTo -> new Redeem(orgId, replyTo));

    Reply.Redeemed replayed = assertInstanceOf(Reply.Redeemed.class, again.reply());
    assertTrue(replayed.replayed());
    assertEquals(first.grantId(), replayed.grantId());
    assertEquals(List.of(), again.events(), "a resend persists nothing");
    assertEquals(CREDITS, availableOf(orgId));
  }

  @Test
  void orgsRacingForASingleUseCodeGetOneGrantBetweenThem() {
    List<String> racers = List.of(newOrg(), newOrg(), newOrg(), newOrg(), newOrg());
    CompletableFuture<Void> orgAnswers = new CompletableFuture<>();
    route.set((org, grant) -> orgAnswers.thenCompose(go -> toOrg(org, grant)));
    var code = code(singleUse());
    List<TestProbe<Reply>> callers = racers.stream().map(org -> testKit.<Reply>createTestProbe()).toList();
    for (int i = 0; i < racers.size(); i++) code.runCommand(new Redeem(racers.get(i), callers.get(i).ref()));
    orgAnswers.complete(null);

    List<Reply> answers = callers.stream().map(caller -> caller.receiveMessage(Duration.ofSeconds(10))).toList();
    assertEquals(1, answers.stream().filter(Reply.Redeemed.class::isInstance).count());
    assertEquals(racers.size() - 1, answers.stream().filter(Reply.UsedUp.class::isInstance).count());
    assertEquals(CREDITS, racers.stream().mapToLong(this::availableOf).sum());
    assertEquals(1, racers.stream().mapToLong(this::redemptionGrants).sum());
  }

  @Test
  void aCodeRedeemableTwiceGrantsTwoOrgsUnderTheirOwnGrantIdsThenIsUsedUp() {
    String first = newOrg();
    String second = newOrg();
    String third = newOrg();
    var code = code(new CodeTerms("batch-2", "twice", CREDITS, null, 2));

    Reply.Redeemed one = assertInstanceOf(Reply.Redeemed.class, redeem(code, first));
    Reply.Redeemed two = assertInstanceOf(Reply.Redeemed.class, redeem(code, second));
    assertInstanceOf(Reply.UsedUp.class, redeem(code, third));

    assertTrue(one.grantId().endsWith(":1") && two.grantId().endsWith(":2"), one.grantId() + " " + two.grantId());
    assertEquals(CREDITS, availableOf(first));
    assertEquals(CREDITS, availableOf(second));
    assertEquals(0, availableOf(third));
  }

  @Test
  void expiredVoidedAndUnknownCodesGrantNothing() {
    String orgId = newOrg();
    Instant yesterday = clock.instant().minus(Duration.ofDays(1));
    var expired = code(new CodeTerms("batch-3", "old", CREDITS, yesterday, 1));
    var voided = code(singleUse());
    voided.<Reply>runCommand(replyTo -> new RedemptionCode.VoidCode(replyTo));
    var unknown = EventSourcedBehaviorTestKit.<RedemptionCode.Command, CodeEvent, CodeState>create(testKit.system(),
        RedemptionCode.create("never-defined", (org, grant) -> route.get().execute(org, grant), clock));

    assertEquals(yesterday, assertInstanceOf(Reply.Expired.class, redeem(expired, orgId)).at());
    assertEquals(clock.instant(), assertInstanceOf(Reply.Voided.class, redeem(voided, orgId)).at());
    assertInstanceOf(Reply.Unknown.class, redeem(unknown, orgId));
    assertEquals(0, availableOf(orgId));
  }

  @Test
  void anOrgsRefusalFreesTheRedemptionForTheNextOrg() {
    String real = newOrg();
    var code = code(singleUse());

    Reply.Refused refused = assertInstanceOf(Reply.Refused.class, redeem(code, "no-such-org"));
    Reply.Redeemed redeemed = assertInstanceOf(Reply.Redeemed.class, redeem(code, real));

    assertEquals(Outcome.Rejection.ORG_NOT_FOUND, refused.refusal().reason());
    assertFalse(redeemed.replayed());
    assertEquals(CREDITS, availableOf(real));
  }

  @Test
  void aStopBeforeTheGrantReachedTheOrgIsResumedOnRecoveryAndGrantsOnce() throws InterruptedException {
    String orgId = newOrg();
    String latecomer = newOrg();
    route.set((org, grant) -> new CompletableFuture<>()); // the node dies before the grant leaves
    var code = code(singleUse());
    var interrupted = code.runCommand(new Redeem(orgId, testKit.<Reply>createTestProbe().ref()));
    assertInstanceOf(RedemptionRequested.class, interrupted.events().get(0));
    assertEquals(0, availableOf(orgId));

    route.set(this::toOrg);
    code.restart();

    Eventually.await("the interrupted redemption completes", Duration.ofSeconds(10),
        () -> code.getState().granting().isEmpty());
    assertEquals(CREDITS, availableOf(orgId));
    assertTrue(assertInstanceOf(Reply.Redeemed.class, redeem(code, orgId)).replayed());
    assertInstanceOf(Reply.UsedUp.class, redeem(code, latecomer));
    assertEquals(CREDITS, availableOf(orgId));
    assertEquals(1, redemptionGrants(orgId));
  }

  @Test
  void aStopAfterTheOrgGrantedButBeforeItWasRecordedGrantsOnce() throws InterruptedException {
    String orgId = newOrg();
    route.set((org, grant) -> {
      toOrg(org, grant); // the grant lands; the answer is lost with the node
      return new CompletableFuture<>();
    });
    var code = code(singleUse());
    code.runCommand(new Redeem(orgId, testKit.<Reply>createTestProbe().ref()));
    Eventually.await("the grant lands", Duration.ofSeconds(10), () -> availableOf(orgId) == CREDITS);

    route.set(this::toOrg);
    code.restart();

    Eventually.await("the redemption is recorded", Duration.ofSeconds(10), () -> code.getState().granting().isEmpty());
    assertTrue(assertInstanceOf(Reply.Redeemed.class, redeem(code, orgId)).replayed());
    assertEquals(CREDITS, availableOf(orgId));
    assertEquals(1, redemptionGrants(orgId));
  }
}
