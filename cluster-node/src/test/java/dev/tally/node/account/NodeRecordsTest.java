package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Rejection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What the node records in an org's journal on its own (issue 19 item 2): a credit request decided,
 * an API key made or revoked. Each is written once per request or key, however often it is sent.
 */
class NodeRecordsTest extends AccountTestBase {

  private static final long MICROS_PER_CREDIT = 1_000_000L;
  private static final String KEY = "key_0123456789abcdef01234567";
  private static final String NEW_KEY = "key_89abcdef0123456789abcdef";

  @Test
  void aDecidedCreditRequestIsRecordedOnceHoweverOftenItIsSent() {
    var account = org(purchase(4 * MICROS_PER_CREDIT));
    var decided = new Operation.RecordCreditRequestDecided(7, true, 2 * MICROS_PER_CREDIT, "credit-request:7");
    var first = execute(account, decided);
    assertEquals(1, first.events().size());
    OrgEvent.CreditRequestDecided event = assertInstanceOf(OrgEvent.CreditRequestDecided.class, first.events().get(0));
    assertEquals(7, event.number());
    assertTrue(event.approved());
    assertEquals("credit-request:7", event.grantId());
    assertEquals(4 * MICROS_PER_CREDIT, balance(account).available(), "a record moves no credits");

    var resent = execute(account, decided);
    assertTrue(resent.events().isEmpty(), "a resend (a retried decision, a redelivered send) writes nothing");
    assertInstanceOf(Outcome.Recorded.class, ((Done) resent.reply().outcomes().get(0)).result());

    var twiceInOneBatch = execute(account, new Operation.RecordCreditRequestDecided(8, false, MICROS_PER_CREDIT, null),
        new Operation.RecordCreditRequestDecided(8, false, MICROS_PER_CREDIT, null));
    assertEquals(1, twiceInOneBatch.events().size(), "the same request twice in one batch is written once");

    account.restart();
    assertTrue(execute(account, decided).events().isEmpty(), "remembered across a restart (the journal replays it)");
  }

  @Test
  void aKeyIsRecordedMadeOnceAndRevokedOnceAndTheFirstRevocationStands() {
    var account = org();
    var made = new Operation.RecordApiKeyCreated(NEW_KEY, "metering", "ci", KEY);
    var revoked = new Operation.RecordApiKeyRevoked(KEY, "metering", "ci", Instant.parse("2026-11-06T10:00:00Z"));
    var rotation = execute(account, made, revoked);
    assertEquals(2, rotation.events().size(), "a rotation: the new key made, the old one revoked at the grace's end");
    OrgEvent.ApiKeyCreated created = assertInstanceOf(OrgEvent.ApiKeyCreated.class, rotation.events().get(0));
    assertEquals(KEY, created.rotatedFrom());
    OrgEvent.ApiKeyRevoked old = assertInstanceOf(OrgEvent.ApiKeyRevoked.class, rotation.events().get(1));
    assertEquals(Instant.parse("2026-11-06T10:00:00Z"), old.revokedAt());

    assertTrue(execute(account, made, revoked).events().isEmpty(), "a retried rotation writes nothing");
    var sooner = execute(account, new Operation.RecordApiKeyRevoked(KEY, "metering", "ci", clock.instant()));
    assertTrue(sooner.events().isEmpty(), "a key is told revoked once: its first revocation");
    assertInstanceOf(Done.class, sooner.reply().outcomes().get(0));
  }

  @Test
  void aKeyIdMadeAgainWithOtherTermsIsRefusedAsAReuse() {
    var account = org();
    execute(account, new Operation.RecordApiKeyCreated(KEY, "metering", "ci", null));
    assertEquals(Rejection.IDEMPOTENCY_MISMATCH,
        rejected(account, new Operation.RecordApiKeyCreated(KEY, "admin", "ci", null)).reason());
  }

  @Test
  void noClientRequestIdCanTakeARecordsId() {
    String id = new Operation.RecordApiKeyCreated(KEY, "metering", "", null).requestId();
    assertTrue(id.chars().anyMatch(Character::isISOControl), "clients' request ids may hold no control character");
    var account = org(purchase(MICROS_PER_CREDIT));
    // A client's request with the printable look-alike of the record's id does not stop the record.
    done(account, new Operation.Reserve(id.replace('\u001f', ':'), 1, null, TTL, Labels.NONE));
    assertEquals(1, execute(account, new Operation.RecordApiKeyCreated(KEY, "metering", "", null)).events().size());
  }

  @Test
  void theMemoryIsBoundedByTheIdempotencyWindow() {
    var account = org(purchase(MICROS_PER_CREDIT));
    var revoked = new Operation.RecordApiKeyRevoked(KEY, "reader", "", clock.instant());
    assertEquals(1, execute(account, revoked).events().size());
    clock.advance(Duration.ofHours(23));
    assertTrue(execute(account, revoked).events().isEmpty(), "inside the window: remembered");
    clock.advance(Duration.ofHours(26));
    done(account, new Operation.Reserve(nextId(), 1, null, TTL, Labels.NONE)); // any request: the old ones age out
    assertEquals(1, execute(account, revoked).events().size(),
        "past tally.idempotency.window the id is forgotten, as every request's is: the sender resends only inside it");
  }

  @Test
  void anOrgThatDoesNotExistRecordsNothing() {
    var account = unopened("no-such-org");
    assertEquals(Rejection.ORG_NOT_FOUND,
        rejected(account, new Operation.RecordApiKeyCreated(KEY, "metering", "", null)).reason());
  }
}
