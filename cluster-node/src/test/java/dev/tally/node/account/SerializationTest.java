package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.tally.node.account.Outcome.BalanceView;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.node.terms.Cost;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the entity sends and stores round-trips through the configured (Jackson CBOR) serializer:
 * every reply and the snapshot form of the state. Commands and events are checked on every
 * command of {@link OrgAccountTest} by the persistence testkit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SerializationTest {

  final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  final SerializationTestKit serialization = new SerializationTestKit(testKit.system());
  final Instant now = Instant.parse("2026-11-01T00:00:00Z");
  final BalanceView balance = new BalanceView(1, 2, 3, 6, 1);

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyReplySerializes() {
    Grant grant = new Grant("g", GrantKind.TRIAL, 10, 5, 0, now, now.plusSeconds(60), 1);
    List<Outcome> outcomes = List.of(
        new Outcome.Done(new Outcome.OrgInfo("acme", "Acme", now, "payg"), balance),
        new Outcome.Done(new Outcome.Statement(List.of(grant), "payg", TestTerms.PAYG,
            Period.monthOf(now, 5).charging(3, new Usage.Tokens("gpt-4o", 1, 2, 3, 4), Labels.NONE)), balance),
        new Outcome.Done(new Outcome.TermsSet("payg"), balance),
        new Outcome.Done(new Outcome.Granted(grant), balance),
        new Outcome.Done(new Outcome.Voided(5), balance),
        new Outcome.Done(new Outcome.Reserved("rsv-1", 5, now), balance),
        new Outcome.Done(new Outcome.Extended(6, now), balance),
        new Outcome.Done(new Outcome.Committed(4, 1, 0, List.of(new Draw("g", 4)), new Cost(4, "v1", 1000)), balance),
        new Outcome.Done(new Outcome.Released(5), balance),
        new Outcome.Done(new Outcome.Charged(3, List.of(new Draw("g", 3)), Cost.plain(3)), balance),
        new Outcome.Rejected(Outcome.Rejection.CREDITS_EXHAUSTED, "no", Map.of("available", "0")));
    OrgAccount.Outcomes reply = new OrgAccount.Outcomes(outcomes);
    assertEquals(reply, serialization.verifySerialization(reply, true));
  }

  @Test
  void theStateSerializesInItsSnapshotForm() {
    AccountSettings settings = new AccountSettings(new Retention(Duration.ofHours(1), 100), 100, 2, TestTerms.TERMS);
    AccountState state = AccountState.handle(new AccountState.Unopened(), List.of(
            new Operation.CreateOrg("acme", "Acme", "monthly"),
            new Operation.GrantCredits("r1", "g1", GrantKind.TRIAL, 100, null, null, now.plusSeconds(3600)),
            new Operation.Reserve("r2", 30, null, Duration.ofMinutes(5), new Labels("m", "p", "u", "completion")),
            new Operation.Reserve("r3", 0, new Usage.Tokens("gpt-4o", 1000, 500, 0, 0), Duration.ofMinutes(5), Labels.NONE),
            new Operation.Commit("r4", "rsv-2", 0, new Usage.Tokens("gpt-4o", 900, 200, 100, 0)),
            new Operation.Charge("r5", 0, new Usage.Call("embedding"), Labels.NONE),
            new Operation.SetOverrides("r6", new Overrides(10L, null, 3, 1100, List.of(50), null)),
            new Operation.Release("r7", "rsv-1")),
        now, settings, RateGate.OPEN, new NamedInOrder()).after();
    AccountSnapshot snapshot = AccountSnapshot.of((OpenAccount) state);
    AccountSnapshot restored = serialization.verifySerialization(snapshot, true);
    assertEquals(state, restored.toAccount());
  }
}
