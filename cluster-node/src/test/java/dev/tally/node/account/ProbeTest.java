package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.node.account.OrgAccount.Outcomes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The probe the batcher sends after a timed-out batch: answered, and nothing changes. */
class ProbeTest extends AccountTestBase {

  @Test
  void anOpenOrgAnswersAProbeWithNoOutcomesAndWritesNothing() {
    var account = org(purchase(10 * MICROS_PER_CREDIT));
    var probed = account.<Outcomes>runCommand(OrgAccount.Probe::new);
    assertEquals(List.of(), probed.reply().outcomes());
    assertTrue(probed.events().isEmpty(), "a probe writes no event");
    assertEquals(10 * MICROS_PER_CREDIT, balance(account).available());
  }

  @Test
  void anUnknownOrgAnswersAProbeAndAsksToBeStopped() {
    int before = passivations.size();
    var probed = unopened("never-created").<Outcomes>runCommand(OrgAccount.Probe::new);
    assertEquals(List.of(), probed.reply().outcomes());
    assertEquals(before + 1, passivations.size(), "a probe must not keep an unknown org's entity in memory");
  }
}
