package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.tally.node.account.Outcome.BalanceView;
import dev.tally.node.account.RequestMemory.Retention;
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
        new Outcome.Done(new Outcome.OrgInfo("acme", "Acme", now), balance),
        new Outcome.Done(new Outcome.GrantList(List.of(grant)), balance),
        new Outcome.Done(new Outcome.Granted(grant), balance),
        new Outcome.Done(new Outcome.Voided(5), balance),
        new Outcome.Done(new Outcome.Reserved("rsv-1", 5, now), balance),
        new Outcome.Done(new Outcome.Extended(6, now), balance),
        new Outcome.Done(new Outcome.Committed(4, 1, 0, List.of(new Draw("g", 4))), balance),
        new Outcome.Done(new Outcome.Released(5), balance),
        new Outcome.Done(new Outcome.Charged(3, List.of(new Draw("g", 3))), balance),
        new Outcome.Rejected(Outcome.Rejection.CREDITS_EXHAUSTED, "no", Map.of("available", "0")));
    OrgAccount.Outcomes reply = new OrgAccount.Outcomes(outcomes);
    assertEquals(reply, serialization.verifySerialization(reply, true));
  }

  @Test
  void theStateSerializesInItsSnapshotForm() {
    Retention retention = new Retention(Duration.ofHours(1), 100);
    AccountState state = AccountState.handle(new AccountState.Unopened(), List.of(
            new Operation.CreateOrg("acme", "Acme"),
            new Operation.GrantCredits("r1", "g1", GrantKind.TRIAL, 100, null, null, now.plusSeconds(3600)),
            new Operation.Reserve("r2", 30, Duration.ofMinutes(5), new Labels("m", "p", "u", "completion")),
            new Operation.Reserve("r3", 20, Duration.ofMinutes(5), Labels.NONE),
            new Operation.Release("r4", "rsv-2")),
        now, retention).after();
    AccountSnapshot snapshot = AccountSnapshot.of((OpenAccount) state);
    AccountSnapshot restored = serialization.verifySerialization(snapshot, true);
    assertEquals(state, restored.toAccount());
  }
}
