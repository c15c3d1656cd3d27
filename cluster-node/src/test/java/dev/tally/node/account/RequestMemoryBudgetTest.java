package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestMemoryBudgetTest {

  static final Runnable STAYS = () -> {};

  @Test
  void underItsBudgetANodeLetsEachOrgRememberAsManyAsConfigured() {
    var budget = new RequestMemoryBudget(1_000, 10);
    budget.holds("a", 600, 0, STAYS);
    budget.holds("b", 400, 0, STAYS);
    assertEquals(1_000, budget.held());
    assertEquals(5_000, budget.maxEntries(5_000));
  }

  @Test
  void aboveItEachOrgRemembersItsShareButNeverLessThanTheFloorNorMoreThanConfigured() {
    var budget = new RequestMemoryBudget(1_000, 10);
    budget.holds("a", 900, 0, STAYS);
    budget.holds("b", 200, 0, STAYS);
    assertEquals(500, budget.maxEntries(5_000), "the budget over the two orgs holding any");
    assertEquals(300, budget.maxEntries(300), "never more than configured");

    for (int i = 0; i < 200; i++) budget.holds("small-" + i, 1, 0, STAYS);
    assertEquals(10, budget.maxEntries(5_000), "1,000 over 202 orgs is 4: the floor, a batch's own requests");
  }

  @Test
  void whatAnOrgHoldsReplacesWhatItHeldAndLeavesWithIt() {
    var budget = new RequestMemoryBudget(1_000, 10);
    budget.holds("a", 600, 0, STAYS);
    budget.holds("a", 700, 0, STAYS);
    budget.holds("b", 50, 0, STAYS);
    assertEquals(750, budget.held());
    budget.left("a");
    assertEquals(50, budget.held());
    budget.holds("b", 0, 0, STAYS);
    assertEquals(0, budget.held());
    assertEquals(5_000, budget.maxEntries(5_000));
  }

  @Test
  void aboveItTheIdleOrgsHoldingMostAreAskedToLeaveUntilTheExcessIsCovered() {
    var budget = new RequestMemoryBudget(1_000, 10);
    List<String> asked = new ArrayList<>();
    budget.holds("busy", 900, 100, () -> asked.add("busy"));
    budget.holds("idle-large", 300, 10, () -> asked.add("idle-large"));
    budget.holds("idle-medium", 200, 10, () -> asked.add("idle-medium"));
    budget.holds("idle-small", 100, 10, () -> asked.add("idle-small"));

    // 1,500 held, 500 over: the two largest idle orgs hold it; the busy one trims itself as it writes.
    assertEquals(2, budget.askIdleToLeave(50));
    assertEquals(List.of("idle-large", "idle-medium"), asked);
  }

  @Test
  void anOrgThatHasToStayIsNotAskedAgainUntilItWrites() {
    var budget = new RequestMemoryBudget(1_000, 10);
    List<String> asked = new ArrayList<>();
    budget.holds("holding-a-hold", 800, 10, () -> asked.add("holding-a-hold"));
    budget.holds("idle", 400, 10, () -> asked.add("idle"));
    budget.stays("holding-a-hold");

    assertEquals(1, budget.askIdleToLeave(50));
    assertEquals(List.of("idle"), asked);

    budget.holds("holding-a-hold", 800, 60, () -> asked.add("holding-a-hold"));
    assertEquals(1, budget.askIdleToLeave(100), "it wrote, so it may be asked again: the largest, it covers the excess");
    assertEquals(List.of("idle", "holding-a-hold"), asked);
  }

  @Test
  void underItNoOrgIsAsked() {
    var budget = new RequestMemoryBudget(1_000, 10);
    List<String> asked = new ArrayList<>();
    budget.holds("idle", 1_000, 10, () -> asked.add("idle"));
    assertEquals(0, budget.askIdleToLeave(50));
    assertEquals(List.of(), asked);
  }

  @Test
  void withoutABudgetEveryOrgRemembersAsConfigured() {
    var budget = RequestMemoryBudget.unbounded();
    budget.holds("a", Integer.MAX_VALUE, 0, STAYS);
    budget.holds("b", Integer.MAX_VALUE, 0, STAYS);
    assertEquals(5_000, budget.maxEntries(5_000));
    assertEquals(0, budget.askIdleToLeave(Long.MAX_VALUE));
  }
}
