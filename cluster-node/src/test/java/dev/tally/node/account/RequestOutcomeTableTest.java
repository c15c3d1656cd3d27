package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.tally.node.account.RequestMemory.Forgotten;
import dev.tally.node.account.RequestMemory.Remembered;
import dev.tally.testkit.TestCassandra;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * tally.request_outcomes and tally.request_outcome_chunks on a real Cassandra: what an org writes
 * there reads back the same, for its window only; requests whose ids name a time take a row per
 * second named, others a row each.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestOutcomeTableTest {

  static final Duration WINDOW = Duration.ofHours(24);

  ActorTestKit testKit;
  CqlSession session;
  RequestOutcomeTable table;

  @BeforeAll
  void connect() {
    testKit = ActorTestKit.create(AccountTestBase.CONFIG);
    session = CqlSession.builder()
        .addContactPoint(new InetSocketAddress("127.0.0.1", TestCassandra.server().cqlPort()))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .startProfile("pekko-persistence-cassandra-profile")
            .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "QUORUM")
            .endProfile()
            .build())
        .build();
    table = new RequestOutcomeTable(() -> CompletableFuture.completedFuture(session),
        org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("jackson-cbor", java.util.Optional.empty()));
  }

  @AfterAll
  void disconnect() {
    session.close();
    testKit.shutdownTestKit();
  }

  @Test
  void keptRequestsReadBackAsTheyWereAcrossSeveralBatches() throws Exception {
    Instant now = Instant.parse("2026-11-05T10:00:00Z");
    List<Forgotten> forgotten = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      Outcome.Result result = new Outcome.Charged(i + 1, List.of(new Draw("g-" + i, i + 1)), dev.tally.node.terms.Cost.plain(i + 1));
      forgotten.add(new Forgotten("req-" + i, new Remembered(0x1234_5678_9abc_def0L + i, result, now.minusSeconds(i))));
    }
    table.keep("org-table", forgotten, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES);

    Set<String> asked = new HashSet<>(Set.of("req-0", "req-120", "req-249", "never-kept"));
    Map<String, Remembered> found = table.find("org-table", asked, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES);
    assertEquals(Map.of("req-0", forgotten.get(0).outcome(), "req-120", forgotten.get(120).outcome(),
        "req-249", forgotten.get(249).outcome()), found);
    assertEquals(Map.of(), table.find("another-org", asked, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES),
        "rows belong to their org");
  }

  @Test
  void aRowLivesAsLongAsWhatIsLeftOfItsRequestsWindow() throws Exception {
    Instant now = Instant.now();
    Instant at = now.minus(Duration.ofHours(23));
    table.keep("org-ttl", List.of(new Forgotten("late", new Remembered(1, new Outcome.Released(5), at))), now, WINDOW)
        .toCompletableFuture().get(1, TimeUnit.MINUTES);
    int ttl = session.execute("SELECT TTL(result) FROM tally.request_outcomes WHERE org_id = 'org-ttl' AND request_id = 'late'")
        .one().getInt(0);
    assertTrue(ttl > 3000 && ttl <= 3600, "an hour left of its window, not a day: " + ttl + " s");
  }

  @Test
  void requestsWhoseIdsNameATimeTakeARowPerHundredthOfASecondNamedAndReadBackWithTheOthers() throws Exception {
    Instant now = Instant.parse("2026-12-05T10:00:00Z");
    List<Forgotten> forgotten = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      Instant made = now.minusSeconds(60).plusMillis(i); // three seconds' worth of ids, a millisecond apart
      forgotten.add(new Forgotten(SpilledRequestsTest.uuidV7(made, UUID.randomUUID()), new Remembered(i, charged(i), made.plusMillis(2))));
    }
    forgotten.add(new Forgotten("caller-chosen-1", new Remembered(7, charged(7), now.minusSeconds(30))));
    forgotten.add(new Forgotten("caller-chosen-2", new Remembered(8, charged(8), now.minusSeconds(30))));
    table.keep("org-chunks", forgotten, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES);

    assertEquals(300, session.execute("SELECT * FROM tally.request_outcome_chunks WHERE org_id = 'org-chunks' ALLOW FILTERING")
        .all().size(), "one row per hundredth of a second named, not one per request");
    assertEquals(2, session.execute("SELECT * FROM tally.request_outcomes WHERE org_id = 'org-chunks'").all().size(),
        "a row each for ids naming no time");
    Set<String> asked = Set.of(forgotten.get(0).requestId(), forgotten.get(1_500).requestId(), forgotten.get(2_999).requestId(),
        "caller-chosen-2", SpilledRequestsTest.uuidV7(now.minusSeconds(60), UUID.randomUUID()));
    assertEquals(Map.of(forgotten.get(0).requestId(), forgotten.get(0).outcome(),
            forgotten.get(1_500).requestId(), forgotten.get(1_500).outcome(),
            forgotten.get(2_999).requestId(), forgotten.get(2_999).outcome(),
            "caller-chosen-2", forgotten.get(3_001).outcome()),
        table.find("org-chunks", asked, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES));
    assertEquals(Map.of(), table.find("another-org", asked, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES),
        "rows belong to their org");
  }

  /**
   * What a recovery writes when its replay pushed out an org's requests of many seconds: a batch per second named,
   * more than the 1,024 requests the driver's connection takes at once. Issued all at once, those beyond failed
   * ("no connection was available") and the recovery with them.
   */
  @Test
  void requestsNamingThousandsOfSecondsAreAllKeptThroughOneConnection() throws Exception {
    Instant now = Instant.parse("2026-12-06T18:00:00Z");
    List<Forgotten> forgotten = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      Instant made = now.minusSeconds(10_000).plusSeconds(3 * i); // a request every three seconds: a batch each
      forgotten.add(new Forgotten(SpilledRequestsTest.uuidV7(made, UUID.randomUUID()), new Remembered(i, charged(i), made)));
    }
    table.keep("org-seconds", forgotten, now, WINDOW).toCompletableFuture().get(2, TimeUnit.MINUTES);

    assertEquals(3_000, session.execute("SELECT * FROM tally.request_outcome_chunks WHERE org_id = 'org-seconds' ALLOW FILTERING")
        .all().size(), "every second's row written");
    Set<String> asked = Set.of(forgotten.get(0).requestId(), forgotten.get(1_777).requestId(), forgotten.get(2_999).requestId());
    assertEquals(Map.of(forgotten.get(0).requestId(), forgotten.get(0).outcome(),
            forgotten.get(1_777).requestId(), forgotten.get(1_777).outcome(),
            forgotten.get(2_999).requestId(), forgotten.get(2_999).outcome()),
        table.find("org-seconds", asked, now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES));
  }

  @Test
  void aChunkLivesUntilTheWindowOfItsLastRequestEndsAndNoRequestIsFoundBeyondItsOwn() throws Exception {
    Instant now = Instant.now();
    Instant second = now.minus(Duration.ofHours(24)).truncatedTo(ChronoUnit.SECONDS);
    String older = SpilledRequestsTest.uuidV7(second, UUID.randomUUID());
    String newer = SpilledRequestsTest.uuidV7(second.plusMillis(5), UUID.randomUUID()); // the same hundredth
    table.keep("org-chunk-ttl", List.of(
            new Forgotten(older, new Remembered(1, charged(1), now.minus(WINDOW).minusSeconds(5))),
            new Forgotten(newer, new Remembered(2, charged(2), now.minus(Duration.ofHours(23))))), now, WINDOW)
        .toCompletableFuture().get(1, TimeUnit.MINUTES);
    var rows = session.execute("SELECT TTL(requests) FROM tally.request_outcome_chunks WHERE org_id = 'org-chunk-ttl' AND named_second = ?",
        second.getEpochSecond()).all();
    assertEquals(1, rows.size(), "one chunk");
    int ttl = rows.get(0).getInt(0);
    assertTrue(ttl > 3000 && ttl <= 3600, "the hour left of its last request's window: " + ttl + " s");
    assertEquals(Set.of(newer), table.find("org-chunk-ttl", Set.of(older, newer), now, WINDOW)
        .toCompletableFuture().get(1, TimeUnit.MINUTES).keySet(), "the older request's window is over");
  }

  @Test
  void anIdNamingATimeKeptBeforeChunksIsStillFound() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS); // as Cassandra keeps timestamps
    String id = SpilledRequestsTest.uuidV7(now.minusSeconds(10), UUID.randomUUID());
    Remembered outcome = new Remembered(3, new Outcome.Released(5), now.minusSeconds(10));
    // As a node before V13 wrote it: a row of its own in tally.request_outcomes.
    table.keep("org-before-chunks", List.of(new Forgotten("untimed-twin", outcome)), now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES);
    var twin = session.execute("SELECT fingerprint, result, at FROM tally.request_outcomes"
        + " WHERE org_id = 'org-before-chunks' AND request_id = 'untimed-twin'").one();
    session.execute("INSERT INTO tally.request_outcomes (org_id, request_id, fingerprint, result, at)"
        + " VALUES ('org-before-chunks', ?, ?, ?, ?)", id, twin.getLong(0), twin.getByteBuffer(1), twin.getInstant(2));
    assertEquals(Map.of(id, outcome), table.find("org-before-chunks", Set.of(id), now, WINDOW).toCompletableFuture().get(1, TimeUnit.MINUTES));
  }

  /** Two requests of a chunk as this version stores them (Jackson CBOR): chunks written a day before an upgrade must read. */
  static final String STORED_CHUNK = "82bf69726571756573744964782430316132343431342d663265652d376136392d623239392d36643431376132303861"
      + "39316b66696e6765727072696e741b123456789abcdef066726573756c74bf6540747970656f4f7574636f6d65244368"
      + "617267656467636861726765640265647261777381bf676772616e74496463672d3166616d6f756e7402ff64636f7374"
      + "bf66616d6f756e7402707072696365426f6f6b56657273696f6e60726d756c7469706c6965725065726d696c6c651903"
      + "e8ffff6261747818323032362d31322d30355431303a30303a30302e3132335affbf6972657175657374496478243031"
      + "6132343431342d663265652d376136392d623239392d3664343137613230386139326b66696e6765727072696e74182a"
      + "66726573756c74bf654074797065704f7574636f6d652452656c65617365646872656c656173656405ff626174781832"
      + "3032362d31322d30355431303a30303a30302e3132355aff";

  @Test
  void aChunkAsStoredSinceV13StillReads() {
    List<RequestOutcomeTable.Kept> kept = List.of(
        new RequestOutcomeTable.Kept("01a24414-f2ee-7a69-b299-6d417a208a91", 0x1234_5678_9abc_def0L, charged(1),
            Instant.parse("2026-12-05T10:00:00.123Z")),
        new RequestOutcomeTable.Kept("01a24414-f2ee-7a69-b299-6d417a208a92", 42, new Outcome.Released(5),
            Instant.parse("2026-12-05T10:00:00.125Z")));
    assertEquals(kept, table.chunk(ByteBuffer.wrap(HexFormat.of().parseHex(STORED_CHUNK))));
    assertEquals(kept, table.chunk(ByteBuffer.wrap(table.bytes(kept))), "and what this version writes reads back");
  }

  static Outcome.Result charged(int i) {
    return new Outcome.Charged(i + 1, List.of(new Draw("g-" + i, i + 1)), dev.tally.node.terms.Cost.plain(i + 1));
  }
}
