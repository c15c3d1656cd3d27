package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.pekko.serialization.SerializationExtension;
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

  /** Artery's maximum-frame-size, Pekko's default, which Tally keeps. */
  private static final int ARTERY_FRAME_BYTES = 256 * 1024;

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
    Grant grant = new Grant("g", GrantKind.TRIAL, 10, 5, 0, now, now.plusSeconds(60), 1, "req-1");
    List<Outcome> outcomes = List.of(
        new Outcome.Done(new Outcome.OrgInfo("acme", "Acme", now, "payg", "referrer", null), balance),
        new Outcome.Done(new Outcome.OrgInfo("acme", "Acme", now, "team", null, new Outcome.NextPlan("payg", now)), balance),
        new Outcome.Done(new Outcome.Statement(List.of(grant), "payg", TestTerms.PAYG,
            Period.monthOf(now, 5).charging(3, new Usage.Tokens("gpt-4o", 1, 2, 3, 4), Labels.NONE),
            new Outcome.NextPlan("payg", now)), balance),
        new Outcome.Done(new Outcome.TermsSet("payg"), balance),
        new Outcome.Done(new Outcome.Granted(grant), balance),
        new Outcome.Done(new Outcome.Voided(5), balance),
        new Outcome.Done(new Outcome.Reserved("rsv-1", 5, now), balance),
        new Outcome.Done(new Outcome.Extended(6, now), balance),
        new Outcome.Done(new Outcome.Committed(4, 1, 0, List.of(new Draw("g", 4)), new Cost(4, "v1", 1000)), balance),
        new Outcome.Done(new Outcome.Released(5), balance),
        new Outcome.Done(new Outcome.Charged(3, List.of(new Draw("g", 3)), Cost.plain(3)), balance),
        new Outcome.Done(new Outcome.ReferralView("tr_code", true, 5, 7, 2, 3, 1), balance),
        new Outcome.Done(new Outcome.Rewarded(5), balance),
        new Outcome.Rejected(Outcome.Rejection.NO_REWARDS, "empty", Map.of()),
        new Outcome.Rejected(Outcome.Rejection.CREDITS_EXHAUSTED, "no", Map.of("available", "0")));
    OrgAccount.Outcomes reply = new OrgAccount.Outcomes(outcomes);
    assertEquals(reply, serialization.verifySerialization(reply, true));
  }

  @Test
  void theStateSerializesInItsSnapshotForm() {
    AccountSettings settings = new AccountSettings(new Retention(Duration.ofHours(1), 100), 100, 2, TestTerms.TERMS);
    AccountState state = AccountState.handle(new AccountState.Unopened(), List.of(
            new Operation.CreateOrg("r0", "acme", "Acme", "monthly"),
            new Operation.GrantCredits("r1", "g1", GrantKind.TRIAL, 100, null, null, now.plusSeconds(3600)),
            new Operation.Reserve("r2", 30, null, Duration.ofMinutes(5), new Labels("m", "p", "u", "completion")),
            new Operation.Reserve("r3", 0, new Usage.Tokens("gpt-4o", 1000, 500, 0, 0), Duration.ofMinutes(5), Labels.NONE),
            new Operation.Commit("r4", "rsv-2", 0, new Usage.Tokens("gpt-4o", 900, 200, 100, 0)),
            new Operation.Charge("r5", 0, new Usage.Call("embedding"), Labels.NONE),
            new Operation.SetOverrides("r6", new Overrides(10L, null, 3, 1100, List.of(50), null, null, 2)),
            new Operation.SetPlan("r6a", "team"),
            new Operation.SetPlan("r6b", "payg"),
            new Operation.Release("r7", "rsv-1"),
            new Operation.GrantCredits("r8", "g2", GrantKind.PROMOTION, 5, 7, null, null),
            new Operation.VoidGrant("r9", "g2", "mistake")),
        now, settings, RateGate.OPEN, new NamedInOrder()).after();
    AccountSnapshot snapshot = AccountSnapshot.of((OpenAccount) state);
    AccountSnapshot restored = serialization.verifySerialization(snapshot, true);
    assertEquals(state, restored.toAccount());
    assertEquals(2, restored.finishedGrants().size(), "the trial drawn empty and the voided grant");
    assertEquals("payg", restored.nextPlan(), "the downgrade scheduled for the period's end");
    assertEquals(TestTerms.TERMS.plans().planOrDefault("team").monthlyAllocation(), restored.period().runsAt(), "the upgrade's rate");
  }

  /** Holds' events written before they carried labels and the API key read with none: usage reports count them unlabelled. */
  @Test
  void holdEventsStoredBeforeLabelsAndKeysReadWithNone() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper cbor = org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider
        .get(testKit.system()).getOrCreate("jackson-cbor", java.util.Optional.empty());
    OrgEvent.ReservationExpired expired =
        new OrgEvent.ReservationExpired("rsv-1", 5, new Labels("m", "p", "u", "t"), "key_1", now);
    com.fasterxml.jackson.databind.node.ObjectNode stored = cbor.valueToTree(expired);
    stored.remove(List.of("labels", "apiKeyId"));

    OrgEvent.ReservationExpired read = cbor.treeToValue(stored, OrgEvent.ReservationExpired.class);

    assertEquals(new OrgEvent.ReservationExpired("rsv-1", 5, Labels.NONE, "", now), read);
    Reservation held = new Reservation("rsv-1", 5, now, Labels.NONE, "key_1");
    com.fasterxml.jackson.databind.node.ObjectNode storedHold = cbor.valueToTree(held);
    storedHold.remove("apiKeyId");
    assertEquals("", cbor.treeToValue(storedHold, Reservation.class).apiKeyId());
  }

  /** A snapshot from before plan changes and an org's own allocation read with none scheduled and the plan's terms. */
  @Test
  void aSnapshotStoredBeforePlanChangesReadsWithNothingScheduledAndThePlansTerms() throws Exception {
    AccountSettings settings = new AccountSettings(new Retention(Duration.ofHours(1), 100), 100, 2, TestTerms.TERMS);
    AccountState state = AccountState.handle(new AccountState.Unopened(),
        List.of(new Operation.CreateOrg("r0", "acme", "Acme", "monthly")), now, settings, RateGate.OPEN, new NamedInOrder()).after();
    com.fasterxml.jackson.databind.ObjectMapper cbor = org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider
        .get(testKit.system()).getOrCreate("jackson-cbor", java.util.Optional.empty());
    com.fasterxml.jackson.databind.node.ObjectNode stored = cbor.valueToTree(AccountSnapshot.of((OpenAccount) state));
    stored.remove("nextPlan");
    ((com.fasterxml.jackson.databind.node.ObjectNode) stored.get("overrides")).remove(List.of("monthlyAllocation", "rolloverMonths"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) stored.get("period")).remove("monthlyAllocation");

    OpenAccount read = cbor.treeToValue(cbor.readTree(cbor.writeValueAsBytes(stored)), AccountSnapshot.class).toAccount();

    assertEquals(null, read.subscription().nextPlan());
    assertEquals(Overrides.NONE, read.overrides());
    assertEquals(0, read.period().monthlyAllocation());
    assertEquals(read.period().allocation(), read.period().runsAt(), "it runs at what it was allocated");
    assertTrue(read.period().allocation() > 0);
  }

  /**
   * A snapshot of an org that had spilled requests, stored before ids' times were kept, reads as
   * "any unknown id may be in the table" until the window of the last one spilled has passed.
   */
  @Test
  void aSnapshotStoredBeforeIdTimesLooksUpEveryUnknownIdUntilItsLastSpillsWindowEnds() throws Exception {
    Retention retention = new Retention(Duration.ofHours(1), 2);
    AccountSettings settings = new AccountSettings(retention, 100, 2, TestTerms.TERMS);
    List<Operation> requests = List.of(
        new Operation.CreateOrg("r0", "acme", "Acme", "monthly"),
        new Operation.GrantCredits("r1", "g1", GrantKind.PROMOTION, 5, null, null, null),
        new Operation.GrantCredits("r2", "g2", GrantKind.PROMOTION, 5, null, null, null),
        new Operation.GrantCredits("r3", "g3", GrantKind.PROMOTION, 5, null, null, null));
    AccountState state = new AccountState.Unopened();
    for (Operation request : requests) {
      state = AccountState.handle(state, List.of(request), now, settings, RateGate.OPEN, new NamedInOrder()).after();
    }
    assertEquals(now, state.memory().spilled().until(), "r1 was pushed out");
    com.fasterxml.jackson.databind.ObjectMapper cbor = org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider
        .get(testKit.system()).getOrCreate("jackson-cbor", java.util.Optional.empty());
    com.fasterxml.jackson.databind.node.ObjectNode stored = cbor.valueToTree(AccountSnapshot.of((OpenAccount) state));
    stored.remove("requestsSpilled");

    RequestMemory read = cbor.treeToValue(cbor.readTree(cbor.writeValueAsBytes(stored)), AccountSnapshot.class).toAccount().memory();

    String freshUuidV7 = "01a1f640-bc00-7000-8000-000000000000"; // names 2026-11-20T00:00Z
    assertTrue(read.mayHaveSpilled(freshUuidV7, now, retention.window()));
    assertTrue(read.mayHaveSpilled("r9", now, retention.window()));
    assertFalse(read.mayHaveSpilled(freshUuidV7, now.plus(retention.window()).plusMillis(1), retention.window()));
    assertFalse(state.memory().mayHaveSpilled(freshUuidV7, now, retention.window()), "kept as it is now, no lookup");
  }

  @Test
  void anOrgsReferralAndRewardsSurviveItsSnapshot() {
    AccountSettings settings = new AccountSettings(new Retention(Duration.ofHours(1), 100), 100, 2, TestTerms.TERMS);
    AccountState state = AccountState.handle(new AccountState.Unopened(), List.of(
            new Operation.CreateOrg("r0", "acme", "Acme", "referring", "referrer-org"),
            new Operation.GetReferral("tr_code"),
            new Operation.CreditReward("reward:1", "buyer-1", 100_000_000),
            new Operation.CreditReward("reward:2", "buyer-2", 50_000_000),
            new Operation.TransferRewards("t1"),
            new Operation.CreditReward("reward:3", "buyer-2", 50_000_000)),
        now, settings, RateGate.OPEN, new NamedInOrder()).after();
    AccountSnapshot restored = serialization.verifySerialization(AccountSnapshot.of((OpenAccount) state), true);
    assertEquals(state, restored.toAccount());
    Referral referral = restored.toAccount().referral();
    assertEquals("tr_code", referral.code());
    assertEquals("referrer-org", referral.referredBy());
    assertEquals(5_000_000, referral.rewards().balance());
    assertEquals(2, referral.rewards().earnedByReferredOrg().size());
  }

  /**
   * The largest snapshot a client can make an org write stays well under Cassandra's 16 MiB frame
   * (a snapshot past it fails to save, and recovery replays every event since the last saved one):
   * every bound reached at once, every id and label at its longest and random, so compression
   * cannot flatter it. That org's answer to GetBalance (every grant with credits left, the period's
   * labels) fits one Artery message, which it must when the org lives on another node.
   */
  @Test
  void theLargestSnapshotAClientCanCauseStaysWellUnderTheFrameLimit() {
    AccountSettings settings = new AccountSettings(new Retention(Duration.ofHours(24), 20_000), 10_000, 2, TestTerms.TERMS);
    java.util.Random random = new java.util.Random(1);
    java.util.function.IntFunction<String> text = length -> random.ints(length, 33, 127)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    int longestId = 128; // RequestChecks.MAX_ID_LENGTH: request ids, grant ids and labels
    AccountState state = AccountState.handle(new AccountState.Unopened(),
        List.of(new Operation.CreateOrg(text.apply(longestId), text.apply(longestId), text.apply(256), "payg")), now,
        settings, RateGate.OPEN, ReservationIds.RANDOM).after();
    List<Operation> finished = new java.util.ArrayList<>();
    for (int i = 0; i < Grants.MAX_FINISHED; i++) {
      String grantId = text.apply(longestId);
      finished.add(new Operation.GrantCredits(text.apply(longestId), grantId, GrantKind.PURCHASE,
          1_000_000_000_000_000L, null, null, now.plus(Duration.ofDays(30))));
      finished.add(new Operation.VoidGrant(text.apply(longestId), grantId, text.apply(256)));
    }
    state = handleInBatches(state, finished, settings).after();
    List<Operation> grants = new java.util.ArrayList<>();
    for (int i = 0; i < Grants.MAX_GIVEN_AND_LEFT; i++) {
      grants.add(new Operation.GrantCredits(text.apply(longestId), text.apply(longestId), GrantKind.PURCHASE,
          1_000_000_000_000_000L, null, null, now.plus(Duration.ofDays(30))));
    }
    // The holds are made and committed against the first grant, and the other grants come last: every
    // operation reads each grant in effect (the balance, the draws, the expiries), and the state reaches
    // every bound in either order.
    state = handleInBatches(state, grants.subList(0, 1), settings).after();
    // Purchases of as many referred orgs as an org earns from, each with the longest id.
    List<Operation> referred = new java.util.ArrayList<>(List.of(new Operation.SetPlan(text.apply(longestId), "wide-reward")));
    for (int i = 0; i < Rewards.MAX_REFERRED_ORGS; i++) {
      referred.add(new Operation.CreditReward(text.apply(longestId), text.apply(longestId), 1_000_000));
    }
    state = handleInBatches(state, referred, settings).after();
    for (int round = 0; round < 2; round++) {
      List<Operation> reserves = new java.util.ArrayList<>();
      for (int i = 0; i < Holds.MAX_OPEN; i++) {
        Labels labels = new Labels(text.apply(longestId), text.apply(longestId), text.apply(longestId), text.apply(longestId));
        reserves.add(new Operation.Reserve(text.apply(longestId), 1, null, Duration.ofHours(1), labels));
      }
      AccountState.Handled reserved = handleInBatches(state, reserves, settings);
      state = reserved.after();
      if (round == 0) { // commit them all: 10,000 resolved holds and 20,000 remembered requests
        List<Operation> commits = new java.util.ArrayList<>();
        for (Outcome outcome : reserved.outcomes()) {
          String reservationId = ((Outcome.Reserved) ((Outcome.Done) outcome).result()).reservationId();
          commits.add(new Operation.Commit(text.apply(longestId), reservationId, 1, null));
        }
        state = handleInBatches(state, commits, settings).after();
      }
    }
    state = handleInBatches(state, grants.subList(1, grants.size()), settings).after();
    OpenAccount account = (OpenAccount) state;
    assertEquals(Grants.MAX_GIVEN_AND_LEFT, account.grants().size());
    assertEquals(Holds.MAX_OPEN, account.reservations().size());
    assertEquals(20_000, account.memory().requests().size());
    assertEquals(Period.MAX_KEYS + 1, account.period().chargedByModel().size());
    assertEquals(Grants.MAX_FINISHED, account.grants().finished().size());
    assertEquals(Rewards.MAX_REFERRED_ORGS, account.referral().rewards().earnedByReferredOrg().size());

    byte[] stored = SerializationExtension.get(testKit.system().classicSystem()).serialize(AccountSnapshot.of(account)).get();
    System.out.printf("the largest snapshot: %d bytes%n", stored.length);
    assertTrue(stored.length < 10 * 1024 * 1024, "a snapshot of " + stored.length + " bytes");

    Outcome balance = AccountState.handle(state, List.of(new Operation.GetBalance()), now, settings, RateGate.OPEN,
        ReservationIds.RANDOM).outcomes().get(0);
    byte[] answer = SerializationExtension.get(testKit.system().classicSystem())
        .serialize(new OrgAccount.Outcomes(List.of(balance))).get();
    assertTrue(answer.length < ARTERY_FRAME_BYTES - 8 * 1024, "an answer of " + answer.length + " bytes");
  }

  /** As the node does: at most 100 operations a batch. The outcomes of all, in order; the state after the last. */
  private AccountState.Handled handleInBatches(AccountState state, List<Operation> operations, AccountSettings settings) {
    List<Outcome> outcomes = new java.util.ArrayList<>();
    for (int from = 0; from < operations.size(); from += 100) {
      AccountState.Handled handled = AccountState.handle(
          state, operations.subList(from, Math.min(from + 100, operations.size())), now, settings, RateGate.OPEN, ReservationIds.RANDOM);
      outcomes.addAll(handled.outcomes());
      state = handled.after();
    }
    return new AccountState.Handled(List.of(), outcomes, state);
  }
}
