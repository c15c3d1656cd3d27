package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.node.account.OrgAccount.Execute;
import dev.tally.node.account.OrgAccount.Outcomes;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.RequestMemory.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
/** What entity tests share: a testkit with manual time, a clock the test moves, fresh orgs and short ways to talk to them. */
abstract class AccountTestBase {

  static final Duration TTL = Duration.ofMinutes(5);
  static final Config CONFIG = ConfigFactory.parseString("pekko.actor.provider = local")
      .withFallback(ManualTime.config())
      .withFallback(EventSourcedBehaviorTestKit.config())
      .withFallback(ConfigFactory.load());

  @JUnit5TestKit ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  /** Every test starts on 5 November 2026, early in a billing period. */
  MutableClock clock;
  final AtomicInteger orgs = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  /** The entities that asked sharding to stop them. */
  final List<ActorRef<OrgAccount.Command>> passivations = new CopyOnWriteArrayList<>();

  /** Tests that need other settings replace these before they create their orgs. */
  AccountSettings settings;
  AccountMetrics metrics;
  /** No Cassandra by default: an org that reached for its request table would answer Unavailable. */
  RequestOutcomeTable requestTable;
  /** The node's bound on what its orgs remember: none unless a test sets one. */
  RequestMemoryBudget budget;
  TestProbe<Topic.Command<AlertNotice>> alerts;

  @BeforeEach
  void freshClockSettingsAndAlertTopic() {
    clock = new MutableClock(Instant.parse("2026-11-05T10:00:00Z"));
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 1000), 50, 2, TestTerms.TERMS);
    metrics = AccountMetrics.NONE;
    requestTable = tableWithout(new IllegalStateException("this test has no Cassandra"));
    budget = RequestMemoryBudget.unbounded();
    alerts = testKit.createTestProbe();
  }

  /** A fresh org on the pay-as-you-go plan, created and holding the given grants. */
  EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> org(Operation.GrantCredits... grants) {
    return orgOn("payg", grants);
  }

  EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> orgOn(
      String plan, Operation.GrantCredits... grants) {
    String orgId = "org-" + orgs.incrementAndGet();
    var account = unopened(orgId);
    done(account, new Operation.CreateOrg("create-" + orgId, orgId, "Org " + orgId, plan));
    for (Operation.GrantCredits grant : grants) done(account, grant);
    return account;
  }

  /** The entity of an org that was never created. */
  EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> unopened(String orgId) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(),
        OrgAccount.create(orgId, settings, clock, alerts.getRef(), Written.NOBODY, metrics, passivations::add, requestTable,
            budget),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  /** A request table whose every read and write fails with {@code failure}. */
  RequestOutcomeTable tableWithout(RuntimeException failure) {
    return new RequestOutcomeTable(() -> CompletableFuture.failedFuture(failure), cbor());
  }

  /** The mapper the node stores outcomes with. */
  ObjectMapper cbor() {
    return JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty());
  }

  Operation.GrantCredits grant(String grantId, GrantKind kind, long amount, Instant expiresAt) {
    return new Operation.GrantCredits(nextId(), grantId, kind, amount, null, null, expiresAt);
  }

  Operation.GrantCredits purchase(long amount) {
    return grant("purchase-" + requests.incrementAndGet(), GrantKind.PURCHASE, amount, null);
  }

  String nextId() {
    return "req-" + requests.incrementAndGet();
  }

  static CommandResultWithReply<OrgAccount.Command, OrgEvent, AccountState, Outcomes> execute(
      EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, Operation... operations) {
    return account.runCommand(replyTo -> new Execute(List.of(operations), replyTo));
  }

  static Done done(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, Operation operation) {
    Outcome outcome = execute(account, operation).reply().outcomes().get(0);
    return assertInstanceOf(Done.class, outcome, () -> "expected success, got " + outcome);
  }

  static Rejected rejected(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, Operation operation) {
    var result = execute(account, operation);
    assertTrue(result.events().isEmpty(), "a refused operation persists nothing");
    return assertInstanceOf(Rejected.class, result.reply().outcomes().get(0));
  }

  String reserve(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, long amount) {
    return ((Outcome.Reserved) done(account, new Operation.Reserve(nextId(), amount, null, TTL, Labels.NONE)).result())
        .reservationId();
  }

  static Outcome.BalanceView balance(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account) {
    return done(account, new Operation.GetBalance()).balance();
  }
}
