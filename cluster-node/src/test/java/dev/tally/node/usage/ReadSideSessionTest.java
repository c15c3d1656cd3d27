package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverExecutionProfile;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The readers' Cassandra session has at most four requests in Cassandra at once, the rest queued in
 * the driver; the journal's session is not paced. Read through the driver's own loader, from the
 * config path the session provider (dev.tally.node.CassandraSessions) opens each session with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadSideSessionTest {

  final ActorSystem system = ActorSystem.create("read-side-session",
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterAll
  void stop() {
    system.terminate();
  }

  @Test
  void theReadersSessionIsPacedAndTheJournalsIsNot() {
    DriverExecutionProfile readers = driverProfileOf(ReadSide.SESSION);
    assertEquals("ConcurrencyLimitingRequestThrottler", readers.getString(DefaultDriverOption.REQUEST_THROTTLER_CLASS));
    assertEquals(4, readers.getInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_CONCURRENT_REQUESTS));
    assertEquals(10_000, readers.getInt(DefaultDriverOption.REQUEST_THROTTLER_MAX_QUEUE_SIZE));

    DriverExecutionProfile journal = driverProfileOf("pekko.persistence.cassandra");
    assertEquals("PassThroughRequestThrottler", journal.getString(DefaultDriverOption.REQUEST_THROTTLER_CLASS));
    assertEquals(readers.getStringList(DefaultDriverOption.CONTACT_POINTS),
        journal.getStringList(DefaultDriverOption.CONTACT_POINTS), "the same Cassandra");
  }

  private DriverExecutionProfile driverProfileOf(String session) {
    Config plugin = system.settings().config().getConfig(session);
    return DriverConfigLoaderFromConfig.fromConfig(CqlSessionProvider.driverConfig(system, plugin))
        .getInitialConfig().getDefaultProfile();
  }
}
