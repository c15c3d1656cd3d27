package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.RequestMemory.Remembered;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What an org keeps of a request's fingerprint: enough to tell a retry from another request, across snapshots. */
class RememberedTest {

  final Instant now = Instant.parse("2026-11-01T00:00:00Z");
  final Operation.Reserve reserve = new Operation.Reserve("r1", 30, null, Duration.ofMinutes(5), Labels.NONE);
  final Outcome.Reserved reserved = new Outcome.Reserved("rsv-1", 30, now.plusSeconds(300));

  @Test
  void aRetryMatchesAndOtherContentDoesNot() {
    Remembered remembered = Remembered.of(reserve.fingerprint(), reserved, now);
    assertTrue(remembered.sameContent(reserve.fingerprint()));
    Operation.Reserve more = new Operation.Reserve("r1", 31, null, Duration.ofMinutes(5), Labels.NONE);
    assertFalse(remembered.sameContent(more.fingerprint()));
  }

  @Test
  void snapshotsOfEitherFormReadBackToTheSame() {
    Remembered remembered = Remembered.of(reserve.fingerprint(), reserved, now);
    // what snapshots now hold (16 hex digits), and the whole digest (24) that older snapshots hold
    assertEquals(remembered, Remembered.of(remembered.fingerprintHex(), reserved, now));
    assertEquals(24, reserve.fingerprint().length());
    assertTrue(Remembered.of(reserve.fingerprint(), reserved, now).sameContent(remembered.fingerprintHex()));
  }
}
