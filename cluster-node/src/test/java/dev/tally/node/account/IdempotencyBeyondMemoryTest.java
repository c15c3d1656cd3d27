package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.account.Outcome.Rejection;
import dev.tally.node.account.RequestMemory.Retention;
import dev.tally.testkit.TestCassandra;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rule 6 at any rate: an org remembers only its latest requests in memory, and a retry of an older
 * one within the window still gets the first outcome, from the request table (real Cassandra).
 */
@ExtendWith(TestCassandra.class)
class IdempotencyBeyondMemoryTest extends AccountTestBase {

  static final int MAX_ENTRIES = 10;

  CqlSession session;
  final AtomicInteger spilled = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();
  final AtomicInteger writtenAhead = new AtomicInteger();

  @BeforeAll
  void connect() {
    // The profile the journal uses, which the table's statements name.
    DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
        .startProfile("pekko-persistence-cassandra-profile")
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "QUORUM")
        .endProfile()
        .build();
    session = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", TestCassandra.server().cqlPort()))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(config)
        .build();
  }

  @AfterAll
  void disconnect() {
    session.close();
  }

  @BeforeEach
  void smallMemoryAndTheRealTable() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), MAX_ENTRIES), 50, 2, TestTerms.TERMS);
    requestTable = new RequestOutcomeTable(() -> CompletableFuture.completedFuture(session), cbor());
    spilled.set(0);
    lookups.set(0);
    writtenAhead.set(0);
    metrics = new AccountMetrics() {
      @Override
      public void requestsSpilled(int count) {
        spilled.addAndGet(count);
      }

      @Override
      public void requestsLookedUp(int count) {
        lookups.incrementAndGet();
      }

      @Override
      public void requestsWrittenAhead(int count) {
        writtenAhead.addAndGet(count);
      }
    };
  }

  Operation.Charge charge(long amount) {
    return new Operation.Charge(nextId(), amount, null, Labels.NONE);
  }

  /** Charges one credit {@code times} times, each with its own request id. */
  void chargeOthers(EventSourcedBehaviorTestKit<OrgAccount.Command, OrgEvent, AccountState> account, int times) {
    for (int i = 0; i < times; i++) done(account, charge(MICROS_PER_CREDIT));
  }

  @Test
  void aChargeRetriedAfterMoreThanMaxEntriesOtherRequestsGetsItsFirstOutcome() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    Done original = done(account, first);
    chargeOthers(account, 49);
    assertNull(account.getState().memory().request(first.requestId()), "the first request left memory");

    var retry = execute(account, first);
    assertTrue(retry.events().isEmpty(), "a retry changes nothing");
    assertEquals(original.result(), assertInstanceOf(Done.class, retry.reply().outcomes().get(0)).result());
    assertEquals(50 * MICROS_PER_CREDIT, balance(account).available(), "charged once, not twice");
  }

  @Test
  void aboveTheNodesBudgetAnOrgRemembersItsShareAndARetryOfWhatThatPushedOutGetsItsFirstOutcome() {
    budget = new RequestMemoryBudget(8, 2);
    budget.holds("another-org", 100, 0, () -> {}); // the node is over its budget: 8 over two orgs, 4 each
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    Done original = done(account, first);
    chargeOthers(account, 4);
    assertEquals(4, account.getState().memory().requests().size(), "its share, not its max-entries of " + MAX_ENTRIES);
    assertNull(account.getState().memory().request(first.requestId()), "the first request left memory");
    assertEquals(100 + 4, budget.held(), "the org told the node what it holds");

    var retry = execute(account, first);
    assertTrue(retry.events().isEmpty(), "a retry changes nothing");
    assertEquals(original.result(), assertInstanceOf(Done.class, retry.reply().outcomes().get(0)).result());
    assertEquals(95 * MICROS_PER_CREDIT, balance(account).available(), "charged once, not twice");
  }

  @Test
  void anOrgAskedToLeaveMemoryLeavesOnlyWithoutAnOpenHold() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    String hold = reserve(account, MICROS_PER_CREDIT);
    account.runCommand(new OrgAccount.LeaveIfIdle());
    assertTrue(passivations.isEmpty(), "its hold must expire on time, so it stays");

    done(account, new Operation.Release(nextId(), hold));
    account.runCommand(new OrgAccount.LeaveIfIdle());
    assertEquals(1, passivations.size(), "no hold open: it leaves, and remembers again when it recovers");
  }

  @Test
  void theSameIdWithOtherContentIsRefusedAfterItLeftMemory() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    done(account, first);
    chargeOthers(account, 49);

    var reuse = new Operation.Charge(first.requestId(), 2 * MICROS_PER_CREDIT, null, Labels.NONE);
    assertEquals(Rejection.IDEMPOTENCY_MISMATCH, rejected(account, reuse).reason());
    assertEquals(50 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void aRequestThatLeftMemoryIsStillKnownAfterRecoveryFromSnapshotAndEvents() {
    settings = new AccountSettings(new Retention(Duration.ofHours(24), MAX_ENTRIES), 7, 2, TestTerms.TERMS);
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    Done original = done(account, first);
    chargeOthers(account, 49);
    AccountState before = account.getState();

    AccountState recovered = account.restart().state();
    assertEquals(AccountSnapshot.of((OpenAccount) before), AccountSnapshot.of((OpenAccount) recovered));
    var retry = execute(account, first);
    assertTrue(retry.events().isEmpty());
    assertEquals(original.result(), assertInstanceOf(Done.class, retry.reply().outcomes().get(0)).result());
  }

  @Test
  void aRequestRememberedByALargerMemoryKeepsItsOutcomeWhenTheAccountRecoversWithASmallerOne() {
    // Remembered with twice the memory, below its write-ahead mark: nothing is in the table.
    settings = new AccountSettings(new Retention(Duration.ofHours(24), 2 * MAX_ENTRIES), 50, 2, TestTerms.TERMS);
    String orgId = "org-shrunk-" + UUID.randomUUID();
    var larger = unopened(orgId);
    done(larger, new Operation.CreateOrg(nextId(), orgId, "Shrunk", "payg"));
    done(larger, purchase(100 * MICROS_PER_CREDIT));
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    Done original = done(larger, first);
    chargeOthers(larger, MAX_ENTRIES);
    assertEquals(MAX_ENTRIES + 2, larger.getState().memory().requests().size(), "the purchase, the first charge and the others");
    assertTrue(rowsOf(orgId).isEmpty(), "nothing written to the table yet");

    // The org's next node (or this one, restarted) remembers half as many: replay pushes the oldest out.
    settings = new AccountSettings(new Retention(Duration.ofHours(24), MAX_ENTRIES), 50, 2, TestTerms.TERMS);
    List<Object> journal = larger.persistenceTestKit().persistedInStorage(OrgAccount.persistenceId(orgId).id());
    var smaller = unopened(orgId);
    smaller.initialize(journal.toArray()); // the same journal, replayed
    assertNull(smaller.getState().memory().request(first.requestId()), "replay pushed the first request out of memory");

    var retry = execute(smaller, first);
    assertTrue(retry.events().isEmpty(), "a retry changes nothing: charged once, not twice");
    assertEquals(original.result(), assertInstanceOf(Done.class, retry.reply().outcomes().get(0)).result());
    assertEquals(100 * MICROS_PER_CREDIT - (MAX_ENTRIES + 1) * MICROS_PER_CREDIT, balance(smaller).available());
    assertTrue(rowsOf(orgId).contains(first.requestId()), "the account wrote it to the table when it recovered");
  }

  @Test
  void aRetryInTheBatchThatPushesItOutOfMemoryGetsItsFirstOutcome() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    Done original = done(account, first);
    chargeOthers(account, MAX_ENTRIES - 1);
    assertEquals(original.result(), account.getState().memory().request(first.requestId()).result(), "still in memory");

    var batch = execute(account, charge(MICROS_PER_CREDIT), first);
    assertEquals(1, batch.events().size(), "only the new charge");
    assertEquals(original.result(), assertInstanceOf(Done.class, batch.reply().outcomes().get(1)).result());
    assertEquals(100 * MICROS_PER_CREDIT - (MAX_ENTRIES + 1) * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void anOrgWhoseMemoryStaysBelowTheWriteAheadMarkNeverReadsOrWritesTheTable() {
    AtomicInteger tableUses = new AtomicInteger();
    requestTable = new RequestOutcomeTable(() -> {
      tableUses.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("the table must not be used"));
    }, cbor());
    int mark = KeptAhead.writesFrom(MAX_ENTRIES);
    var account = org(purchase(100 * MICROS_PER_CREDIT)); // the purchase is one request
    Operation.Charge first = charge(MICROS_PER_CREDIT);
    done(account, first);
    chargeOthers(account, mark - 3);
    done(account, first);
    // A request id the org never saw, refused (so nothing is pushed out): no lookup either.
    rejected(account, charge(1000 * MICROS_PER_CREDIT));
    assertEquals(mark - 1, account.getState().memory().requests().size());

    // A day later the oldest have aged out of the window: forgetting them needs no row either.
    clock.advance(Duration.ofHours(25));
    chargeOthers(account, mark - 1);
    assertEquals(0, tableUses.get());
    assertEquals(0, spilled.get());
    assertEquals(0, lookups.get());
  }

  @Test
  void requestsWrittenAheadLeaveMemoryWithoutAWriteInFrontOfTheirBatch() {
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    int mark = KeptAhead.writesFrom(MAX_ENTRIES);
    chargeOthers(account, mark - 1); // with the purchase, memory reaches the mark: the oldest chunk is written ahead
    int chunk = KeptAhead.chunkOf(MAX_ENTRIES);
    awaitWrittenAhead(chunk);
    assertEquals(0, spilled.get(), "nothing has left memory yet");

    chargeOthers(account, MAX_ENTRIES - mark + chunk); // memory full, then the chunk written ahead is pushed out
    assertEquals(MAX_ENTRIES, account.getState().memory().requests().size());
    assertEquals(0, spilled.get(), "its batches waited on no write of the table");
  }

  @Test
  void anOrgThatSpilledReadsTheTableOncePerBatchUntilItsWindowHasPassed() {
    Operation.GrantCredits purchase = purchase(100 * MICROS_PER_CREDIT);
    var account = org(purchase);
    List<String> requestIds = new ArrayList<>(List.of(purchase.requestId()));
    for (int i = 0; i < MAX_ENTRIES + 5; i++) {
      Operation.Charge charge = charge(MICROS_PER_CREDIT);
      done(account, charge);
      requestIds.add(charge.requestId());
    }
    RequestMemory memory = account.getState().memory();
    List<String> pushedOut = requestIds.stream().filter(id -> memory.request(id) == null).toList();
    assertEquals(requestIds.subList(0, 6), pushedOut, "six requests more than memory holds, oldest first");
    Set<String> rows = rowsOf(((OpenAccount) account.getState()).orgId());
    assertTrue(rows.containsAll(pushedOut), "every request pushed out has its row: " + rows);

    int lookupsBefore = lookups.get();
    execute(account, charge(1), charge(1), charge(1));
    assertEquals(lookupsBefore + 1, lookups.get(), "one lookup for the batch's three new ids");

    clock.advance(Duration.ofHours(25));
    int spilledBefore = spilled.get();
    int lookupsAfterWindow = lookups.get();
    chargeOthers(account, 3);
    assertEquals(lookupsAfterWindow, lookups.get(), "nothing spilled within the window: no lookup");
    assertEquals(spilledBefore, spilled.get(), "aged out, not pushed out: no row in front of a batch");
    assertEquals(3, account.getState().memory().requests().size(), "and memory is below the write-ahead mark");
  }

  /** A UUIDv7 naming the test clock's time, as the SDK makes them. */
  String idNamingNow() {
    return SpilledRequestsTest.uuidV7(clock.instant(), UUID.randomUUID());
  }

  @Test
  void freshIdsNamingALaterTimeThanTheSpilledOnesAreNotLookedUpAndASpilledOnesRetryStillIs() {
    String orgId = "org-timed-" + UUID.randomUUID();
    var account = unopened(orgId);
    done(account, new Operation.CreateOrg(idNamingNow(), orgId, "Timed", "payg"));
    done(account, new Operation.GrantCredits(idNamingNow(), "purchase", GrantKind.PURCHASE, 100 * MICROS_PER_CREDIT, null, null, null));
    Operation.Charge first = new Operation.Charge(idNamingNow(), MICROS_PER_CREDIT, null, Labels.NONE);
    Done original = done(account, first);
    for (int i = 0; i < MAX_ENTRIES + 5; i++) {
      clock.advance(Duration.ofMillis(10));
      done(account, new Operation.Charge(idNamingNow(), MICROS_PER_CREDIT, null, Labels.NONE));
    }
    assertNull(account.getState().memory().request(first.requestId()), "the first request left memory");
    assertTrue(rowsOf(orgId).contains(first.requestId()));

    int lookupsBefore = lookups.get();
    clock.advance(Duration.ofMillis(10));
    var fresh = execute(account, new Operation.Charge(idNamingNow(), MICROS_PER_CREDIT, null, Labels.NONE),
        new Operation.Charge(idNamingNow(), MICROS_PER_CREDIT, null, Labels.NONE));
    assertEquals(2, fresh.events().size());
    assertEquals(lookupsBefore, lookups.get(), "ids made after every spilled one: no lookup");
    execute(account, charge(1));
    assertEquals(lookupsBefore, lookups.get(), "nor for an id naming no time: none such was spilled");

    var retry = execute(account, first);
    assertEquals(lookupsBefore + 1, lookups.get(), "a retry names a spilled id's time: looked up");
    assertTrue(retry.events().isEmpty(), "a retry changes nothing");
    assertEquals(original.result(), assertInstanceOf(Done.class, retry.reply().outcomes().get(0)).result());
    long charged = (1 + MAX_ENTRIES + 5 + 2) * MICROS_PER_CREDIT + 1; // and the one of 1 µcr
    assertEquals(100 * MICROS_PER_CREDIT - charged, balance(account).available(), "the first charged once");

    AccountState recovered = account.restart().state();
    assertEquals(account.getState().memory().spilled(), recovered.memory().spilled(), "what may be in the table survives recovery");
    execute(account, first);
    assertEquals(lookupsBefore + 2, lookups.get(), "and so does the lookup of a spilled id");
  }

  /** The request ids the table holds for an org. */
  /** The request ids the org kept in the request table: rows of their own, and those in chunks. */
  Set<String> rowsOf(String orgId) {
    Set<String> ids = new HashSet<>();
    session.execute(SimpleStatement.newInstance("SELECT request_id FROM tally.request_outcomes WHERE org_id = ?", orgId))
        .forEach(row -> ids.add(row.getString("request_id")));
    session.execute(SimpleStatement.newInstance("SELECT requests FROM tally.request_outcome_chunks WHERE org_id = ? ALLOW FILTERING", orgId))
        .forEach(row -> {
          try {
            byte[] bytes = new byte[row.getByteBuffer("requests").remaining()];
            row.getByteBuffer("requests").get(bytes);
            List<RequestOutcomeTable.Kept> chunk = cbor().readValue(bytes, new TypeReference<List<RequestOutcomeTable.Kept>>() {});
            chunk.forEach(kept -> ids.add(kept.requestId()));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    return ids;
  }

  /** Waits until the account has reported {@code rows} requests written ahead: the table's write is asynchronous. */
  void awaitWrittenAhead(int rows) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (writtenAhead.get() < rows) {
      assertTrue(System.nanoTime() < deadline, "written ahead: " + writtenAhead.get() + " of " + rows);
      Thread.onSpinWait();
    }
  }

  @Test
  void aBatchThatWouldForgetRequestsIsNotAppliedWhenTheTableCannotBeWritten() {
    requestTable = tableWithout(new IllegalStateException("Cassandra is away"));
    var account = org(purchase(100 * MICROS_PER_CREDIT));
    chargeOthers(account, MAX_ENTRIES - 1); // with the purchase, memory is full
    long available = balance(account).available();

    var batch = execute(account, charge(MICROS_PER_CREDIT));
    assertTrue(batch.events().isEmpty(), "nothing persisted");
    assertInstanceOf(Outcome.Unavailable.class, batch.reply().outcomes().get(0));
    assertEquals(available, balance(account).available());
  }

  @Test
  void theMemoryAndTheSnapshotHoldMaxEntriesWhateverTheWindow() {
    settings = new AccountSettings(new Retention(Duration.ofDays(365), MAX_ENTRIES), 50, 2, TestTerms.TERMS);
    var longWindow = org(purchase(100 * MICROS_PER_CREDIT));
    chargeOthers(longWindow, 50);
    AccountSnapshot snapshot = AccountSnapshot.of((OpenAccount) longWindow.getState());
    assertEquals(MAX_ENTRIES, snapshot.requests().size());

    settings = new AccountSettings(new Retention(Duration.ofHours(1), MAX_ENTRIES), 50, 2, TestTerms.TERMS);
    var shortWindow = org(purchase(100 * MICROS_PER_CREDIT));
    chargeOthers(shortWindow, 50);
    AccountSnapshot shortSnapshot = AccountSnapshot.of((OpenAccount) shortWindow.getState());
    var serialization = SerializationExtension.get(testKit.system());
    int longBytes = serialization.serialize(snapshot).get().length;
    int shortBytes = serialization.serialize(shortSnapshot).get().length;
    // The request ids differ by a few characters between the two orgs, nothing more.
    assertTrue(Math.abs(longBytes - shortBytes) < 200, longBytes + " vs " + shortBytes + " bytes");
  }

  @Test
  void requestsOlderThanTheWindowAreForgottenWithoutARow() {
    settings = new AccountSettings(new Retention(Duration.ofHours(1), MAX_ENTRIES), 50, 2, TestTerms.TERMS);
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    Operation.Charge recent = charge(1);
    done(account, recent);
    clock.advance(Duration.ofHours(2));
    done(account, charge(1));
    assertNull(account.getState().memory().request(recent.requestId()), "ids older than the window are forgotten");
    assertEquals(0, spilled.get());
  }
}
