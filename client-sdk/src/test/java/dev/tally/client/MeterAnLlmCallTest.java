package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.example.MeterAnLlmCall;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.Credits;
import dev.tally.v1.LedgerEntry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README's example program meters its simulated LLM calls end to end against a real node. */
@ExtendWith({TestCassandra.class, TestNode.class})
class MeterAnLlmCallTest {

  @Test
  void theExampleBillsTwoCallsAndTheDeliveredPartOfAStreamAndNotTheFailedCall() {
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).build()) {
      Orgs orgs = new Orgs(tally.accounts());
      String org = orgs.withCredits(Credits.of(50));

      MeterAnLlmCall.meterCalls(tally, org);

      List<LedgerEntry> reserved = orgs.ledger(org, "CREDITS_RESERVED");
      List<LedgerEntry> committed = orgs.ledger(org, "RESERVATION_COMMITTED");
      assertEquals(4, reserved.size());
      assertEquals(3, committed.size());
      assertEquals(1, orgs.ledger(org, "RESERVATION_RELEASED").size());
      LedgerEntry stream = committed.get(2);
      long streamHold = reserved.get(2).getAmount();
      assertTrue(stream.getAmount() > 0 && stream.getAmount() < streamHold,
          () -> "the broken stream billed " + stream.getAmount() + " of a " + streamHold + " hold");
      assertEquals(0, tally.balance(org).getBalance().getHeld());
    }
  }

  @Test
  void theExampleRunsAsAProgram() throws Exception {
    MeterAnLlmCall.main(new String[] {TestNode.address(), TestKeys.ADMIN});
  }
}
