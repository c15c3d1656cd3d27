package dev.tally.node.groupcommit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgAccount.Execute;
import dev.tally.node.account.OrgAccount.Outcomes;
import dev.tally.node.account.Outcome;
import dev.tally.testkit.Eventually;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Group commit on the node: an idle org's operation goes to its entity at once, and what arrives
 * while that batch is out goes next, together, in arrival order. The entity here is a probe that
 * answers when the test says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrgBatcherTest {

  final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      """).withFallback(ConfigFactory.load()));
  final TestProbe<OrgAccount.Command> entity = testKit.createTestProbe();
  OrgBatcher batcher;

  @BeforeAll
  void startSharding() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    ClusterSharding sharding = ClusterSharding.get(testKit.system());
    sharding.init(Entity.of(OrgAccount.ENTITY_TYPE, context -> Behaviors.receiveMessage(command -> {
      entity.getRef().tell(command);
      return Behaviors.same();
    })));
    batcher = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 100));
  }

  /** A batcher of its own in front of the probe entity, with these limits. */
  private OrgBatcher batcher(OrgBatcher.Limits limits) {
    return batcher(limits, Duration.ofSeconds(30));
  }

  /** No probe goes behind a batch before it times out: the probe entity here answers only when told. */
  private OrgBatcher batcher(OrgBatcher.Limits limits, Duration entityTimeout) {
    return batcher(limits, entityTimeout, entityTimeout);
  }

  private OrgBatcher batcher(OrgBatcher.Limits limits, Duration entityTimeout, Duration probeAfter) {
    return batcher(limits, entityTimeout, probeAfter, new SimpleMeterRegistry());
  }

  /** A batcher whose metrics the test reads. */
  private OrgBatcher batcher(OrgBatcher.Limits limits, Duration entityTimeout, Duration probeAfter, SimpleMeterRegistry registry) {
    return new OrgBatcher(ClusterSharding.get(testKit.system()), testKit.system().scheduler(), entityTimeout, probeAfter,
        limits, registry, testKit.system().executionContext());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void operationsArrivingWhileABatchIsOutLeaveTogetherAsTheNextBatch() {
    CompletableFuture<Outcome> first = batcher.submit("acme", charge(0));
    Execute firstBatch = entity.expectMessageClass(Execute.class);
    assertEquals(1, firstBatch.operations().size(), "an idle org's operation leaves at once, alone");

    List<CompletableFuture<Outcome>> waiting = new ArrayList<>();
    for (int i = 1; i <= 10; i++) waiting.add(batcher.submit("acme", charge(i)));
    assertFalse(waiting.get(0).isDone());

    firstBatch.replyTo().tell(answers(firstBatch));
    Execute secondBatch = entity.expectMessageClass(Execute.class);
    assertEquals(10, secondBatch.operations().size());
    for (int i = 0; i < 10; i++) assertEquals(charge(i + 1), secondBatch.operations().get(i));

    secondBatch.replyTo().tell(answers(secondBatch));
    assertEquals("op-0", rejectionOf(first.join()));
    for (int i = 0; i < 10; i++) assertEquals("op-" + (i + 1), rejectionOf(waiting.get(i).join()));
  }

  @Test
  void anOperationQueuedBehindItsOrgsBatchInFlightIsTimedFromArrivalAndEachAnsweredBatchFromLeaving() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OrgBatcher own = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 100), Duration.ofSeconds(30), Duration.ofSeconds(30), registry);
    CompletableFuture<Outcome> first = own.submit("timed-org", charge(0));
    Execute firstBatch = entity.expectMessageClass(Execute.class);
    CompletableFuture<Outcome> second = own.submit("timed-org", charge(1));
    // The first batch's journal write, say: for 200 ms nothing more leaves for the org while that batch is out.
    entity.expectNoMessage(Duration.ofMillis(200));
    firstBatch.replyTo().tell(answers(firstBatch));
    Execute secondBatch = entity.expectMessageClass(Execute.class);
    secondBatch.replyTo().tell(answers(secondBatch));
    first.join();
    second.join();

    Timer queued = registry.timer("tally.group.commit.queued");
    assertEquals(2, queued.count(), "each operation once");
    assertTrue(queued.max(TimeUnit.MILLISECONDS) >= 200, "the second waited out the first batch: " + queued.max(TimeUnit.MILLISECONDS));
    Timer answered = registry.timer("tally.group.commit.answered");
    assertEquals(2, answered.count(), "each batch once");
    assertTrue(answered.max(TimeUnit.MILLISECONDS) >= 200, "the first batch was out for 200 ms: " + answered.max(TimeUnit.MILLISECONDS));
  }

  @Test
  void eachOrgHasItsOwnBatches() {
    batcher.submit("org-a", charge(0));
    batcher.submit("org-b", charge(1));
    Execute one = entity.expectMessageClass(Execute.class);
    Execute other = entity.expectMessageClass(Execute.class);
    assertEquals(1, one.operations().size());
    assertEquals(1, other.operations().size());
    one.replyTo().tell(answers(one));
    other.replyTo().tell(answers(other));
  }

  @Test
  void aFullQueueStillTakesCommitsAndReleasesButNothingNew() {
    OrgBatcher small = batcher(new OrgBatcher.Limits(100, 2, 100_000, 100));
    small.submit("busy", charge(0));
    Execute inFlight = entity.expectMessageClass(Execute.class);
    small.submit("busy", charge(1));
    small.submit("busy", charge(2));

    CompletableFuture<Outcome> refused = small.submit("busy", charge(3));
    CompletableFuture<Outcome> commit = small.submit("busy", new Operation.Commit("commit-1", "rsv-1", 1, null));
    CompletableFuture<Outcome> release = small.submit("busy", new Operation.Release("release-1", "rsv-2"));
    CompletableFuture<Outcome> beyondTwice = small.submit("busy", new Operation.Release("release-2", "rsv-3"));

    assertTrue(refused.isCompletedExceptionally(), "a new charge is refused once the queue is full");
    assertFalse(commit.isDone(), "a commit still gets in");
    assertFalse(release.isDone(), "a release still gets in");
    assertTrue(beyondTwice.isCompletedExceptionally(), "even those are refused at twice the limit");
    inFlight.replyTo().tell(answers(inFlight));
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of("op-1", "op-2", "commit-1", "release-1"),
        next.operations().stream().map(op -> ((Operation.Requested) op).requestId()).toList());
    next.replyTo().tell(answers(next));
  }

  @Test
  void anOperationWhoseCallerWentAwayWhileItWaitedIsNotSent() throws Exception {
    CompletableFuture<Outcome> first = batcher.submit("gone", charge(0));
    Execute inFlight = entity.expectMessageClass(Execute.class);
    Context.CancellableContext call = Context.current().withCancellation();
    CompletableFuture<Outcome> abandoned = call.call(() -> batcher.submit("gone", charge(1)));
    CompletableFuture<Outcome> waiting = batcher.submit("gone", charge(2));
    call.cancel(null); // what gRPC does when the call's deadline passes or its client cancels

    inFlight.replyTo().tell(answers(inFlight));
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(2)), next.operations(), "only the operation whose caller still waits");
    StatusRuntimeException dropped = assertThrows(StatusRuntimeException.class, () -> {
      try {
        abandoned.join();
      } catch (CompletionException e) {
        throw e.getCause();
      }
    });
    assertEquals(Status.Code.CANCELLED, dropped.getStatus().getCode());
    next.replyTo().tell(answers(next));
    assertEquals("op-0", rejectionOf(first.join()));
    assertEquals("op-2", rejectionOf(waiting.join()));
  }

  @Test
  void whenEveryWaitingCallerWentAwayNothingIsSentAndTheOrgGoesIdle() throws Exception {
    batcher.submit("all-gone", charge(0));
    Execute inFlight = entity.expectMessageClass(Execute.class);
    Context.CancellableContext call = Context.current().withCancellation();
    CompletableFuture<Outcome> abandoned = call.call(() -> batcher.submit("all-gone", charge(1)));
    call.cancel(null);

    inFlight.replyTo().tell(answers(inFlight));
    assertThrows(CompletionException.class, abandoned::join);
    entity.expectNoMessage(Duration.ofMillis(200));
    batcher.submit("all-gone", charge(2));
    assertEquals(List.of(charge(2)), entity.expectMessageClass(Execute.class).operations(),
        "the org's next operation leaves at once, alone");
  }

  @Test
  void batchesOutWhenANodeIsLostFailAsTimedOutAndTheOrgsNextBatchLeavesAtOnce() {
    OrgBatcher own = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 100));
    CompletableFuture<Outcome> sentToTheLostNode = own.submit("on-lost-node", charge(0));
    entity.expectMessageClass(Execute.class); // never answered, like a batch its dead node received
    CompletableFuture<Outcome> queued = own.submit("on-lost-node", charge(1));

    own.nodeLost("pekko://tally@127.0.0.1:25599");

    CompletionException lost = assertThrows(CompletionException.class, sentToTheLostNode::join);
    assertInstanceOf(OrgBatcher.NodeLost.class, lost.getCause());
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(1)), next.operations(), "the org's next batch leaves without waiting out the timeout");
    assertFalse(queued.isDone(), "a batch sent after the loss waits for its own answer");
    next.replyTo().tell(answers(next));
    assertEquals("op-1", rejectionOf(queued.join()));
  }

  @Test
  void aBatchThatCameBackUndeliveredFailsAtOnceAndTheOrgsNextBatchLeaves() {
    OrgBatcher own = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 100));
    CompletableFuture<Outcome> undelivered = own.submit("moving-org", charge(0));
    entity.expectMessageClass(Execute.class); // a dead letter in the node, as when its node had just been removed
    CompletableFuture<Outcome> queued = own.submit("moving-org", charge(1));
    CompletableFuture<Outcome> otherOrg = own.submit("staying-org", charge(2));
    Execute otherBatch = entity.expectMessageClass(Execute.class);

    own.undelivered("moving-org");

    CompletionException lost = assertThrows(CompletionException.class, undelivered::join);
    assertInstanceOf(OrgBatcher.NodeLost.class, lost.getCause());
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(1)), next.operations());
    assertFalse(otherOrg.isDone(), "another org's batch is not touched");
    next.replyTo().tell(answers(next));
    otherBatch.replyTo().tell(answers(otherBatch));
    assertEquals("op-1", rejectionOf(queued.join()));
    assertEquals("op-2", rejectionOf(otherOrg.join()));
  }

  @Test
  void aTimedOutBatchKeepsItsOrgsSlotUntilTheEntityAnswersAProbeAndNothingMoreIsSentMeanwhile() {
    OrgBatcher oneSlot = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 1), Duration.ofMillis(300));
    CompletableFuture<Outcome> timedOut = oneSlot.submit("stuck-org", charge(0));
    Execute stuck = entity.expectMessageClass(Execute.class); // the entity works on it past the timeout
    CompletionException failure = assertThrows(CompletionException.class, timedOut::join);
    assertInstanceOf(java.util.concurrent.TimeoutException.class, failure.getCause(), "the caller is told to retry");
    CompletableFuture<Outcome> queued = oneSlot.submit("stuck-org", charge(1));
    CompletableFuture<Outcome> otherOrg = oneSlot.submit("other-org", charge(2));

    entity.expectMessageClass(OrgAccount.Probe.class); // not answered: the entity is still stuck
    entity.expectMessageClass(OrgAccount.Probe.class); // so it is asked again, and nothing else is sent
    stuck.replyTo().tell(answers(stuck)); // too late for the ask; the entity is done with it
    OrgAccount.Probe answered = entity.expectMessageClass(OrgAccount.Probe.class);
    answered.replyTo().tell(new Outcomes(List.of()));

    Execute other = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(2)), other.operations(), "the slot goes to the org waiting for it");
    assertFalse(queued.isDone());
    other.replyTo().tell(answers(other));
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(1)), next.operations(), "then the stuck org's queued work leaves, once");
    next.replyTo().tell(answers(next));
    assertEquals("op-1", rejectionOf(queued.join()));
    assertEquals("op-2", rejectionOf(otherOrg.join()));
  }

  @Test
  void aBatchWhoseEntityAnswersAProbeSentBehindItButNotTheBatchFailsAtOnceAndTheOrgsNextBatchLeaves() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OrgBatcher own = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 100), Duration.ofSeconds(30), Duration.ofMillis(300), registry);
    CompletableFuture<Outcome> lost = own.submit("restarted-org", charge(0));
    entity.expectMessageClass(Execute.class); // never answered: the entity started again after its journal write failed
    CompletableFuture<Outcome> queued = own.submit("restarted-org", charge(1));

    OrgAccount.Probe probe = entity.expectMessageClass(OrgAccount.Probe.class);
    probe.replyTo().tell(new Outcomes(List.of())); // the entity, started again, has nothing sent before left to do

    ExecutionException failure = assertThrows(ExecutionException.class, () -> lost.get(5, TimeUnit.SECONDS),
        "fails long before the entity timeout of 30 s");
    assertInstanceOf(OrgBatcher.AnswerLost.class, failure.getCause(), "a kind of timeout: the caller retries");
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(1)), next.operations(), "the org's next batch leaves, without a probe of its own first");
    next.replyTo().tell(answers(next));
    assertEquals("op-1", rejectionOf(queued.join()));
    assertEquals(1.0, registry.counter("tally.group.commit.answers.lost").count());
  }

  @Test
  void aBatchAnsweredAfterProbesWereSentBehindItKeepsItsOutcomes() {
    OrgBatcher own = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 100), Duration.ofSeconds(30), Duration.ofMillis(300));
    CompletableFuture<Outcome> slow = own.submit("slow-org", charge(0));
    Execute batch = entity.expectMessageClass(Execute.class); // a journal write that takes its time

    entity.expectMessageClass(OrgAccount.Probe.class); // stashed by the entity, still writing, and never answered
    OrgAccount.Probe again = entity.expectMessageClass(OrgAccount.Probe.class); // so another is sent
    batch.replyTo().tell(answers(batch));
    again.replyTo().tell(new Outcomes(List.of())); // answered after the batch, as the entity does

    assertEquals("op-0", rejectionOf(slow.join()));
    entity.expectNoMessage(Duration.ofMillis(700)); // the batch is answered: no probe goes behind it any more
  }

  @Test
  void pastTheNodesWaitingLimitNewWorkIsRefusedWhileCommitsAndReleasesGetIn() {
    OrgBatcher small = batcher(new OrgBatcher.Limits(100, 1000, 2, 1));
    small.submit("node-a", charge(0));
    Execute inFlight = entity.expectMessageClass(Execute.class);
    small.submit("node-b", charge(1));
    small.submit("node-c", charge(2));

    CompletableFuture<Outcome> refused = small.submit("node-d", charge(3));
    CompletableFuture<Outcome> commit = small.submit("node-d", new Operation.Commit("commit-d", "rsv-d", 1, null));
    CompletableFuture<Outcome> release = small.submit("node-e", new Operation.Release("release-e", "rsv-e"));
    CompletableFuture<Outcome> beyondTwice = small.submit("node-f", new Operation.Release("release-f", "rsv-f"));

    assertTrue(refused.isCompletedExceptionally(), "two operations wait on the node: a new charge is refused");
    assertFalse(commit.isDone(), "a commit still gets in");
    assertFalse(release.isDone(), "a release still gets in");
    assertTrue(beyondTwice.isCompletedExceptionally(), "even those are refused at twice the limit");
    for (String expected : List.of("op-0", "op-1", "op-2", "commit-d", "release-e")) {
      Execute batch = expected.equals("op-0") ? inFlight : entity.expectMessageClass(Execute.class);
      assertEquals(expected, ((Operation.Requested) batch.operations().get(0)).requestId());
      batch.replyTo().tell(answers(batch));
    }
    assertFalse(small.submit("node-a", charge(4)).isDone(), "sent operations no longer count as waiting");
    entity.expectMessageClass(Execute.class).replyTo().tell(new Outcomes(List.of(
        new Outcome.Rejected(Outcome.Rejection.CREDITS_EXHAUSTED, "op-4", Map.of()))));
  }

  @Test
  void orgsBeyondTheNodesBatchSlotsWaitForOneInArrivalOrder() {
    OrgBatcher twoSlots = batcher(new OrgBatcher.Limits(100, 1000, 100_000, 2));
    twoSlots.submit("slot-a", charge(0));
    twoSlots.submit("slot-b", charge(1));
    Execute a = entity.expectMessageClass(Execute.class);
    Execute b = entity.expectMessageClass(Execute.class);
    twoSlots.submit("slot-c", charge(2));
    twoSlots.submit("slot-d", charge(3));
    entity.expectNoMessage(Duration.ofMillis(200));

    a.replyTo().tell(answers(a));
    assertEquals(List.of(charge(2)), entity.expectMessageClass(Execute.class).operations(), "first in line");
    entity.expectNoMessage(Duration.ofMillis(200));
    b.replyTo().tell(answers(b));
    assertEquals(List.of(charge(3)), entity.expectMessageClass(Execute.class).operations());
  }

  @Test
  void aBusyOrgGoesToTheBackOfTheLineAndItsOperationsLeaveTogether() {
    // Batches of two: the busy org's two waiting make a whole batch, which does not go ahead while another org waits.
    OrgBatcher oneSlot = batcher(new OrgBatcher.Limits(2, 1000, 100_000, 1));
    oneSlot.submit("busy-org", charge(0));
    Execute first = entity.expectMessageClass(Execute.class);
    oneSlot.submit("busy-org", charge(1));
    oneSlot.submit("quiet-org", charge(2));
    oneSlot.submit("busy-org", charge(3));

    first.replyTo().tell(answers(first));
    Execute quiet = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(2)), quiet.operations(), "the org that waited for the slot goes first");
    quiet.replyTo().tell(answers(quiet));
    Execute busy = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(1), charge(3)), busy.operations());
    busy.replyTo().tell(answers(busy));
  }

  @Test
  void aWholeBatchWaitingWhileOneIsOutLeavesAheadAndAThirdWaitsForAnAnswer() {
    OrgBatcher small = batcher(new OrgBatcher.Limits(3, 1000, 100_000, 100));
    CompletableFuture<Outcome> first = small.submit("ahead-org", charge(0));
    Execute one = entity.expectMessageClass(Execute.class);
    List<CompletableFuture<Outcome>> rest = new ArrayList<>();
    rest.add(small.submit("ahead-org", charge(1)));
    rest.add(small.submit("ahead-org", charge(2)));
    entity.expectNoMessage(Duration.ofMillis(200)); // two of three: not a whole batch, it waits for the answer
    rest.add(small.submit("ahead-org", charge(3)));
    Execute two = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(1), charge(2), charge(3)), two.operations(), "a whole batch leaves while the first is out");
    for (int i = 4; i <= 6; i++) rest.add(small.submit("ahead-org", charge(i)));
    entity.expectNoMessage(Duration.ofMillis(200)); // two out: the next whole batch waits

    one.replyTo().tell(answers(one));
    Execute three = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(4), charge(5), charge(6)), three.operations(), "one out again: the whole batch goes ahead");
    two.replyTo().tell(answers(two));
    three.replyTo().tell(answers(three));
    assertEquals("op-0", rejectionOf(first.join()));
    for (int i = 0; i < 6; i++) assertEquals("op-" + (i + 1), rejectionOf(rest.get(i).join()));
  }

  @Test
  void aProbeAnsweredBehindTwoBatchesOutThatWereNotFailsBoth() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OrgBatcher own = batcher(new OrgBatcher.Limits(2, 1000, 100_000, 100), Duration.ofSeconds(30), Duration.ofMillis(300), registry);
    // neither batch is answered: the entity started again after a failed write
    List<CompletableFuture<Outcome>> out = twoBatchesOut(own, "twice-lost");

    OrgAccount.Probe probe = entity.expectMessageClass(OrgAccount.Probe.class);
    probe.replyTo().tell(new Outcomes(List.of()));

    for (CompletableFuture<Outcome> lost : out) {
      ExecutionException failure = assertThrows(ExecutionException.class, () -> lost.get(5, TimeUnit.SECONDS));
      assertInstanceOf(OrgBatcher.AnswerLost.class, failure.getCause());
    }
    // counted just after each answer fails, which the callers may hear first
    Eventually.await("both answers counted lost", Duration.ofSeconds(5),
        () -> registry.counter("tally.group.commit.answers.lost").count() == 2.0);
    nextLeavesAlone(own, "twice-lost");
  }

  @Test
  void bothBatchesOutFailWhenWhatWasSentCameBackUndelivered() {
    OrgBatcher own = batcher(new OrgBatcher.Limits(2, 1000, 100_000, 100));
    List<CompletableFuture<Outcome>> out = twoBatchesOut(own, "moved-twice");

    own.undelivered("moved-twice");

    for (CompletableFuture<Outcome> lost : out) {
      CompletionException failure = assertThrows(CompletionException.class, lost::join);
      assertInstanceOf(OrgBatcher.NodeLost.class, failure.getCause());
    }
    nextLeavesAlone(own, "moved-twice");
  }

  @Test
  void whileABatchOutTimedOutNoBatchGoesAheadAndTheOrgWaitsForAProbeOnceBothAreDone() {
    OrgBatcher own = batcher(new OrgBatcher.Limits(2, 1000, 100_000, 100), Duration.ofMillis(300));
    // the entity works on both past the timeout
    for (CompletableFuture<Outcome> timedOut : twoBatchesOut(own, "slow-twice")) {
      assertThrows(CompletionException.class, timedOut::join);
    }
    CompletableFuture<Outcome> third = own.submit("slow-twice", charge(3));
    own.submit("slow-twice", charge(4)); // a whole batch, held back

    OrgAccount.Probe probe = entity.expectMessageClass(OrgAccount.Probe.class); // not an Execute: nothing goes ahead
    probe.replyTo().tell(new Outcomes(List.of()));
    Execute next = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(3), charge(4)), next.operations());
    next.replyTo().tell(answers(next));
    assertEquals("op-3", rejectionOf(third.join()));
  }

  /**
   * Two batches of the org out, neither answered, from a batcher of batches of two: charge 0 alone, then charges 1
   * and 2 ahead of its answer. The callers of charges 0 and 1, one of each batch.
   */
  private List<CompletableFuture<Outcome>> twoBatchesOut(OrgBatcher batchesOfTwo, String orgId) {
    CompletableFuture<Outcome> first = batchesOfTwo.submit(orgId, charge(0));
    assertEquals(List.of(charge(0)), entity.expectMessageClass(Execute.class).operations());
    CompletableFuture<Outcome> second = batchesOfTwo.submit(orgId, charge(1));
    batchesOfTwo.submit(orgId, charge(2));
    assertEquals(List.of(charge(1), charge(2)), entity.expectMessageClass(Execute.class).operations());
    return List.of(first, second);
  }

  /** Once the org's batches out are done with, its next operation (charge 3) leaves at once, alone, and is answered. */
  private void nextLeavesAlone(OrgBatcher batcher, String orgId) {
    CompletableFuture<Outcome> next = batcher.submit(orgId, charge(3));
    Execute alone = entity.expectMessageClass(Execute.class);
    assertEquals(List.of(charge(3)), alone.operations(), "the org's next operation leaves at once, alone");
    alone.replyTo().tell(answers(alone));
    assertEquals("op-3", rejectionOf(next.join()));
  }

  private static Operation charge(int n) {
    return new Operation.Charge("op-" + n, 1, null, dev.tally.node.account.Labels.NONE);
  }

  /** Echoes each operation's request id back, so the test can see who got which answer. */
  private static Outcomes answers(Execute batch) {
    return new Outcomes(batch.operations().stream()
        .<Outcome>map(op -> new Outcome.Rejected(
            Outcome.Rejection.CREDITS_EXHAUSTED, ((Operation.Requested) op).requestId(), Map.of()))
        .toList());
  }

  private static String rejectionOf(Outcome outcome) {
    return ((Outcome.Rejected) outcome).message();
  }
}
