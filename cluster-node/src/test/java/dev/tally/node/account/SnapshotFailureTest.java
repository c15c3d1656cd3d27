package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A snapshot that cannot be saved is something an operator must hear of; the org itself goes on. */
class SnapshotFailureTest extends AccountTestBase {

  @Test
  void aSnapshotThatCannotBeSavedIsCountedAndLoggedAndTheOrgGoesOn() {
    AtomicInteger snapshotFailures = new AtomicInteger();
    metrics = new AccountMetrics() {
      @Override
      public void snapshotFailed() {
        snapshotFailures.incrementAndGet();
      }
    };
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger accountLog = (Logger) LoggerFactory.getLogger(OrgAccount.class);
    accountLog.addAppender(log);
    try {
      var account = org(purchase(100 * MICROS_PER_CREDIT));
      account.snapshotTestKit().orElseThrow().failNextPersisted();
      for (int i = 0; i < settings.snapshotEveryEvents(); i++) reserve(account, 1);

      assertEquals(1, snapshotFailures.get());
      assertTrue(log.list.stream().anyMatch(line -> line.getLevel() == Level.WARN
          && line.getFormattedMessage().contains("could not be saved")), () -> "logged: " + log.list);
      assertEquals(settings.snapshotEveryEvents(), balance(account).openReservations(), "the org goes on serving");
    } finally {
      accountLog.detachAppender(log);
    }
  }
}
