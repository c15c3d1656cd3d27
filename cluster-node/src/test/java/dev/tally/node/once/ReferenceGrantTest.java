package dev.tally.node.once;

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
import dev.tally.node.account.RequestOutcomeTable;
import dev.tally.node.account.Outcome;
import dev.tally.node.once.ReferenceEvent.GrantRequested;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
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
 * A reference grants to one org at most once: resent, reused, interrupted by a stop before or after
 * the org's grant. The orgs are real {@link OrgAccount} entities on the testkit's journal.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceGrantTest {

  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load());
  static final long AMOUNT = 1_000_000_000L;

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  final Clock clock = Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC);
  final AtomicInteger ids = new AtomicInteger();
  final Map<String, ActorRef<OrgAccount.Command>> orgs = new ConcurrentHashMap<>();
  /** Where the reference's grants go; a test swaps it to lose a grant or its answer. */
  final AtomicReference<OrgAccounts> route = new AtomicReference<>();

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

  /** The org's grants with credits left: each purchase must be there once. */
  List<Grant> grantsOf(String orgId) {
    Outcome.Done done = (Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join();
    return ((Outcome.Statement) done.result()).grants();
  }

  long availableOf(String orgId) {
    return ((Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join()).balance().available();
  }

  EventSourcedBehaviorTestKit<ReferenceGrant.Command, ReferenceEvent, ReferenceState> reference(String key) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        ReferenceGrant.create(ReferenceGrant.PURCHASE, key, (orgId, grant) -> route.get().execute(orgId, grant), clock));
  }

  static Claim claim(String orgId, long amount) {
    return new Claim(orgId, "standard", GrantKind.PURCHASE, amount, Duration.ofDays(365));
  }

  static Reply use(EventSourcedBehaviorTestKit<ReferenceGrant.Command, ReferenceEvent, ReferenceState> reference, Claim claim) {
    return reference.<Reply>runCommand(replyTo -> new Use(claim, null, replyTo)).reply();
  }

  @Test
  void aResentUseAnswersTheRecordedGrantAndGrantsNothing() {
    String orgId = newOrg();
    var reference = reference("pay-" + ids.incrementAndGet());
    Reply.Issued first = assertInstanceOf(Reply.Issued.class, use(reference, claim(orgId, AMOUNT)));
    var resend = reference.<Reply>runCommand(replyTo -> new Use(claim(orgId, AMOUNT), null, replyTo));

    Reply.Issued again = assertInstanceOf(Reply.Issued.class, resend.reply());
    assertFalse(first.replayed());
    assertTrue(again.replayed());
    assertEquals(first.grantId(), again.grantId());
    assertEquals(List.of(), resend.events(), "a resend persists nothing");
    assertEquals(1, grantsOf(orgId).stream().filter(grant -> grant.grantId().equals(first.grantId())).count());
    assertEquals(AMOUNT, availableOf(orgId));
    assertEquals(clock.instant().plus(Duration.ofDays(365)), first.expiresAt());
  }

  @Test
  void theReferenceUsedForAnotherOrgOrAmountIsRefusedAndGrantsNothingMore() {
    String orgId = newOrg();
    String otherOrg = newOrg();
    var reference = reference("pay-" + ids.incrementAndGet());
    use(reference, claim(orgId, AMOUNT));

    Reply.Reused otherAmount = assertInstanceOf(Reply.Reused.class, use(reference, claim(orgId, 2 * AMOUNT)));
    Reply.Reused otherBuyer = assertInstanceOf(Reply.Reused.class, use(reference, claim(otherOrg, AMOUNT)));
    assertEquals(claim(orgId, AMOUNT), otherAmount.recorded());
    assertEquals(orgId, otherBuyer.recorded().orgId());
    assertEquals(AMOUNT, availableOf(orgId));
    assertEquals(0, availableOf(otherOrg));
  }

  @Test
  void usesArrivingWhileTheGrantIsUnderWayAllGetItAndOnlyTheFirstIsNew() {
    String orgId = newOrg();
    CompletableFuture<Void> orgAnswers = new CompletableFuture<>();
    AtomicInteger sent = new AtomicInteger();
    route.set((org, grant) -> {
      sent.incrementAndGet();
      return orgAnswers.thenCompose(go -> toOrg(org, grant));
    });
    var reference = reference("pay-" + ids.incrementAndGet());
    List<TestProbe<Reply>> callers = List.of(testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    for (TestProbe<Reply> caller : callers) reference.runCommand(new Use(claim(orgId, AMOUNT), null, caller.ref()));
    orgAnswers.complete(null);

    List<Reply.Issued> answers = callers.stream().map(caller -> caller.expectMessageClass(Reply.Issued.class)).toList();
    assertEquals(1, answers.stream().filter(answer -> !answer.replayed()).count());
    assertEquals(1, sent.get(), "one grant sent to the org");
    assertEquals(AMOUNT, availableOf(orgId));
  }

  @Test
  void aStopBeforeTheGrantReachedTheOrgIsResumedOnRecoveryAndGrantsOnce() throws InterruptedException {
    String orgId = newOrg();
    route.set((org, grant) -> new CompletableFuture<>()); // the node dies before the grant leaves
    var reference = reference("pay-" + ids.incrementAndGet());
    TestProbe<Reply> caller = testKit.createTestProbe();
    var interrupted = reference.runCommand(new Use(claim(orgId, AMOUNT), null, caller.ref()));
    assertInstanceOf(GrantRequested.class, interrupted.events().get(0));
    assertEquals(0, availableOf(orgId));

    route.set(this::toOrg);
    reference.restart();

    Eventually.await("the interrupted grant completes", Duration.ofSeconds(10),
        () -> reference.getState() instanceof ReferenceState.Granted);
    assertEquals(AMOUNT, availableOf(orgId));
    assertTrue(assertInstanceOf(Reply.Issued.class, use(reference, claim(orgId, AMOUNT))).replayed());
    assertEquals(AMOUNT, availableOf(orgId));
  }

  @Test
  void aStopAfterTheOrgGrantedButBeforeItWasRecordedGrantsOnce() throws InterruptedException {
    String orgId = newOrg();
    route.set((org, grant) -> {
      toOrg(org, grant); // the grant lands; the answer is lost with the node
      return new CompletableFuture<>();
    });
    var reference = reference("pay-" + ids.incrementAndGet());
    reference.runCommand(new Use(claim(orgId, AMOUNT), null, testKit.<Reply>createTestProbe().ref()));
    Eventually.await("the org holds the grant", Duration.ofSeconds(10), () -> availableOf(orgId) == AMOUNT);

    route.set(this::toOrg);
    reference.restart();

    Reply.Issued resumed = assertInstanceOf(Reply.Issued.class, use(reference, claim(orgId, AMOUNT)));
    assertTrue(resumed.replayed(), "the use that started it was before the stop");
    assertEquals(AMOUNT, availableOf(orgId), "the resent grant was answered from the org's memory, not granted again");
    assertEquals(1, grantsOf(orgId).size());
  }

  @Test
  void aGrantTheOrgDidNotAnswerIsSentAgainByTheEntityItselfAndGrantsOnce() throws InterruptedException {
    String orgId = newOrg();
    AtomicInteger sent = new AtomicInteger();
    route.set((org, grant) -> sent.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("the org's node was lost"))
        : toOrg(org, grant));
    var reference = reference("pay-" + ids.incrementAndGet());

    assertInstanceOf(Reply.Pending.class, use(reference, claim(orgId, AMOUNT)));
    Eventually.await("the entity sends the grant again on its own", ReferenceGrant.RESUME_AFTER.multipliedBy(6),
        () -> reference.getState() instanceof ReferenceState.Granted);
    assertEquals(2, sent.get());
    assertEquals(AMOUNT, availableOf(orgId));
  }

  @Test
  void aBlockedFirstUsePersistsNothingButARecordedUseIsAnsweredWhateverTheBlock() {
    String orgId = newOrg();
    var reference = reference("pay-" + ids.incrementAndGet());
    var blocked = reference.<Reply>runCommand(replyTo -> new Use(claim(orgId, AMOUNT), "plan payg", replyTo));
    assertInstanceOf(Reply.Blocked.class, blocked.reply());
    assertEquals(List.of(), blocked.events());
    assertEquals(0, availableOf(orgId));

    use(reference, claim(orgId, AMOUNT));
    Reply resent = reference.<Reply>runCommand(replyTo -> new Use(claim(orgId, AMOUNT), "plan payg", replyTo)).reply();
    assertTrue(assertInstanceOf(Reply.Issued.class, resent).replayed());
  }

  @Test
  void anOrgsRefusalLeavesTheReferenceUnusedForALaterUse() {
    var reference = reference("pay-" + ids.incrementAndGet());
    Reply.Refused refused = assertInstanceOf(Reply.Refused.class, use(reference, claim("org-that-is-not", AMOUNT)));
    assertEquals(Outcome.Rejection.ORG_NOT_FOUND, refused.refusal().reason());
    assertInstanceOf(ReferenceState.Unused.class, reference.getState());

    String orgId = newOrg();
    assertFalse(assertInstanceOf(Reply.Issued.class, use(reference, claim(orgId, AMOUNT))).replayed());
    assertEquals(AMOUNT, availableOf(orgId));
  }

  @Test
  void everyReplySerializes() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    Claim claim = claim("acme", AMOUNT);
    List<Reply> replies = List.of(
        new Reply.Issued(claim, "purchase:p", clock.instant(), null, true),
        new Reply.Reused(claim),
        new Reply.Blocked("plan payg"),
        new Reply.Refused(new Outcome.Rejected(Outcome.Rejection.ACCOUNT_LIMIT, "full", Map.of("limit", "grants"))),
        new Reply.Pending("timeout"));
    for (Reply reply : replies) assertEquals(reply, serialization.verifySerialization(reply, true));
  }
}
