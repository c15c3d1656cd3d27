package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.Credits;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** org set-plan, org set-overrides and prices against a real node: what they change is what org show shows. */
@ExtendWith({TestCassandra.class, TestNode.class})
class TermsCommandsTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private String orgOn(String plan) {
    String org = "terms-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", plan));
    return org;
  }

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    return result;
  }

  /** The plan's terms as the catalog gives them. */
  private JsonObject plan(String name) {
    for (JsonElement plan : ok(tallyctl.run("plans", "--json")).json().getAsJsonArray("plans")) {
      if (plan.getAsJsonObject().get("name").getAsString().equals(name)) return plan.getAsJsonObject();
    }
    throw new AssertionError("no plan " + name);
  }

  private JsonObject account(String org) {
    return ok(tallyctl.run("org", "show", org, "--json")).json().getAsJsonObject("account");
  }

  @Test
  void setPlanMovesTheOrgAndOrgShowShowsThePlanAndItsLimits() {
    String org = orgOn("payg");

    Result moved = ok(tallyctl.run("org", "set-plan", org, "flex"));

    assertTrue(moved.out().startsWith(org + " is on plan flex\n"), moved::toString);
    Result shown = ok(tallyctl.run("org", "show", org));
    long flexRate = plan("flex").getAsJsonObject("limits").get("requests_per_minute").getAsLong();
    assertAll(
        () -> assertTrue(shown.out().lines().anyMatch(line -> line.matches("plan\\s+flex")), shown::toString),
        () -> assertTrue(shown.out().contains("requests/min " + flexRate + ","), shown::toString));
    JsonObject json = ok(tallyctl.run("org", "set-plan", org, "payg", "--request-id", "back-" + org, "--json")).json();
    assertEquals("flex", json.get("plan").getAsString(), "back to payg is a downgrade: it waits for the period's end");
    assertEquals("payg", json.get("next_plan").getAsString());
    assertEquals("back-" + org, json.get("request_id").getAsString());
    assertEquals("payg", account(org).get("next_plan").getAsString());
  }

  @Test
  void setPlanTellsAnUpgradeFromADowngradeThatWaitsForThePeriodsEnd() {
    String org = orgOn("payg");

    ok(tallyctl.run("org", "set-plan", org, "flex"));
    JsonObject upgraded = account(org);
    Result downgraded = ok(tallyctl.run("org", "set-plan", org, "payg"));

    long flexAllocation = plan("flex").get("monthly_allocation_micro_credits").getAsLong();
    JsonObject period = upgraded.getAsJsonObject("period");
    assertEquals(flexAllocation, period.get("monthly_allocation_micro_credits").getAsLong());
    long granted = period.get("allocation_micro_credits").getAsLong();
    assertTrue(granted > 0 && granted <= flexAllocation, () -> "flex's allocation prorated for the rest of the month: " + upgraded);
    assertEquals(granted, upgraded.getAsJsonObject("balance").get("available_micro_credits").getAsLong(), "spendable at once");
    assertTrue(downgraded.out().startsWith(org + " stays on plan flex until "), downgraded::toString);
    assertTrue(downgraded.out().lines().anyMatch(line -> line.matches("next plan\\s+payg from .*")), downgraded::toString);
  }

  @Test
  void setOverridesGivesAnOrgItsOwnAllocationAndRollover() {
    String org = orgOn("payg");

    ok(tallyctl.run("org", "set-overrides", org, "--monthly-allocation", "30", "--rollover-months", "2"));

    JsonObject period = account(org).getAsJsonObject("period");
    assertEquals(30_000_000, period.get("monthly_allocation_micro_credits").getAsLong(), "30 credits a month from now");
    assertTrue(period.get("allocation_micro_credits").getAsLong() > 0, "prorated for the rest of this month, at once");
    Result refused = tallyctl.run("org", "set-overrides", org, "--rollover-months", "121");
    assertEquals(ExitCode.REFUSED.status, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("rollover_months"), refused::toString);
  }

  @Test
  void setPlanToAPlanNotInTheCatalogIsRefused() {
    String org = orgOn("payg");

    Result refused = tallyctl.run("org", "set-plan", org, "gold");

    assertEquals(ExitCode.REFUSED.status, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("INVALID_REQUEST") && refused.err().contains("plan must be one of"), refused::toString);
    assertEquals("payg", account(org).get("plan").getAsString());
  }

  @Test
  void setOverridesReplacesTheOrgsTermsAndClearGivesItThePlansBack() {
    String org = orgOn("flex");
    JsonObject flex = plan("flex").getAsJsonObject("limits");

    ok(tallyctl.run("org", "set-overrides", org, "--requests-per-minute", "120", "--credits-per-minute", "2.5",
        "--multiplier", "1.5"));

    JsonObject custom = account(org);
    JsonObject limits = custom.getAsJsonObject("limits");
    assertAll(
        () -> assertEquals(120, limits.get("requests_per_minute").getAsLong()),
        () -> assertEquals(2_500_000, limits.get("credits_per_minute_micro_credits").getAsLong()),
        () -> assertEquals(flex.get("concurrent_reservations").getAsInt(), limits.get("concurrent_reservations").getAsInt(),
            "not given: the plan's"),
        () -> assertEquals(1500, custom.get("price_multiplier_permille").getAsInt()));

    Result cleared = ok(tallyctl.run("org", "set-overrides", org, "--clear"));

    assertTrue(cleared.out().startsWith("cleared the overrides of " + org), cleared::toString);
    String planMultiplier = AccountCommands.multiplier(plan("flex").get("price_multiplier_permille").getAsInt());
    assertTrue(cleared.out().lines().anyMatch(line -> line.matches("multiplier\\s+" + planMultiplier.replace(".", "\\."))),
        cleared::toString);
    JsonObject back = account(org);
    assertEquals(flex, back.getAsJsonObject("limits"));
    assertEquals(plan("flex").get("price_multiplier_permille").getAsInt(), back.get("price_multiplier_permille").getAsInt());
  }

  @Test
  void setOverridesNeedsOverridesOrClearButNotBoth() {
    String org = orgOn("flex");

    Result none = tallyctl.run("org", "set-overrides", org);
    Result both = tallyctl.run("org", "set-overrides", org, "--clear", "--requests-per-minute", "5");

    assertEquals(ExitCode.USAGE.status, none.exit(), none::toString);
    assertEquals(ExitCode.USAGE.status, both.exit(), both::toString);
    assertTrue(none.err().contains("--clear"), none::toString);
  }

  @Test
  void pricesShowsEachModelAndCallTypeOfThePriceBookInCredits() {
    JsonObject json = ok(tallyctl.run("prices", "--json")).json();
    Result text = ok(tallyctl.run("prices"));

    JsonObject book = json.getAsJsonArray("price_books").get(0).getAsJsonObject();
    assertTrue(text.out().startsWith("price book " + book.get("version").getAsString()), text::toString);
    for (JsonElement model : book.getAsJsonArray("models")) {
      String name = model.getAsJsonObject().get("model").getAsString();
      String input = Credits.format(model.getAsJsonObject().get("input_per_million_micro_credits").getAsLong());
      assertTrue(text.out().lines().anyMatch(line -> line.startsWith(name + " ") && line.contains(" " + input + " ")),
          name + ": " + text);
    }
    JsonObject callTypes = book.getAsJsonObject("call_types_micro_credits");
    // The product sheet's price of an embedding call.
    assertEquals(10 * Credits.MICROS_PER_CREDIT, callTypes.get("embedding").getAsLong());
    for (Map.Entry<String, JsonElement> callType : callTypes.entrySet()) {
      assertTrue(text.out().lines().anyMatch(line ->
          line.matches(callType.getKey() + "\\s+" + Credits.format(callType.getValue().getAsLong()).replace(".", "\\."))), text::toString);
    }
  }
}
