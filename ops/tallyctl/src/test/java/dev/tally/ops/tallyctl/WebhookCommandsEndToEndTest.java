package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl webhook create, list, update, rotate-secret and delete against a real node on a real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
class WebhookCommandsEndToEndTest {

  /** A public address written as a literal: no DNS needed, and nothing is delivered to it here. */
  static final String URL = "https://93.184.215.14/tally/hooks";

  private final Cli tallyctl = new Cli(TestNode.node());

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  private String newOrg() {
    String org = "hooked-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    return org;
  }

  private JsonArray endpointsOf(String org) {
    JsonObject listed = ok(tallyctl.run("webhook", "list", org, "--json")).json();
    return listed.has("endpoints") ? listed.getAsJsonArray("endpoints") : new JsonArray();
  }

  @Test
  void anOperatorRegistersChangesRotatesAndDeletesAnEndpointAndTheSecretIsPrintedOnce() {
    String org = newOrg();
    Result created = ok(tallyctl.run("webhook", "create", org, URL, "--events", "credits_granted,account_depleted",
        "--description", "billing", "--request-id", "hook-" + org));
    String[] lines = created.out().split("\n");
    assertTrue(lines[0].startsWith("created webhook endpoint we_"), created::toString);
    String secret = lines[1];
    assertTrue(secret.matches("whsec_[A-Za-z0-9+/]{43}="), secret);
    String id = lines[0].split(" ")[3];

    Result again = ok(tallyctl.run("webhook", "create", org, URL, "--events", "credits_granted,account_depleted",
        "--description", "billing", "--request-id", "hook-" + org));
    assertTrue(again.out().contains("printed by that run only"), again::toString);
    assertFalse(again.out().contains(secret));

    Result listed = ok(tallyctl.run("webhook", "list", org));
    assertTrue(listed.out().contains(id) && listed.out().contains("account_depleted,credits_granted"), listed::toString);
    assertFalse(listed.out().contains(secret));
    assertFalse(ok(tallyctl.run("webhook", "list", org, "--json")).out().contains(secret.substring(6, 30)));

    ok(tallyctl.run("webhook", "update", org, id, "--disable", "--events", "all"));
    JsonObject changed = endpointsOf(org).get(0).getAsJsonObject();
    assertFalse(changed.has("enabled") && changed.get("enabled").getAsBoolean());
    assertTrue(!changed.has("event_types") || changed.getAsJsonArray("event_types").isEmpty(), changed::toString);

    Result rotated = ok(tallyctl.run("webhook", "rotate-secret", org, id, "--overlap", "2h"));
    String newSecret = rotated.out().split("\n")[1];
    assertTrue(newSecret.startsWith("whsec_"), rotated::toString);
    assertNotEquals(secret, newSecret);
    assertEquals(2, endpointsOf(org).get(0).getAsJsonObject().getAsJsonArray("secrets").size());

    ok(tallyctl.run("webhook", "delete", org, id));
    assertEquals(0, endpointsOf(org).size());
    Result gone = tallyctl.run("webhook", "delete", org, id);
    assertNotEquals(0, gone.exit());
    assertTrue(gone.err().contains("WEBHOOK_ENDPOINT_NOT_FOUND"), gone::toString);
  }

  @Test
  void theOperatorsEndpointsForEveryOrgAreOrgStar() {
    Result created = ok(tallyctl.run("webhook", "create", "*", URL, "--request-id", "operator-" + UUID.randomUUID()));
    String id = created.out().split("\n")[0].split(" ")[3];
    assertTrue(created.out().contains("for every org"), created::toString);
    assertTrue(ok(tallyctl.run("webhook", "list", "*")).out().contains(id));
    ok(tallyctl.run("webhook", "delete", "*", id));
  }

  @Test
  void anInternalUrlAnUnknownEventTypeAndAnEmptyUpdateAreRefused() {
    String org = newOrg();
    Result internal = tallyctl.run("webhook", "create", org, "http://10.0.0.1/hooks");
    assertNotEquals(0, internal.exit());
    assertTrue(internal.err().contains("INVALID_REQUEST") && internal.err().contains("url "), internal::toString);
    Result unknown = tallyctl.run("webhook", "create", org, URL, "--events", "credits_granted,coffee_brewed");
    assertNotEquals(0, unknown.exit());
    assertTrue(unknown.err().contains("not an event type: coffee_brewed"), unknown::toString);
    Result nothing = tallyctl.run("webhook", "update", org, "we_000000000000000000000000");
    assertNotEquals(0, nothing.exit());
    assertTrue(nothing.err().contains("nothing to change"), nothing::toString);
    assertEquals(0, endpointsOf(org).size());
  }
}
