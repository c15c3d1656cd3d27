package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.RequestMemory.Forgotten;
import dev.tally.node.account.RequestMemory.Remembered;
import dev.tally.node.account.RequestMemory.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which forgotten requests must be in the request table, and until when the table can hold an unknown id. */
class RequestMemoryTest {

  static final Retention TWO_FOR_AN_HOUR = new Retention(Duration.ofHours(1), 2);
  final Instant start = Instant.parse("2026-11-05T10:00:00Z");

  Remembered at(Instant at) {
    return new Remembered(7, new Outcome.Released(1), at);
  }

  @Test
  void aRequestPushedOutForRoomInsideTheWindowIsSpilledAndMarksTheHorizon() {
    RequestMemory two = RequestMemory.EMPTY
        .remember("a", at(start), TWO_FOR_AN_HOUR)
        .remember("b", at(start.plusSeconds(1)), TWO_FOR_AN_HOUR);
    assertFalse(two.mayHaveSpilled("x", start.plusSeconds(1), TWO_FOR_AN_HOUR.window()), "nothing spilled yet");

    RequestMemory three = two.remember("c", at(start.plusSeconds(2)), TWO_FOR_AN_HOUR);
    assertNull(three.request("a"));
    assertEquals(List.of(new Forgotten("a", at(start))),
        three.spilledSince(two, start.plusSeconds(2), TWO_FOR_AN_HOUR.window()));
    assertEquals(start, three.spilled().until());
    assertTrue(three.mayHaveSpilled("x", start.plus(Duration.ofMinutes(59)), TWO_FOR_AN_HOUR.window()));
    assertFalse(three.mayHaveSpilled("x", start.plus(Duration.ofMinutes(61)), TWO_FOR_AN_HOUR.window()),
        "once the spilled request's window has passed, no unknown id can be in the table");
  }

  @Test
  void aRequestForgottenForItsAgeNeedsNoRow() {
    RequestMemory one = RequestMemory.EMPTY.remember("a", at(start), TWO_FOR_AN_HOUR);
    Instant later = start.plus(Duration.ofHours(2));
    RequestMemory after = one.remember("b", at(later), TWO_FOR_AN_HOUR);
    assertNull(after.request("a"));
    assertEquals(List.of(), after.spilledSince(one, later, TWO_FOR_AN_HOUR.window()));
    assertEquals(SpilledRequests.NONE, after.spilled());
  }
}
