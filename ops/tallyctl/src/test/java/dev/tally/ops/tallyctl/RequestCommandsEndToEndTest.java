package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl request file, list, approve and deny against a real node on a real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
class RequestCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  /** A payg org granted 100 credits that has used {@code used} of them. */
  private String orgThatUsed(String used) {
    String org = "asker-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    ok(tallyctl.run("grant", org, "100", "--kind", "PURCHASE"));
    ok(tallyctl.run("charge", org, used));
    return org;
  }

  private long available(String org) {
    return ok(tallyctl.run("balance", org, "--json")).json()
        .getAsJsonObject("balance").get("available_micro_credits").getAsLong();
  }

  private JsonArray requestsOf(String org, String... filter) {
    List<String> args = new ArrayList<>(List.of("request", "list", "--org", org, "--json"));
    args.addAll(List.of(filter));
    return ok(tallyctl.run(args.toArray(String[]::new))).json().getAsJsonArray("requests");
  }

  @Test
  void anOrgFilesAnOperatorApprovesOnceAndDenyingAfterwardsIsRefused() {
    String org = orgThatUsed("85");
    Result filed = ok(tallyctl.run("request", "file", org, "40", "--reason", "launch week", "--request-id", "ask-" + org));
    assertTrue(filed.out().startsWith("filed credit request 1 of " + org), filed::toString);
    Result refiled = ok(tallyctl.run("request", "file", org, "40", "--reason", "launch week", "--request-id", "ask-" + org));
    assertTrue(refiled.out().contains("nothing filed now"), refiled::toString);
    assertTrue(ok(tallyctl.run("request", "list", "--org", org)).out().contains("OPEN"));
    long before = available(org);

    Result approved = ok(tallyctl.run("request", "approve", org, "1", "--note", "enjoy"));
    assertTrue(approved.out().contains("credit request 1 of " + org + " approved"), approved::toString);
    Result again = ok(tallyctl.run("request", "approve", org, "1"));
    assertTrue(again.out().contains("was approved before; nothing changed now"), again::toString);
    assertEquals(before + 40_000_000L, available(org), "approved twice, granted once");

    Result deny = tallyctl.run("request", "deny", org, "1");
    assertEquals(1, deny.exit(), deny::toString);
    assertTrue(deny.err().contains("CREDIT_REQUEST_DECIDED"), deny::toString);

    JsonArray approvedOnes = requestsOf(org, "--status", "approved");
    assertEquals(1, approvedOnes.size(), approvedOnes::toString);
    JsonObject request = approvedOnes.get(0).getAsJsonObject();
    assertEquals("APPROVED", request.get("status").getAsString());
    assertEquals(40_000_000L, request.get("amount_micro_credits").getAsLong());
    assertEquals("enjoy", request.get("note").getAsString());
    assertEquals(85_000_000L, request.get("charged_when_filed_micro_credits").getAsLong());
  }

  @Test
  void aRequestBeforeTheThresholdIsRefusedAndAnOperatorSeesOnlyWhatWasFiled() {
    String early = orgThatUsed("10");
    Result refused = tallyctl.run("request", "file", early, "40", "--reason", "please");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("CREDIT_REQUEST_BELOW_THRESHOLD"), refused::toString);
    assertEquals(0, requestsOf(early).size());

    String late = orgThatUsed("90");
    ok(tallyctl.run("request", "file", late, "5", "--reason", "a demo"));
    ok(tallyctl.run("request", "deny", late, "1", "--note", "not this month"));
    JsonArray everyOrgs = ok(tallyctl.run("request", "list", "--json")).json().getAsJsonArray("requests");
    assertTrue(StreamSupport.stream(everyOrgs.spliterator(), false).map(JsonElement::getAsJsonObject)
        .noneMatch(r -> r.get("org_id").getAsString().equals(early)), everyOrgs::toString);
    assertEquals("DENIED", requestsOf(late).get(0).getAsJsonObject().get("status").getAsString());
    assertEquals(10_000_000L, available(late), "a denial grants nothing");
  }

  @Test
  void aWrongStatusOrNumberIsAUsageErrorAndNothingIsSent() {
    assertEquals(2, tallyctl.run("request", "list", "--status", "pending").exit());
    assertEquals(2, tallyctl.run("request", "approve", "some-org", "first").exit());
  }
}
