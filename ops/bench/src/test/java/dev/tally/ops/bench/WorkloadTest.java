package dev.tally.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void zipfGivesTheTopOrgItsShareAndRankTwoHalfOfThat() {
    Workload workload = new Workload(10_000, 1.0, 0, 0, 1_000, "z");
    Map<String, Integer> counts = new HashMap<>();
    Workload.Sampler sampler = workload.sampler(7);
    int n = 200_000;
    for (int i = 0; i < n; i++) counts.merge(sampler.next().orgId(), 1, Integer::sum);

    // H(10,000) ≈ 9.79: rank 1 gets ~10.2 %, rank 2 half of it.
    double top = counts.get("z-0") / (double) n;
    double second = counts.get("z-1") / (double) n;
    assertEquals(workload.topOrgShare(), top, 0.005);
    assertEquals(top / 2, second, 0.005);
  }

  @Test
  void theHotOrgTakesItsShareAndChargesTheirs() {
    Workload workload = new Workload(100, 1.0, 0.6, 0.25, 1_000, "h");
    Workload.Sampler sampler = workload.sampler(3);
    int n = 100_000;
    int hot = 0;
    int charges = 0;
    for (int i = 0; i < n; i++) {
      Workload.Op op = sampler.next();
      if (op.orgId().equals(workload.hotOrg())) hot++;
      if (op.charge()) charges++;
      assertTrue(op.actual() >= 500 && op.actual() <= 1_000, "billed " + op.actual());
    }
    assertEquals(0.6, hot / (double) n, 0.01);
    assertEquals(0.25, charges / (double) n, 0.01);
  }

  @Test
  void allTrafficOnTheHotOrgNeedsOnlyThatOrg() {
    assertEquals(1, new Workload(10_000, 1.0, 1.0, 0, 1_000, "a").orgIds().size());
  }
}
