package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.RequestMemory.Remembered;
import dev.tally.node.account.RequestMemory.Retention;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which request ids an org that spilled requests must look up in the request table, and which it need not. */
class SpilledRequestsTest {

  static final Duration WINDOW = Duration.ofHours(24);
  final Instant start = Instant.parse("2026-11-05T10:00:00Z");
  final Random random = new Random(38);

  /** A UUIDv7 naming {@code time}, its other bits from {@code bits}, as the SDK makes them (tests elsewhere use it too). */
  static String uuidV7(Instant time, UUID bits) {
    long timeAndVersion = (time.toEpochMilli() << 16) | 0x7000L | (bits.getMostSignificantBits() & 0x0FFFL);
    long variantAndRest = (bits.getLeastSignificantBits() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(timeAndVersion, variantAndRest).toString();
  }

  String idNaming(Instant time) {
    return uuidV7(time, new UUID(random.nextLong(), random.nextLong()));
  }

  @Test
  void aUuidV7NamesItsFirst48BitsAsMillisecondsAndNoOtherIdNamesATime() {
    // RFC 9562's example UUIDv7, in either case.
    Instant example = Instant.parse("2022-02-22T19:22:22Z");
    assertEquals(Optional.of(example), SpilledRequests.idTime("017F22E2-79B0-7CC3-98C4-DC0C0C07398F"));
    assertEquals(Optional.of(example), SpilledRequests.idTime("017f22e2-79b0-7cc3-98c4-dc0c0c07398f"));
    assertEquals(Optional.of(start), SpilledRequests.idTime(idNaming(start)));

    assertEquals(Optional.empty(), SpilledRequests.idTime(UUID.randomUUID().toString()), "version 4");
    assertEquals(Optional.empty(), SpilledRequests.idTime("017f22e2-79b0-7cc3-58c4-dc0c0c07398f"), "not RFC 9562's variant");
    assertEquals(Optional.empty(), SpilledRequests.idTime("017f22e2-79b0-7cc3-98c4-dc0c0c07398g"), "not hex");
    assertEquals(Optional.empty(), SpilledRequests.idTime("017f22e2+79b0-7cc3-98c4-dc0c0c07398f"), "no dash");
    assertEquals(Optional.empty(), SpilledRequests.idTime("017f22e279b07cc398c4dc0c0c07398f"), "without dashes");
    assertEquals(Optional.empty(), SpilledRequests.idTime("req-1"));
    assertEquals(Optional.empty(), SpilledRequests.idTime(""));
  }

  @Test
  void anIdNamingALaterTimeThanEverySpilledIdNamedNeedsNoLookup() {
    Instant decided = start.plusSeconds(10);
    SpilledRequests spilled = SpilledRequests.NONE.plus(idNaming(start), decided);

    assertFalse(spilled.mayHold(idNaming(start.plusMillis(1)), decided, WINDOW), "made after the newest spilled id");
    assertTrue(spilled.mayHold(idNaming(start), decided, WINDOW), "the same millisecond as a spilled id");
    assertTrue(spilled.mayHold(idNaming(start.minusSeconds(60)), decided, WINDOW), "an older id: a late retry");
    assertFalse(spilled.mayHold("req-1", decided, WINDOW), "only ids naming a time were spilled");
    assertFalse(spilled.mayHold(idNaming(start), decided.plus(WINDOW).plusMillis(1), WINDOW), "the window has passed");
  }

  @Test
  void anIdNamingNoTimeIsLookedUpOnlyWhileAnIdNamingNoneWasSpilledWithinTheWindow() {
    SpilledRequests spilled = SpilledRequests.NONE.plus("create-acme", start).plus(idNaming(start), start.plusSeconds(1));

    assertTrue(spilled.mayHold("req-2", start.plusSeconds(1), WINDOW));
    assertFalse(spilled.mayHold(idNaming(start.plusSeconds(5)), start.plusSeconds(5), WINDOW),
        "an org's first requests with ids of its own do not make its SDK's ids read the table");
    Instant pastTheUntimed = start.plus(WINDOW).plusMillis(1);
    assertFalse(spilled.mayHold("req-2", pastTheUntimed, WINDOW));
    assertTrue(spilled.mayHold(idNaming(start), pastTheUntimed, WINDOW), "the timed one's window is still open");
  }

  @Test
  void anIdNamingATimeFarAheadOfItsDecisionIsNotTakenAtItsWordSoItCannotKeepItsOrgReadingBeyondOneWindow() {
    String fromTheFuture = idNaming(start.plus(Duration.ofDays(365)));
    SpilledRequests spilled = SpilledRequests.NONE.plus(fromTheFuture, start);
    assertEquals(start, spilled.farAheadUntil());
    assertEquals(Instant.EPOCH, spilled.idTimeUntil(), "its time is not taken");

    assertTrue(spilled.mayHold(fromTheFuture, start.plus(WINDOW), WINDOW), "its retry is found within its window");
    assertTrue(spilled.mayHold(idNaming(start.plusSeconds(1)), start.plusSeconds(1), WINDOW),
        "meanwhile every id naming a time is looked up");
    assertFalse(spilled.mayHold("req-1", start.plusSeconds(1), WINDOW), "not one naming none");
    Instant dayAfter = start.plus(WINDOW).plusSeconds(1);
    SpilledRequests later = spilled.plus(idNaming(dayAfter.minusSeconds(1)), dayAfter);
    assertFalse(later.mayHold(idNaming(dayAfter), dayAfter, WINDOW), "a window later, fresh ids need no lookup again");

    SpilledRequests slightlyAhead = SpilledRequests.NONE.plus(idNaming(start.plusSeconds(30)), start);
    assertEquals(start.plusSeconds(30), slightlyAhead.idTimeUntil(), "a caller's clock ahead within the lead still counts");
  }

  @Test
  void aSnapshotKeptBeforeIdTimesLooksUpEveryUnknownIdUntilItsWindowEnds() {
    SpilledRequests formerly = SpilledRequests.keptBeforeIdTimes(start);
    assertTrue(formerly.mayHold(idNaming(start.plusSeconds(1)), start.plusSeconds(1), WINDOW));
    assertTrue(formerly.mayHold("req-1", start.plusSeconds(1), WINDOW));
    assertFalse(formerly.mayHold("req-1", start.plus(WINDOW).plusMillis(1), WINDOW));
    assertEquals(SpilledRequests.NONE, SpilledRequests.keptBeforeIdTimes(null), "nothing had spilled");
  }

  /**
   * The rule that keeps rule 6: whatever ids callers send and whatever their clocks say, an id a
   * memory pushed out inside the window is always looked up. A hundred random runs of a small memory, with
   * ids that name the time of the node's clock give or take two seconds, times far ahead or
   * behind, or none, and the clock moving by up to a day at times; each spilled id is checked
   * after every request. It also counts what the rule is for: in the runs without ids naming a
   * time far ahead, fresh ids that skip the lookup.
   */
  @Test
  void everyRequestPushedOutInsideTheWindowIsLookedUpWhateverIdsCallersSend() {
    Retention retention = new Retention(WINDOW, 8);
    int freshSkipped = 0;
    int freshAfterSpills = 0;
    for (int run = 0; run < 100; run++) {
      RequestMemory memory = RequestMemory.EMPTY;
      Map<String, Instant> pushedOut = new HashMap<>();
      Instant now = start;
      for (int step = 0; step < 200; step++) {
        now = now.plusMillis(random.nextInt(100) == 0 ? random.nextLong(WINDOW.toMillis() + 1) : random.nextInt(1_000));
        boolean honest = run % 2 == 1; // no id naming a time far ahead
        int kind = random.nextInt(20);
        if (honest && kind == 1) kind = 0;
        String requestId = switch (kind) {
          case 0 -> "req-" + random.nextLong();
          case 1 -> idNaming(now.plus(Duration.ofDays(random.nextInt(1, 400))));
          case 2 -> idNaming(now.minus(Duration.ofSeconds(random.nextInt(1, 100_000))));
          default -> idNaming(now.minusMillis(random.nextInt(-2_000, 2_000)));
        };
        if (honest && kind >= 3 && memory.spilled().anyWithin(now, WINDOW)) {
          freshAfterSpills++;
          if (!memory.mayHaveSpilled(requestId, now, WINDOW)) freshSkipped++;
        }
        RequestMemory before = memory;
        memory = memory.remember(requestId, new Remembered(step, new Outcome.Released(step), now), retention);
        for (var gone : memory.spilledSince(before, now, WINDOW)) pushedOut.put(gone.requestId(), gone.outcome().at());
        Instant checkedAt = now;
        pushedOut.values().removeIf(decided -> decided.plus(WINDOW).isBefore(checkedAt)); // the row's TTL has passed
        for (var row : pushedOut.entrySet()) {
          if (memory.request(row.getKey()) == null) {
            assertTrue(memory.mayHaveSpilled(row.getKey(), now, WINDOW),
                "run " + run + " step " + step + ": " + row.getKey() + " spilled at " + row.getValue() + ", " + memory.spilled());
          }
        }
      }
    }
    assertTrue(freshSkipped > freshAfterSpills / 2,
        "fresh ids skip the lookup at times: " + freshSkipped + " of " + freshAfterSpills);
  }
}
