package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.LedgerEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link AccountsClient#ledger}: the whole ledger, page after page, as one stream. */
@ExtendWith({TestCassandra.class, TestNode.class})
class LedgerTest {

  static final int CHARGES = AccountsClient.LEDGER_PAGE + 100;

  @Test
  void aLedgerLongerThanAPageIsReadWholeInOrder() {
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address())
        .defaultDeadline(Duration.ofSeconds(30)).build()) {
      String orgId = new Orgs(tally.accounts()).withCredits(CHARGES);
      for (int sent = 0; sent < CHARGES; sent += 100) {
        List<CompletableFuture<?>> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) hundred.add(tally.chargeAsync(orgId, Usage.microCredits(1)));
        CompletableFuture.allOf(hundred.toArray(CompletableFuture[]::new)).join();
      }

      List<LedgerEntry> ledger = tally.accounts().ledger(orgId).toList();

      assertEquals(CHARGES, ledger.stream().filter(entry -> entry.getType().equals("CREDITS_CHARGED")).count());
      assertEquals(LongStream.rangeClosed(1, ledger.size()).boxed().toList(),
          ledger.stream().map(LedgerEntry::getSequenceNr).toList(), "every entry once, oldest first, across pages");
      assertEquals(List.of(ledger.get(0), ledger.get(1)), tally.accounts().ledger(orgId).limit(2).toList());
    }
  }
}
