package dev.tally.node.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tally.node.account.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One scan of the journal's ids serves every asker on the node that accepts its age: the asks of a
 * node's start share one, as do the ask that repeats while a scan is on its way (a dispatcher's
 * load, every tick until it came back); an ask for a newer listing than the last scan, and every ask
 * after a failed scan, start another.
 */
class JournalListingTest {

  final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T00:00:00Z"));
  final AtomicInteger scans = new AtomicInteger();

  /**
   * A listing whose scans answer the ids "a" and "b", the n-th scan failing when {@code failing} is n, and
   * failing to start at all (throwing) when {@code throwing} is n.
   */
  JournalListing listing(int failing, int throwing) {
    return new JournalListing(() -> {
      int n = scans.incrementAndGet();
      if (n == throwing) throw new IllegalStateException("no session yet");
      CompletionStage<List<String>> scan = n == failing
          ? CompletableFuture.failedFuture(new IllegalStateException("Cassandra away"))
          : CompletableFuture.completedFuture(List.of("a", "b"));
      return scan;
    });
  }

  JournalListing listing(int failing) {
    return listing(failing, 0);
  }

  static List<String> ids(CompletionStage<List<String>> listing) throws Exception {
    return listing.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void theAsksOfANodesStartShareOneScanThatStartsAfterEachOfThem() throws Exception {
    JournalListing listing = listing(0);
    Instant start = clock.instant();
    CompletionStage<List<String>> first = listing.ids(start, clock.instant());
    clock.advance(Duration.ofMillis(500)); // the next slice's dispatcher, started later, needs a scan after its start
    CompletionStage<List<String>> second = listing.ids(clock.instant(), clock.instant());
    assertEquals(List.of("a", "b"), ids(first));
    assertEquals(List.of("a", "b"), ids(second));
    assertEquals(1, scans.get());
  }

  @Test
  void anAskRepeatedWhileTheScanIsOnItsWayWaitsForIt() throws Exception {
    JournalListing listing = listing(0);
    Instant started = clock.instant();
    CompletionStage<List<String>> first = listing.ids(started, clock.instant());
    CompletionStage<List<String>> again = listing.ids(started, clock.instant());
    ids(first);
    ids(again);
    assertEquals(1, scans.get());
  }

  @Test
  void aListingYoungEnoughIsReadAgainWithoutAScanAndAnOlderOneIsNot() throws Exception {
    JournalListing listing = listing(0);
    ids(listing.ids(clock.instant(), clock.instant()));
    clock.advance(Duration.ofMinutes(5));
    ids(listing.ids(clock.instant().minus(Duration.ofMinutes(10)), clock.instant())); // a reader's pass, every 10 minutes
    assertEquals(1, scans.get());

    ids(listing.ids(clock.instant(), clock.instant())); // a dispatcher started now: the listing is older than it
    assertEquals(2, scans.get());
  }

  @Test
  void aFailedScanIsNotHandedToTheNextAsker() throws Exception {
    JournalListing listing = listing(1);
    Instant since = clock.instant().minus(Duration.ofMinutes(10));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> ids(listing.ids(since, clock.instant())));
    assertEquals("Cassandra away", failed.getCause().getMessage());
    assertEquals(List.of("a", "b"), ids(listing.ids(since, clock.instant())));
    assertEquals(2, scans.get());
  }

  @Test
  void aScanThatCannotStartFailsItsAskersInsteadOfLeavingThemWaiting() throws Exception {
    JournalListing listing = listing(0, 1);
    Instant since = clock.instant();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> ids(listing.ids(since, clock.instant())));
    assertEquals("no session yet", failed.getCause().getMessage());
    assertEquals(List.of("a", "b"), ids(listing.ids(since, clock.instant())));
  }
}
