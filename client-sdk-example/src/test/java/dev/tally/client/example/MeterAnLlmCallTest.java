package dev.tally.client.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
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
      String org = MeterAnLlmCall.createDemoOrg(tally);

      MeterAnLlmCall.meterCalls(tally, org);

      List<LedgerEntry> reserved = ledger(tally, org, "CREDITS_RESERVED");
      List<LedgerEntry> committed = ledger(tally, org, "RESERVATION_COMMITTED");
      assertEquals(4, reserved.size());
      assertEquals(3, committed.size());
      assertEquals(1, ledger(tally, org, "RESERVATION_RELEASED").size());
      LedgerEntry stream = committed.get(2);
      long streamHold = reserved.get(2).getAmount();
      assertTrue(stream.getAmount() > 0 && stream.getAmount() < streamHold,
          () -> "the broken stream billed " + stream.getAmount() + " of a " + streamHold + " hold");
      assertEquals(0, tally.balance(org).getBalance().getHeld());
    }
  }

  /** client-sdk/README.md: "so the org starts with 150". */
  @Test
  void theDemoOrgStartsWithItsPlansTrialCreditsAndTheGrant() {
    try (TallyClient tally = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).build()) {
      String org = MeterAnLlmCall.createDemoOrg(tally);

      assertEquals(Credits.of(150), tally.balance(org).getBalance().getAvailable());
    }
  }

  @Test
  void theExampleRunsAsAProgram() throws Exception {
    MeterAnLlmCall.main(new String[] {TestNode.address(), TestKeys.ADMIN});
  }

  private static List<LedgerEntry> ledger(TallyClient tally, String org, String type) {
    return tally.accounts().ledger(org).filter(entry -> entry.getType().equals(type)).toList();
  }
}
