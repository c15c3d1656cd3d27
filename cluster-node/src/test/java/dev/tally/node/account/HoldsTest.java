package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.node.account.OrgEvent.ReservationExpired;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The open reservations of one account: their sum, their names and when they expire (rule 4). */
class HoldsTest {

  static final Instant NOW = Instant.parse("2026-11-05T10:00:00Z");

  static Reservation hold(String id, long held, int expiresInSeconds) {
    return new Reservation(id, held, NOW.plusSeconds(expiresInSeconds), Labels.NONE, "");
  }

  @Test
  void theHeldSumFollowsOpeningExtendingAndClosing() {
    Holds holds = Holds.NONE.opening(hold("rsv-1", 3, 60)).opening(hold("rsv-2", 4, 30));
    assertEquals(7, holds.held());
    assertEquals(9, holds.extending("rsv-1", 2, NOW.plusSeconds(90)).held());
    assertEquals(4, holds.minus("rsv-1").held());
    assertEquals(holds, holds.minus("rsv-404"));
  }

  @Test
  void aSnapshotsHoldsReadBackTheSameWithTheCountOfEveryReservationOpened() {
    Holds holds = Holds.NONE.opening(hold("rsv-1", 3, 60)).opening(hold("rsv_AAAAAAAAAAAAAAAAAAAAAA", 1, 30)).minus("rsv-1");
    assertEquals(2, holds.made(), "older nodes named holds by this count; a snapshot they read keeps it");
    Holds restored = Holds.of(holds.inExpiryOrder(), holds.made());
    assertEquals(holds, restored, "a snapshot's holds read back the same");
  }

  @Test
  void aHoldNotResolvedByItsExpiryIsReleasedWholeStampedWithTheMomentItExpired() {
    Holds holds = Holds.NONE.opening(hold("rsv-1", 3, 60)).opening(hold("rsv-2", 4, 30))
        .extending("rsv-2", 1, NOW.plusSeconds(45));
    assertEquals(List.of(), holds.expiriesBy(NOW.plusSeconds(44)));
    assertEquals(
        List.of(new ReservationExpired("rsv-2", 5, Labels.NONE, "", NOW.plusSeconds(45)),
            new ReservationExpired("rsv-1", 3, Labels.NONE, "", NOW.plusSeconds(60))),
        holds.expiriesBy(NOW.plusSeconds(60)));
  }
}
