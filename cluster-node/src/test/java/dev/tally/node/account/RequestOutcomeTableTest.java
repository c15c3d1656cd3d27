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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** tally.request_outcomes on a real Cassandra: what an org writes there reads back the same, for its window only. */
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
    Map<String, Remembered> found = table.find("org-table", asked).toCompletableFuture().get(1, TimeUnit.MINUTES);
    assertEquals(Map.of("req-0", forgotten.get(0).outcome(), "req-120", forgotten.get(120).outcome(),
        "req-249", forgotten.get(249).outcome()), found);
    assertEquals(Map.of(), table.find("another-org", asked).toCompletableFuture().get(1, TimeUnit.MINUTES),
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
}
