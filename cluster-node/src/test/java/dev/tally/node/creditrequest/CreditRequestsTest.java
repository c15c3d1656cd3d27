package dev.tally.node.creditrequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import dev.tally.node.creditrequest.CreditRequest.PeriodUsage;
import dev.tally.node.creditrequest.CreditRequest.Status;
import dev.tally.node.creditrequest.CreditRequests.Reply;
import dev.tally.node.once.OrgAccounts;
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
 * An org's credit requests: filed past the threshold only, decided once, and an approval grants once
 * however often it is sent and wherever a stop interrupts it. The orgs are real {@link OrgAccount}
 * entities on the testkit's journal; the operators' listing is kept in a map here.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreditRequestsTest {

  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load());
  /** What each org here is granted: 100 credits, its alert base (payg has no allocation). */
  static final long GRANTED = 100_000_000L;
  static final long ASKED = 50_000_000L;

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  final Clock clock = Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC);
  final AtomicInteger ids = new AtomicInteger();
  final Map<String, ActorRef<OrgAccount.Command>> orgs = new ConcurrentHashMap<>();
  /** Where the approvals' grants go; a test swaps it to lose a grant or its answer. */
  final AtomicReference<OrgAccounts> route = new AtomicReference<>();
  /** The operators' listing: the last row written for each org and number. */
  final Map<String, CreditRequest> rows = new ConcurrentHashMap<>();
  /** A test swaps it to lose the listing's writes. */
  final AtomicReference<CreditRequests.Listing> listing = new AtomicReference<>();

  @BeforeEach
  void grantsReachTheOrgsAndRowsTheListing() {
    route.set(this::toOrg);
    listing.set(this::keepRow);
  }

  CompletableFuture<Outcome> toOrg(String orgId, Operation grant) {
    ActorRef<OrgAccount.Command> org = orgs.get(orgId);
    if (org == null) return CompletableFuture.completedFuture(new Outcome.Rejected(Outcome.Rejection.ORG_NOT_FOUND, "no org", Map.of()));
    return execute(org, grant);
  }

  CompletableFuture<Done> keepRow(String orgId, CreditRequest request) {
    rows.put(orgId + "/" + request.number(), request);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  CompletableFuture<Outcome> execute(ActorRef<OrgAccount.Command> org, Operation operation) {
    return AskPattern.<OrgAccount.Command, OrgAccount.Outcomes>ask(org,
            replyTo -> new OrgAccount.Execute(List.of(operation), replyTo), Duration.ofSeconds(10), testKit.scheduler())
        .thenApply(outcomes -> outcomes.outcomes().get(0))
        .toCompletableFuture();
  }

  /** A payg org granted {@link #GRANTED} that has used {@code usedPercent} % of it this period. */
  String orgThatUsed(int usedPercent) {
    String orgId = "org-" + ids.incrementAndGet();
    ActorRef<OrgAccount.Command> org = testKit.spawn(OrgAccount.create(orgId, NodeSettings.from(CONFIG).account(), clock,
        testKit.<org.apache.pekko.actor.typed.pubsub.Topic.Command<OrgAccount.AlertNotice>>createTestProbe().ref(),
        AccountMetrics.NONE, self -> {},
        new RequestOutcomeTable(() -> CompletableFuture.failedFuture(new IllegalStateException("this test has no Cassandra")), null)));
    orgs.put(orgId, org);
    assertInstanceOf(Outcome.Done.class, execute(org, new Operation.CreateOrg("create", orgId, orgId, "payg")).join());
    assertInstanceOf(Outcome.Done.class, execute(org, new Operation.GrantCredits(
        "grant", "bought", GrantKind.PURCHASE, GRANTED, null, null, null)).join());
    if (usedPercent > 0) {
      assertInstanceOf(Outcome.Done.class, execute(org, new Operation.Charge(
          "charge", GRANTED / 100 * usedPercent, null, dev.tally.node.account.Labels.NONE)).join());
    }
    return orgId;
  }

  List<Grant> promotionsOf(String orgId) {
    Outcome.Done done = (Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join();
    return ((Outcome.Statement) done.result()).grants().stream().filter(g -> g.kind() == GrantKind.PROMOTION).toList();
  }

  long availableOf(String orgId) {
    return ((Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join()).balance().available();
  }

  EventSourcedBehaviorTestKit<CreditRequests.Command, CreditRequestEvent, OrgCreditRequests> requestsOf(String orgId) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), CreditRequests.create(orgId,
        (org, grant) -> route.get().execute(org, grant), (org, request) -> listing.get().write(org, request), clock,
        Duration.ofHours(24)));
  }

  /** Files as the API does: measured against the org's period as its account reports it now. */
  Reply file(EventSourcedBehaviorTestKit<CreditRequests.Command, CreditRequestEvent, OrgCreditRequests> requests,
      String orgId, String requestId, long amount) {
    Outcome.Done done = (Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join();
    dev.tally.node.account.Period period = ((Outcome.Statement) done.result()).period();
    return requests.<Reply>runCommand(replyTo -> CreditRequests.filing(requestId, amount, "a launch week", period, replyTo)).reply();
  }

  static Reply decide(EventSourcedBehaviorTestKit<CreditRequests.Command, CreditRequestEvent, OrgCreditRequests> requests,
      long number, boolean approve) {
    return requests.<Reply>runCommand(replyTo -> new CreditRequests.Decide(number, approve, "ok", replyTo)).reply();
  }

  /** The operators' listing shows request {@code number} of the org in {@code status}: rows are written after the events. */
  void awaitRow(String orgId, long number, Status status) {
    try {
      Eventually.await("request " + number + " listed " + status, Duration.ofSeconds(10), () -> {
        CreditRequest row = rows.get(orgId + "/" + number);
        return row != null && row.status() == status;
      });
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRequestIsFiledPastTheThresholdThenApprovedWithAPromotionGrantAndTheOrgSeesItsOutcome() {
    String orgId = orgThatUsed(85);
    var requests = requestsOf(orgId);

    Reply.Filed filed = assertInstanceOf(Reply.Filed.class, file(requests, orgId, "ask-1", ASKED));
    // Filed before the approval: the promotion raises the alert base of an org without an allocation.
    Reply.Filed second = assertInstanceOf(Reply.Filed.class, file(requests, orgId, "ask-2", ASKED));
    assertEquals(Status.OPEN, filed.request().status());
    assertEquals(new PeriodUsage(85_000_000L, GRANTED), filed.request().usage());
    awaitRow(orgId, 1, Status.OPEN);
    long before = availableOf(orgId);

    Reply.Decided approved = assertInstanceOf(Reply.Decided.class, decide(requests, 1, true));
    assertEquals(Status.APPROVED, approved.request().status());
    assertFalse(approved.replayed());
    assertEquals(before + ASKED, availableOf(orgId));
    List<Grant> promotions = promotionsOf(orgId);
    assertEquals(1, promotions.size());
    assertEquals("credit-request:1", promotions.get(0).grantId());
    assertEquals(ASKED, promotions.get(0).amount());
    awaitRow(orgId, 1, Status.APPROVED);

    Reply.Decided denied = assertInstanceOf(Reply.Decided.class, decide(requests, second.request().number(), false));
    assertEquals(Status.DENIED, denied.request().status());
    assertEquals("ok", denied.request().note());
    assertEquals(before + ASKED, availableOf(orgId), "a denial grants nothing");

    Reply.Listed listed = assertInstanceOf(Reply.Listed.class,
        requests.<Reply>runCommand(replyTo -> new CreditRequests.ListRequests(null, 0, 10, replyTo)).reply());
    assertEquals(List.of(Status.DENIED, Status.APPROVED), listed.page().requests().stream().map(CreditRequest::status).toList());
    assertTrue(requests.getState().granting().isEmpty());
  }

  @Test
  void aRequestBeforeTheThresholdIsRefusedAndFilesNothing() {
    String orgId = orgThatUsed(79);
    var requests = requestsOf(orgId);
    Outcome.Done done = (Outcome.Done) execute(orgs.get(orgId), new Operation.GetBalance()).join();
    dev.tally.node.account.Period period = ((Outcome.Statement) done.result()).period();
    var refused = requests.<Reply>runCommand(replyTo -> CreditRequests.filing("early", ASKED, "more please", period, replyTo));

    Reply.BelowThreshold below = assertInstanceOf(Reply.BelowThreshold.class, refused.reply());
    assertEquals(new PeriodUsage(79_000_000L, GRANTED), below.usage());
    assertEquals(CreditRequests.USAGE_PERCENT, below.percent());
    assertEquals(List.of(), refused.events());
    assertTrue(rows.keySet().stream().noneMatch(key -> key.startsWith(orgId + "/")));
  }

  @Test
  void aSecondApprovalAnswersTheFirstAndGrantsNothingMore() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    long before = availableOf(orgId);
    decide(requests, 1, true);

    var again = requests.<Reply>runCommand(replyTo -> new CreditRequests.Decide(1, true, "twice", replyTo));
    Reply.Decided replayed = assertInstanceOf(Reply.Decided.class, again.reply());
    assertTrue(replayed.replayed());
    assertEquals("ok", replayed.request().note(), "the first decision stands");
    assertEquals(List.of(), again.events());
    assertEquals(before + ASKED, availableOf(orgId));
    assertEquals(1, promotionsOf(orgId).size());
    assertInstanceOf(Reply.AlreadyDecided.class, decide(requests, 1, false));
  }

  @Test
  void approvalsArrivingWhileTheGrantIsUnderWayAllGetItAndOneGrantIsSent() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    long before = availableOf(orgId);
    CompletableFuture<Void> orgAnswers = new CompletableFuture<>();
    AtomicInteger sent = new AtomicInteger();
    route.set((org, grant) -> {
      if (grant instanceof Operation.GrantCredits) sent.incrementAndGet();
      return orgAnswers.thenCompose(go -> toOrg(org, grant));
    });
    List<TestProbe<Reply>> operators = List.of(testKit.createTestProbe(), testKit.createTestProbe());
    for (TestProbe<Reply> operator : operators) requests.runCommand(new CreditRequests.Decide(1, true, "ok", operator.ref()));
    orgAnswers.complete(null);

    List<Reply.Decided> answers = operators.stream().map(operator -> operator.expectMessageClass(Reply.Decided.class)).toList();
    assertEquals(1, answers.stream().filter(answer -> !answer.replayed()).count());
    assertEquals(1, sent.get(), "one grant sent to the org");
    assertEquals(before + ASKED, availableOf(orgId));
  }

  @Test
  void aStopBetweenTheApprovalAndItsGrantIsResumedOnRecoveryAndGrantsOnce() throws InterruptedException {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    long before = availableOf(orgId);
    route.set((org, grant) -> new CompletableFuture<>()); // the node dies before the grant leaves
    requests.runCommand(new CreditRequests.Decide(1, true, "ok", testKit.<Reply>createTestProbe().ref()));
    assertEquals(Status.GRANTING, requests.getState().numbered(1).orElseThrow().status());
    assertEquals(before, availableOf(orgId));

    route.set(this::toOrg);
    requests.restart();

    Eventually.await("the interrupted grant completes", Duration.ofSeconds(10),
        () -> requests.getState().numbered(1).orElseThrow().status() == Status.APPROVED);
    assertEquals(before + ASKED, availableOf(orgId));
    assertTrue(assertInstanceOf(Reply.Decided.class, decide(requests, 1, true)).replayed());
    assertEquals(1, promotionsOf(orgId).size());
  }

  @Test
  void aStopAfterTheOrgGrantedButBeforeItWasRecordedGrantsOnce() throws InterruptedException {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    long before = availableOf(orgId);
    route.set((org, grant) -> {
      toOrg(org, grant); // the grant lands; the answer is lost with the node
      return new CompletableFuture<>();
    });
    requests.runCommand(new CreditRequests.Decide(1, true, "ok", testKit.<Reply>createTestProbe().ref()));
    Eventually.await("the org holds the grant", Duration.ofSeconds(10), () -> availableOf(orgId) == before + ASKED);

    route.set(this::toOrg);
    requests.restart();

    Reply.Decided resumed = assertInstanceOf(Reply.Decided.class, decide(requests, 1, true));
    assertEquals(Status.APPROVED, resumed.request().status());
    assertEquals(before + ASKED, availableOf(orgId), "the resent grant was answered from the org's memory, not granted again");
    assertEquals(1, promotionsOf(orgId).size());
  }

  /** What the org's memory answers for the record of request {@code number}'s decision sent as {@code record}. */
  Outcome recordOf(String orgId, Operation.RecordCreditRequestDecided record) {
    return execute(orgs.get(orgId), record).join();
  }

  @Test
  void aDecisionIsRecordedInTheOrgsJournalBeforeTheDeciderIsAnswered() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask-1", ASKED);
    file(requests, orgId, "ask-2", ASKED);
    List<Operation> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    route.set((org, operation) -> {
      sent.add(operation);
      return toOrg(org, operation);
    });
    assertInstanceOf(Reply.Decided.class, decide(requests, 1, true));
    assertInstanceOf(Reply.Decided.class, decide(requests, 2, false));
    assertEquals(List.of(
            new Operation.RecordCreditRequestDecided(1, true, ASKED, "credit-request:1"),
            new Operation.RecordCreditRequestDecided(2, false, ASKED, null)),
        sent.stream().filter(Operation.RecordCreditRequestDecided.class::isInstance).toList(),
        "the approval told once its grant was given, the denial at once");
    // The org holds both records: the same content is answered from its memory, other content refused as a reuse.
    Outcome.Done approved = assertInstanceOf(Outcome.Done.class,
        recordOf(orgId, new Operation.RecordCreditRequestDecided(1, true, ASKED, "credit-request:1")));
    assertInstanceOf(Outcome.Recorded.class, approved.result());
    assertEquals(Outcome.Rejection.IDEMPOTENCY_MISMATCH, assertInstanceOf(Outcome.Rejected.class,
        recordOf(orgId, new Operation.RecordCreditRequestDecided(2, true, ASKED, "credit-request:2"))).reason());
  }

  @Test
  void aDenialTheOrgWasNotToldOfIsToldWhenTheOperatorDecidesAgain() throws InterruptedException {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    route.set((org, operation) -> new CompletableFuture<>()); // the node dies before the record leaves
    TestProbe<Reply> operator = testKit.createTestProbe();
    requests.runCommand(new CreditRequests.Decide(1, false, "no", operator.ref()));
    assertEquals(Status.DENIED, requests.getState().numbered(1).orElseThrow().status());
    operator.expectNoMessage(Duration.ofMillis(200)); // not answered: the org has not recorded it

    route.set(this::toOrg);
    requests.restart();
    Reply.Decided again = assertInstanceOf(Reply.Decided.class, decide(requests, 1, false));
    assertTrue(again.replayed());
    Outcome.Done recorded = assertInstanceOf(Outcome.Done.class,
        recordOf(orgId, new Operation.RecordCreditRequestDecided(1, false, ASKED, null)));
    assertInstanceOf(Outcome.Recorded.class, recorded.result(), "the retry had the org record it");
  }

  @Test
  void anOrgThatDoesNotAnswerTheRecordLeavesTheDeciderPendingAndIsToldAgain() throws InterruptedException {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    AtomicInteger records = new AtomicInteger();
    route.set((org, operation) -> {
      if (!(operation instanceof Operation.RecordCreditRequestDecided)) return toOrg(org, operation);
      return records.incrementAndGet() == 1
          ? CompletableFuture.completedFuture(new Outcome.Unavailable("the org's journal is away"))
          : toOrg(org, operation);
    });
    assertInstanceOf(Reply.Pending.class, decide(requests, 1, false));
    Eventually.await("the record is sent again", Duration.ofSeconds(15), () -> records.get() >= 2);
    assertInstanceOf(Outcome.Recorded.class, ((Outcome.Done) recordOf(orgId,
        new Operation.RecordCreditRequestDecided(1, false, ASKED, null))).result());
  }

  @Test
  void anOrgMayHaveThreeRequestsOpenAndFilesAgainOnceOneIsDecided() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    for (int i = 1; i <= OrgCreditRequests.MAX_OPEN; i++) assertInstanceOf(Reply.Filed.class, file(requests, orgId, "ask-" + i, ASKED));

    assertEquals(OrgCreditRequests.MAX_OPEN,
        assertInstanceOf(Reply.TooManyOpen.class, file(requests, orgId, "one-more", ASKED)).max());
    decide(requests, 2, false);
    assertEquals(OrgCreditRequests.MAX_OPEN + 1,
        assertInstanceOf(Reply.Filed.class, file(requests, orgId, "one-more", ASKED)).request().number());
  }

  @Test
  void aResentFilingAnswersTheFiledRequestAndARequestIdReusedForAnotherIsRefused() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    Reply.Filed first = assertInstanceOf(Reply.Filed.class, file(requests, orgId, "ask", ASKED));

    Reply.Filed resent = assertInstanceOf(Reply.Filed.class, file(requests, orgId, "ask", ASKED));
    assertTrue(resent.replayed());
    assertEquals(first.request(), resent.request());
    assertEquals(1, assertInstanceOf(Reply.RequestIdReused.class, file(requests, orgId, "ask", 2 * ASKED)).recorded().number());
    assertEquals(1, requests.getState().requests().size());
  }

  @Test
  void anOrgsRefusalOfTheGrantLeavesTheRequestOpen() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    route.set((org, grant) -> CompletableFuture.completedFuture(
        new Outcome.Rejected(Outcome.Rejection.ACCOUNT_LIMIT, "full", Map.of("limit", "grants"))));

    Reply.Refused refused = assertInstanceOf(Reply.Refused.class, decide(requests, 1, true));
    assertEquals(Outcome.Rejection.ACCOUNT_LIMIT, refused.refusal().reason());
    CreditRequest reopened = requests.getState().numbered(1).orElseThrow();
    assertEquals(Status.OPEN, reopened.status());
    assertNull(reopened.decidedAt());
    awaitRow(orgId, 1, Status.OPEN);
    assertTrue(promotionsOf(orgId).isEmpty());
  }

  @Test
  void anUnknownNumberIsNotFound() {
    var requests = requestsOf(orgThatUsed(90));
    assertEquals(7, assertInstanceOf(Reply.NotFound.class, decide(requests, 7, true)).number());
  }

  @Test
  void aListingRowLostBetweenTheEventAndItsWriteIsRewrittenWhenTheEntityStarts() {
    String orgId = orgThatUsed(90);
    var requests = requestsOf(orgId);
    file(requests, orgId, "ask", ASKED);
    listing.set((org, request) -> new CompletableFuture<>()); // the node dies before the row is written
    decide(requests, 1, false);
    assertEquals(Status.OPEN, rows.get(orgId + "/1").status(), "the listing trails the decision");

    listing.set(this::keepRow);
    requests.restart();

    awaitRow(orgId, 1, Status.DENIED);
  }

  @Test
  void anOrgKeepsItsLastHundredRequestsAndNeverReusesANumber() {
    OrgCreditRequests state = OrgCreditRequests.NONE;
    Instant at = clock.instant();
    for (long n = 1; n <= OrgCreditRequests.MAX_KEPT + 5; n++) {
      state = state.apply(new CreditRequestEvent.Filed(new CreditRequest(
          n, "r" + n, ASKED, "why", new PeriodUsage(1, 1), at, Status.OPEN, null, "")));
      state = state.apply(new CreditRequestEvent.Denied(n, "no", at));
    }
    assertEquals(OrgCreditRequests.MAX_KEPT, state.requests().size());
    assertEquals(6, state.requests().get(0).number());
    assertEquals(OrgCreditRequests.MAX_KEPT + 5, state.lastNumber());
  }

  @Test
  void everyReplySerializes() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    CreditRequest request = new CreditRequest(
        1, "ask", ASKED, "why", new PeriodUsage(85, 100), clock.instant(), Status.APPROVED, clock.instant(), "ok");
    List<Reply> replies = List.of(
        new Reply.Filed(request, false),
        new Reply.Decided(request, true),
        new Reply.Listed(new OrgCreditRequests.Page(List.of(request), true)),
        new Reply.BelowThreshold(new PeriodUsage(1, 100), 80),
        new Reply.TooManyOpen(3),
        new Reply.RequestIdReused(request),
        new Reply.NotFound(9),
        new Reply.AlreadyDecided(request),
        new Reply.Refused(new Outcome.Rejected(Outcome.Rejection.ACCOUNT_LIMIT, "full", Map.of("limit", "grants"))),
        new Reply.Pending("timeout"));
    for (Reply reply : replies) assertEquals(reply, serialization.verifySerialization(reply, true));
  }
}
