package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every tallyctl command once against a real node on a real Cassandra, in text and in --json, and how each fails. */
@ExtendWith({TestCassandra.class, TestNode.class})
class TallyctlEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private static String newOrg() {
    return "acme-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** An org on the prepaid plan (no trial credits), so its balance is exactly what a test grants. */
  private String openOrg() {
    String org = newOrg();
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
    return org;
  }

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    assertEquals("", result.err(), result::toString);
    return result;
  }

  private static void refused(Result result, int exit, String message) {
    assertAll(
        () -> assertEquals(exit, result.exit(), result::toString),
        () -> assertEquals("", result.out(), "nothing on stdout: " + result),
        () -> assertEquals("tallyctl: " + message, result.err().strip(), result::toString),
        () -> assertEquals(1, result.err().lines().count(), "one line on stderr: " + result));
  }

  // ---- orgs -------------------------------------------------------------------------------------

  @Test
  void orgCreateOpensTheAccountAndPrintsTheRequestIdThatMakesARerunSafe() {
    String org = newOrg();
    Result created = ok(tallyctl.run("org", "create", org, "--name", "Acme Inc", "--plan", "payg"));
    assertTrue(created.out().contains(org) && created.out().contains("Acme Inc") && created.out().contains("payg"),
        created::toString);
    assertTrue(created.out().lines().anyMatch(line -> line.matches("request id\\s+tallyctl-[0-9a-f-]{36}")), created::toString);

    String other = newOrg();
    JsonObject json = ok(tallyctl.run("org", "create", other, "--plan", "flex", "--request-id", "req-" + other, "--json")).json();
    assertEquals(other, json.get("org_id").getAsString());
    assertEquals("flex", json.get("plan").getAsString());
    assertEquals("req-" + other, json.get("request_id").getAsString());
    assertTrue(json.getAsJsonObject("balance").has("available_micro_credits"), json::toString);
  }

  @Test
  void orgShowGathersPlanLimitsBalanceGrantsAndPeriod() {
    String org = openOrg();
    ok(tallyctl.run("grant", org, "7", "--kind", "PURCHASE", "--id", "topup-1"));

    Result shown = ok(tallyctl.run("org", "show", org));
    assertAll(
        () -> assertTrue(shown.out().lines().anyMatch(line -> line.matches("plan\\s+payg")), shown::toString),
        () -> assertTrue(shown.out().contains("requests/min unlimited"), shown::toString),
        () -> assertTrue(shown.out().lines().anyMatch(line -> line.matches("available\\s+7\\.000000")), shown::toString),
        () -> assertTrue(shown.out().lines().anyMatch(line -> line.matches("topup-1\\s+PURCHASE\\s+7\\.000000\\s+7\\.000000\\s+500\\s.*never")),
            shown::toString),
        () -> assertTrue(shown.out().lines().anyMatch(line -> line.startsWith("period ")), shown::toString));

    JsonObject json = ok(tallyctl.run("org", "show", org, "--json")).json();
    assertEquals(org, json.getAsJsonObject("org").get("org_id").getAsString());
    JsonObject account = json.getAsJsonObject("account");
    assertEquals(7_000_000L, account.getAsJsonObject("balance").get("available_micro_credits").getAsLong());
    assertEquals("topup-1", account.getAsJsonArray("grants").get(0).getAsJsonObject().get("grant_id").getAsString());
    assertTrue(account.getAsJsonObject("period").has("charged_micro_credits"), json::toString);
  }

  // ---- credits ----------------------------------------------------------------------------------

  @Test
  void grantTurnsCreditsExactlyIntoMicroCredits() {
    String org = openOrg();
    Result granted = ok(tallyctl.run("grant", org, "12.5", "--kind", "purchase", "--expires", "2099-01-01"));
    assertTrue(granted.out().startsWith("granted 12.500000 credits to " + org), granted::toString);
    assertTrue(granted.out().lines().anyMatch(line -> line.matches("expires at\\s+2099-01-01T00:00:00Z")), granted::toString);

    JsonObject json = ok(tallyctl.run("grant", org, "0.000001", "--kind", "ADJUSTMENT", "--json")).json();
    assertEquals(1L, json.getAsJsonObject("grant").get("amount_micro_credits").getAsLong());
    assertEquals("ADJUSTMENT", json.getAsJsonObject("grant").get("kind").getAsString());
    assertEquals(12_500_001L, json.getAsJsonObject("balance").get("available_micro_credits").getAsLong());
    assertTrue(json.get("request_id").getAsString().startsWith("tallyctl-"), json::toString);
  }

  @Test
  void rerunningAGrantWithItsRequestIdGrantsOnce() {
    String org = openOrg();
    String requestId = "grant-once-" + org;
    ok(tallyctl.run("grant", org, "3", "--kind", "PURCHASE", "--request-id", requestId));
    ok(tallyctl.run("grant", org, "3", "--kind", "PURCHASE", "--request-id", requestId));
    assertEquals(3_000_000L, available(org));
  }

  @Test
  void voidTakesBackWhatRemainsOfAGrant() {
    String org = openOrg();
    ok(tallyctl.run("grant", org, "5", "--kind", "PROMOTION", "--id", "promo"));
    ok(tallyctl.run("grant", org, "2", "--kind", "PURCHASE", "--id", "bought"));

    Result voided = ok(tallyctl.run("void", org, "promo", "--reason", "campaign ended"));
    assertTrue(voided.out().startsWith("voided grant promo of " + org + ": 5.000000 credits taken back"), voided::toString);
    assertEquals(2_000_000L, available(org));

    JsonObject json = ok(tallyctl.run("void", org, "bought", "--json")).json();
    assertEquals(2_000_000L, json.get("voided_micro_credits").getAsLong());
    assertEquals(0L, json.getAsJsonObject("balance").get("available_micro_credits").getAsLong());
  }

  @Test
  void balanceShowsAvailableHeldDebtAndGrants() {
    String org = openOrg();
    ok(tallyctl.run("grant", org, "1.25", "--kind", "PURCHASE", "--id", "small"));

    Result balance = ok(tallyctl.run("balance", org));
    assertAll(
        () -> assertTrue(balance.out().lines().anyMatch(line -> line.matches("available\\s+1\\.250000")), balance::toString),
        () -> assertTrue(balance.out().lines().anyMatch(line -> line.matches("debt\\s+0\\.000000")), balance::toString),
        () -> assertTrue(balance.out().lines().anyMatch(line -> line.startsWith("small ")), balance::toString));

    JsonObject json = ok(tallyctl.run("balance", org, "--json")).json();
    assertEquals(1_250_000L, json.getAsJsonObject("balance").get("available_micro_credits").getAsLong());
    assertEquals(0L, json.getAsJsonObject("balance").get("debt_micro_credits").getAsLong());
    assertEquals("payg", json.get("plan").getAsString());
  }

  @Test
  void grantsListsActiveAndFinishedGrantsWithWhatBecameOfTheirCredits() {
    String org = openOrg();
    ok(tallyctl.run("grant", org, "2", "--kind", "TRIAL", "--id", "trial"));
    ok(tallyctl.run("grant", org, "5", "--kind", "PROMOTION", "--id", "promo"));
    ok(tallyctl.run("grant", org, "3", "--kind", "PURCHASE", "--id", "bought"));
    ok(tallyctl.run("void", org, "promo"));

    JsonObject json = ok(tallyctl.run("grants", org, "--json")).json();
    JsonArray grants = json.getAsJsonArray("grants");
    assertEquals(List.of("trial", "promo", "bought"),
        StreamSupport.stream(grants.spliterator(), false)
            .map(g -> g.getAsJsonObject().getAsJsonObject("grant").get("grant_id").getAsString()).toList());
    assertEquals(List.of("ACTIVE", "VOIDED", "ACTIVE"), strings(grants, "state"));
    JsonObject promo = grants.get(1).getAsJsonObject();
    assertEquals(5_000_000L, promo.get("voided_micro_credits").getAsLong());
    assertEquals(0L, promo.get("used_micro_credits").getAsLong());
    assertTrue(promo.has("ended_at"));

    Result text = ok(tallyctl.run("grants", org));
    assertTrue(text.out().lines().findFirst().orElseThrow().matches(
        "GRANT\\s+KIND\\s+STATE\\s+AMOUNT\\s+USED\\s+REMAINING\\s+EXPIRED\\s+VOIDED\\s+EFFECTIVE AT\\s+EXPIRES AT\\s+ENDED AT"),
        text::toString);
    assertTrue(text.out().lines().anyMatch(line -> line.matches(
        "promo\\s+PROMOTION\\s+VOIDED\\s+5\\.000000\\s+0\\.000000\\s+0\\.000000\\s+0\\.000000\\s+5\\.000000\\s.*")), text::toString);
  }

  // ---- ledger and plans -------------------------------------------------------------------------

  @Test
  void ledgerPagesThroughEveryEventOldestFirst() {
    String org = openOrg();
    for (int i = 1; i <= 3; i++) ok(tallyctl.run("grant", org, Integer.toString(i), "--kind", "PURCHASE", "--id", "g" + i));
    ok(tallyctl.run("void", org, "g2"));

    JsonObject json = ok(tallyctl.run("ledger", org, "--json")).json();
    List<String> types = strings(json.getAsJsonArray("entries"), "type");
    assertEquals(List.of("CREDITS_GRANTED", "CREDITS_GRANTED", "CREDITS_GRANTED", "GRANT_VOIDED"),
        types.stream().filter(type -> type.startsWith("CREDITS") || type.startsWith("GRANT")).toList());
    assertEquals("ORG_CREATED", types.get(0));
    assertFalse(json.get("more").getAsBoolean());
    JsonObject voided = json.getAsJsonArray("entries").get(types.size() - 1).getAsJsonObject();
    assertEquals(2_000_000L, voided.get("amount_micro_credits").getAsLong());
    assertEquals("g2", voided.get("grant_id").getAsString());

    JsonObject firstTwo = ok(tallyctl.run("ledger", org, "--limit", "2", "--json")).json();
    assertEquals(2, firstTwo.getAsJsonArray("entries").size());
    assertTrue(firstTwo.get("more").getAsBoolean());

    Result text = ok(tallyctl.run("ledger", org));
    assertTrue(text.out().lines().findFirst().orElseThrow().matches("SEQ\\s+OCCURRED AT\\s+TYPE\\s+AMOUNT\\s+DETAIL\\s+REQUEST ID"),
        text::toString);
    assertTrue(text.out().lines().anyMatch(line -> line.matches(".*GRANT_VOIDED\\s+2\\.000000\\s+grant g2\\s.*")), text::toString);
  }

  @Test
  void plansListsTheCatalogAndMarksTheDefault() {
    Result plans = ok(tallyctl.run("plans"));
    assertTrue(plans.out().lines().anyMatch(line -> line.startsWith("payg ")), plans::toString);
    assertTrue(plans.out().lines().anyMatch(line -> line.startsWith("test (default) ")), plans::toString);

    JsonObject json = ok(tallyctl.run("plans", "--json")).json();
    assertEquals("test", json.get("default_plan").getAsString());
    JsonObject enterprise = StreamSupport.stream(json.getAsJsonArray("plans").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(plan -> plan.get("name").getAsString().equals("enterprise"))
        .findFirst().orElseThrow();
    assertEquals(100_000_000_000L, enterprise.get("monthly_allocation_micro_credits").getAsLong());
    assertEquals(1200, enterprise.get("price_multiplier_permille").getAsInt());
  }

  // ---- cluster ----------------------------------------------------------------------------------

  @Test
  void membersShowsThisNodeUp() {
    NodeProcess node = TestNode.node();
    Result members = ok(tallyctl.run("members"));
    assertTrue(members.out().lines().anyMatch(line -> line.matches(node.clusterAddress() + "\\s+Up\\s+.*self.*")),
        members::toString);

    JsonObject json = ok(tallyctl.run("members", "--json")).json();
    assertEquals(node.clusterAddress(), json.get("self_node").getAsString());
    JsonObject self = StreamSupport.stream(json.getAsJsonArray("members").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(member -> member.get("node").getAsString().equals(node.clusterAddress()))
        .findFirst().orElseThrow();
    assertEquals("Up", self.get("status").getAsString());
    assertFalse(self.get("node_uid").getAsString().isEmpty());
  }

  @Test
  void shardsCountsTheOrgsThisNodeHoldsInMemory() {
    openOrg();  // at least one org in memory, in some shard
    JsonObject json = ok(tallyctl.run("shards", "--json")).json();
    assertEquals(TestNode.node().clusterAddress(), json.get("node").getAsString());
    assertEquals("OrgAccount", json.get("entity_type").getAsString());
    JsonArray shards = json.getAsJsonArray("shards");
    assertFalse(shards.isEmpty(), json::toString);
    long sum = StreamSupport.stream(shards.spliterator(), false).mapToLong(s -> s.getAsJsonObject().get("entities").getAsLong()).sum();
    assertEquals(json.get("entities").getAsLong(), sum);
    assertTrue(sum >= 1, json::toString);

    Result text = ok(tallyctl.run("shards"));
    assertTrue(text.out().startsWith(TestNode.node().clusterAddress() + " hosts "), text::toString);
    assertTrue(text.out().lines().anyMatch(line -> line.matches("\\s*SHARD\\s+ORGS IN MEMORY")), text::toString);
  }

  @Test
  void addressesComeFromTheEnvironmentWhenNoOptionGivesThem() {
    NodeProcess node = TestNode.node();
    Cli fromEnvironment = new Cli(Map.of(
        "TALLY_NODE", "127.0.0.1:" + node.grpcPort(), "TALLY_MANAGEMENT", "127.0.0.1:" + node.managementPort()));
    ok(fromEnvironment.run("plans"));
    assertEquals(node.clusterAddress(), ok(fromEnvironment.run("members", "--json")).json().get("self_node").getAsString());
  }

  // ---- failures ---------------------------------------------------------------------------------

  @Test
  void anUnknownOrgIsRefusedByName() {
    String org = newOrg();
    refused(tallyctl.run("balance", org), 1, "org " + org + " not found (ORG_NOT_FOUND)");
    refused(tallyctl.run("grant", org, "1", "--kind", "PURCHASE", "--json"), 1, "org " + org + " not found (ORG_NOT_FOUND)");
  }

  @Test
  void aKeyMadeWithKeyCreateWorksForItsOrgUntilKeyRevoke() {
    String org = openOrg();
    JsonObject created = ok(tallyctl.run("key", "create", "reader", "--org", org, "--label", "dashboard", "--json")).json();
    String key = created.get("key").getAsString();
    String keyId = created.get("key_id").getAsString();
    assertTrue(key.startsWith("tk_"), created::toString);
    assertEquals("tk_..." + key.substring(key.length() - 4), created.get("hint").getAsString());

    NodeProcess node = TestNode.node();
    Cli reader = new Cli(Map.of(
        "TALLY_NODE", "127.0.0.1:" + node.grpcPort(), "TALLY_MANAGEMENT", "127.0.0.1:" + node.managementPort(),
        "TALLY_API_KEY", key));
    ok(reader.run("plans"));
    Result denied = reader.run("grant", org, "1", "--kind", "PURCHASE");
    assertEquals(1, denied.exit(), denied::toString);
    assertTrue(denied.err().startsWith("tallyctl: the API key may not do this (PERMISSION_DENIED): "), denied::toString);

    Result revoked = ok(tallyctl.run("key", "revoke", keyId));
    assertTrue(revoked.out().startsWith("revoked"), revoked::toString);
    Result refused = reader.run("plans");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("(UNAUTHENTICATED)"), refused::toString);
  }

  @Test
  void keyListShowsKeysButNeverTheKeyAndKeyRotateReplacesOneWhileARerunMakesNoSecondKey() {
    String org = openOrg();
    String requestId = "key-" + org;
    JsonObject created = ok(tallyctl.run("key", "create", "reader", "--org", org, "--request-id", requestId, "--json")).json();
    JsonObject rerun = ok(tallyctl.run("key", "create", "reader", "--org", org, "--request-id", requestId, "--json")).json();
    String key = created.get("key").getAsString();
    String keyId = created.get("key_id").getAsString();
    assertFalse(created.get("replayed").getAsBoolean(), created::toString);
    assertTrue(rerun.get("replayed").getAsBoolean(), rerun::toString);
    assertEquals("", rerun.get("key").getAsString(), "the key is printed once");
    assertEquals(keyId, rerun.get("key_id").getAsString());
    Result rerunText = ok(tallyctl.run("key", "create", "reader", "--org", org, "--request-id", requestId));
    assertTrue(rerunText.out().startsWith("this request id ran before and created a reader key for " + org
        + "; the key was printed by that run only"), rerunText::toString);

    Result listed = ok(tallyctl.run("key", "list", "--org", org));
    assertTrue(listed.out().lines().anyMatch(line -> line.startsWith(keyId) && line.contains("reader") && line.contains(org)),
        listed::toString);
    assertEquals(2, listed.out().lines().count(), "a header and one key: " + listed);
    assertFalse(listed.out().contains(key), listed::toString);

    JsonObject rotated = ok(tallyctl.run("key", "rotate", keyId, "--grace", "0s", "--json")).json();
    String successor = rotated.getAsJsonObject("new_key").get("key").getAsString();
    assertTrue(successor.startsWith("tk_") && !successor.equals(key), rotated::toString);
    Result old = withKey(key).run("plans");
    assertEquals(1, old.exit(), old::toString);
    assertTrue(old.err().contains("(UNAUTHENTICATED)"), "with no grace the old key stops at once: " + old);
    ok(withKey(successor).run("plans"));

    JsonArray keys = ok(tallyctl.run("key", "list", "--org", org, "--json")).json().getAsJsonArray("keys");
    assertEquals(2, keys.size(), keys::toString);
    Result again = tallyctl.run("key", "rotate", keyId);
    assertEquals(1, again.exit(), again::toString);
    assertTrue(again.err().contains("(API_KEY_REVOKED)"), again::toString);
    Result badGrace = tallyctl.run("key", "rotate", keyId, "--grace", "1 week");
    assertEquals(2, badGrace.exit(), badGrace::toString);
  }

  /** tallyctl with {@code key} as TALLY_API_KEY, against the test node. */
  private static Cli withKey(String key) {
    NodeProcess node = TestNode.node();
    return new Cli(Map.of("TALLY_NODE", "127.0.0.1:" + node.grpcPort(),
        "TALLY_MANAGEMENT", "127.0.0.1:" + node.managementPort(), "TALLY_API_KEY", key));
  }

  @Test
  void aKeyTheNodeDoesNotAcceptIsRefusedWithoutEchoingIt() {
    NodeProcess node = TestNode.node();
    String typo = TestKeys.ADMIN.substring(0, TestKeys.ADMIN.length() - 1) + "x";
    Cli wrongKey = new Cli(Map.of(
        "TALLY_NODE", "127.0.0.1:" + node.grpcPort(), "TALLY_MANAGEMENT", "127.0.0.1:" + node.managementPort(),
        "TALLY_API_KEY", typo));
    Result result = wrongKey.run("plans");
    assertEquals(1, result.exit(), result::toString);
    assertTrue(result.err().startsWith("tallyctl: the node at 127.0.0.1:" + node.grpcPort()
        + " did not accept the API key (UNAUTHENTICATED): malformed API key"), result::toString);
    assertFalse(result.err().contains(typo), result::toString);
  }

  @Test
  void anInvalidRequestListsItsFieldViolations() {
    Result result = tallyctl.run("org", "create", newOrg(), "--plan", "gold");
    assertEquals(1, result.exit(), result::toString);
    assertTrue(result.err().startsWith("tallyctl: invalid request (INVALID_REQUEST): plan must be one of "), result::toString);
    assertTrue(result.err().contains("payg"), result::toString);
  }

  @Test
  void voidingAGrantTheOrgDoesNotHaveIsRefused() {
    String org = openOrg();
    refused(tallyctl.run("void", org, "nope"), 1, "no grant nope with credits left (GRANT_NOT_FOUND)");
  }

  @Test
  void aBadAmountIsAUsageErrorAndSendsNothing() {
    String org = openOrg();
    refused(tallyctl.run("grant", org, "1.0000001", "--kind", "PURCHASE"), 2,
        "amount 1.0000001 has more than 6 decimals (1 micro-credit = 0.000001 credits)");
    refused(tallyctl.run("grant", org, "ten", "--kind", "PURCHASE"), 2,
        "amount 'ten' is not a number of credits (e.g. 10 or 12.5)");
    refused(tallyctl.run("grant", org, "5", "--kind", "GIFT"), 2,
        "--kind GIFT is not one of TRIAL, SUBSCRIPTION, PURCHASE, PROMOTION, REDEMPTION, REFERRAL, ADJUSTMENT");
    JsonObject ledger = ok(tallyctl.run("ledger", org, "--json")).json();
    assertFalse(strings(ledger.getAsJsonArray("entries"), "type").contains("CREDITS_GRANTED"), ledger::toString);
  }

  @Test
  void aWrongCommandLineIsAUsageError() {
    assertEquals(2, tallyctl.run("refund", "acme").exit());
    assertEquals(2, tallyctl.run("org", "delete", "acme").exit());
    assertEquals(2, tallyctl.run("balance").exit());
    assertEquals(2, tallyctl.run("balance", "acme", "--limit", "3").exit());
    assertEquals(2, tallyctl.run("grant", "acme", "5").exit(), "--kind is required");
    assertEquals(2, tallyctl.run("ledger", "acme", "--limit", "many").exit());
  }

  @Test
  void aNodeThatDoesNotAnswerExitsThree() {
    String nowhere = "127.0.0.1:" + CassandraServer.freePort();
    Cli unreachable = new Cli(nowhere, nowhere);
    Result balance = unreachable.run("balance", "acme", "--timeout", "5");
    assertEquals(3, balance.exit(), balance::toString);
    assertTrue(balance.err().startsWith("tallyctl: cannot reach the Tally node at " + nowhere + ": "), balance::toString);

    Result grant = unreachable.run("grant", "acme", "1", "--kind", "PURCHASE", "--request-id", "r-1", "--timeout", "5");
    assertEquals(3, grant.exit(), grant::toString);
    assertTrue(grant.err().contains("rerun with --request-id r-1"), grant::toString);

    Result members = unreachable.run("members");
    assertEquals(3, members.exit(), members::toString);
    assertTrue(members.err().startsWith("tallyctl: cannot reach the management API at " + nowhere), members::toString);
  }

  @Test
  void leavingANodeThatIsNoMemberIsRefused() {
    refused(tallyctl.run("leave", "pekko://tally@127.0.0.1:1"), 1,
        "no member pekko://tally@127.0.0.1:1 in the cluster (tallyctl members lists them)");
    refused(tallyctl.run("leave", "127.0.0.1:1"), 1, "no member 127.0.0.1:1 in the cluster (tallyctl members lists them)");
  }

  private long available(String org) {
    return ok(tallyctl.run("balance", org, "--json")).json().getAsJsonObject("balance").get("available_micro_credits").getAsLong();
  }

  private static List<String> strings(JsonArray objects, String field) {
    return StreamSupport.stream(objects.spliterator(), false).map(e -> e.getAsJsonObject().get(field).getAsString()).toList();
  }
}
