package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl package list and package buy against a real node on a real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
class PackageCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private String openOrg(String plan) {
    String org = "buyer-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", plan));
    return org;
  }

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  private long available(String org) {
    return ok(tallyctl.run("balance", org, "--json")).json()
        .getAsJsonObject("balance").get("available_micro_credits").getAsLong();
  }

  @Test
  void packageListShowsTheCatalogInCreditsAndMicroCredits() {
    Result listed = ok(tallyctl.run("package", "list"));
    assertTrue(listed.out().lines().anyMatch(line -> line.matches("standard\\s+1000\\.000000\\s+10\\.00 USD\\s+365 days\\s+every plan")),
        listed::toString);
    assertTrue(listed.out().lines().anyMatch(line -> line.matches("enterprise\\s+1\\.000000 to 100000000\\.000000\\s+custom\\s+365 days\\s+enterprise")),
        listed::toString);

    JsonObject json = ok(tallyctl.run("package", "list", "--json")).json();
    JsonObject professional = json.getAsJsonArray("packages").get(1).getAsJsonObject();
    assertEquals("professional", professional.get("name").getAsString());
    assertEquals(5_000_000_000L, professional.get("credits_micro_credits").getAsLong());
  }

  @Test
  void packageBuyGrantsOncePerPaymentReferenceHoweverOftenItRuns() {
    String org = openOrg("payg");
    String reference = "pay-" + UUID.randomUUID();
    Result bought = ok(tallyctl.run("package", "buy", org, "standard", "--payment-reference", reference));
    assertTrue(bought.out().startsWith("granted package standard to " + org), bought::toString);
    assertTrue(bought.out().lines().anyMatch(line -> line.matches("grant\\s+purchase:" + reference)), bought::toString);

    JsonObject rerun = ok(tallyctl.run("package", "buy", org, "standard", "--payment-reference", reference, "--json")).json();
    assertTrue(rerun.get("replayed").getAsBoolean(), rerun::toString);
    assertEquals(1_000_000_000L, rerun.get("amount_micro_credits").getAsLong());
    assertEquals(1_000_000_000L, available(org));

    Result reused = tallyctl.run("package", "buy", org, "professional", "--payment-reference", reference);
    assertEquals(ExitCode.REFUSED.status, reused.exit(), reused::toString);
    assertTrue(reused.err().contains("PAYMENT_REFERENCE_REUSED"), reused::toString);
    assertEquals(1_000_000_000L, available(org));
  }

  @Test
  void packageBuyOfACustomPackageTakesItsCreditsAndIsRefusedToAPlanThatMayNotBuyIt() {
    String enterprise = openOrg("enterprise");
    long before = available(enterprise);
    ok(tallyctl.run("package", "buy", enterprise, "enterprise", "--payment-reference", "pay-" + UUID.randomUUID(),
        "--credits", "2500.5"));
    assertEquals(before + 2_500_500_000L, available(enterprise));

    String payg = openOrg("payg");
    Result refused = tallyctl.run("package", "buy", payg, "enterprise", "--payment-reference", "pay-" + UUID.randomUUID(),
        "--credits", "10");
    assertEquals(ExitCode.REFUSED.status, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("PACKAGE_NOT_ELIGIBLE"), refused::toString);
    assertFalse(refused.err().isBlank());
    assertEquals(0, available(payg));
  }
}
