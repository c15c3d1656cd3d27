package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tally.node.account.AccountState.Handled;
import dev.tally.node.account.RequestMemory.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch's events are applied once, while deciding; the entity's event handler reuses that state. */
class DecidedBatchTest {

  static final AccountSettings SETTINGS =
      new AccountSettings(new Retention(Duration.ofHours(1), 1000), 100, 2, TestTerms.TERMS);
  static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");

  /** A state and what one batch of operations on it gave. */
  record Batch(AccountState before, Handled handled) {}

  /** An org with credits, then one batch of 50 reserves and their 50 commits. */
  static Batch reservesAndCommits() {
    AccountState opened = AccountState.handle(new AccountState.Unopened(), List.of(
            new Operation.CreateOrg("create-org", "org", "Org", "alerting"),
            new Operation.GrantCredits("grant", "bought", GrantKind.PURCHASE, 1_000_000, null, null, null)),
        NOW, SETTINGS, RateGate.OPEN, new NamedInOrder()).after();
    List<Operation> operations = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      operations.add(new Operation.Reserve("reserve-" + i, 100, null, Duration.ofMinutes(5), Labels.NONE));
    }
    for (int i = 1; i <= 50; i++) operations.add(new Operation.Commit("commit-" + i, "rsv-" + i, 80 + i, null));
    return new Batch(opened, AccountState.handle(opened, operations, NOW, SETTINGS, RateGate.OPEN, new NamedInOrder()));
  }

  static AccountState applyEach(DecidedBatch batch, AccountState state, List<OrgEvent> events) {
    for (OrgEvent event : events) state = batch.apply(state, event, SETTINGS.retention());
    return state;
  }

  /** What the entity does: persists the batch's events, expecting them, and applies them. */
  static AccountState persisted(Batch decided, DecidedBatch batch) {
    batch.expect(decided.handled());
    return applyEach(batch, decided.before(), decided.handled().events());
  }

  @Test
  void theEventsOfADecidedBatchLeadToTheDecidedStateWithoutBeingAppliedAgain() {
    Batch decided = reservesAndCommits();
    AccountState applied = persisted(decided, new DecidedBatch());
    assertSame(decided.handled().after(), applied, "the very state decided, not one applied again");
  }

  @Test
  void theStateDecidedIsTheStateItsEventsReplayTo() {
    Batch decided = reservesAndCommits();
    AccountState replayed = applyEach(new DecidedBatch(), decided.before(), decided.handled().events());
    assertNotSame(decided.handled().after(), replayed, "replayed, as in recovery");
    assertEquals(decided.handled().after(), replayed);
  }

  @Test
  void eventsAfterTheBatchAreAppliedAsUsual() {
    DecidedBatch batch = new DecidedBatch();
    AccountState after = persisted(reservesAndCommits(), batch);
    Operation.Charge request = new Operation.Charge("charge", 5, null, Labels.NONE);
    OrgEvent.CreditsCharged charge = new OrgEvent.CreditsCharged(
        request.requestId(), request.fingerprint(), 5, List.of(new Draw("bought", 5)), Labels.NONE, "", null, null, NOW);
    assertEquals(after.apply(charge, SETTINGS.retention()), batch.apply(after, charge, SETTINGS.retention()));
  }
}
