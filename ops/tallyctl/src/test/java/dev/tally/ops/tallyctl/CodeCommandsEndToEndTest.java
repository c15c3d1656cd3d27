package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** tallyctl code generate and redeem against a real node on a real Cassandra. */
@ExtendWith({TestCassandra.class, TestNode.class})
class CodeCommandsEndToEndTest {

  private final Cli tallyctl = new Cli(TestNode.node());

  private String openOrg() {
    String org = "redeemer-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "payg"));
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
  void generatedCodesArePrintedOnceAndEachRedeemsOnce() {
    String requestId = "codes-" + UUID.randomUUID();
    Result made = ok(tallyctl.run("code", "generate", "2", "--credits", "25", "--label", "launch", "--request-id", requestId));
    List<String> codes = made.out().lines().filter(line -> line.startsWith("tc_")).toList();
    assertEquals(2, codes.size(), made::toString);
    Result rerun = ok(tallyctl.run("code", "generate", "2", "--credits", "25", "--request-id", requestId));
    assertTrue(rerun.out().lines().noneMatch(codes::contains), "a rerun prints no code: " + rerun);

    String org = openOrg();
    String other = openOrg();
    Result redeemed = ok(tallyctl.run("redeem", org, codes.get(0)));
    assertTrue(redeemed.out().startsWith("redeemed tc_..."), redeemed::toString);
    JsonObject again = ok(tallyctl.run("redeem", org, codes.get(0), "--json")).json();
    assertTrue(again.get("replayed").getAsBoolean(), again::toString);
    assertEquals(25_000_000L, available(org));

    Result refused = tallyctl.run("redeem", other, codes.get(0));
    assertNotEquals(0, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("REDEMPTION_CODE_USED_UP"), refused::toString);
    assertEquals(0, available(other));
  }

  @Test
  void codeListShowsHintsNeverCodesAndCodeVoidStopsACodeOrAWholeBatch() {
    String label = "list-" + UUID.randomUUID();
    String batch = "codes-" + UUID.randomUUID();
    Result made = ok(tallyctl.run("code", "generate", "3", "--credits", "5", "--label", label, "--request-id", batch));
    List<String> codes = made.out().lines().filter(line -> line.startsWith("tc_")).toList();

    Result listed = ok(tallyctl.run("code", "list", "--label", label));
    com.google.gson.JsonArray json = ok(tallyctl.run("code", "list", "--batch", batch, "--json")).json().getAsJsonArray("codes");

    assertEquals(3, json.size(), json::toString);
    assertTrue(codes.stream().noneMatch(code -> listed.out().contains(code) || json.toString().contains(code)),
        "hints only: " + listed);
    assertEquals(3, listed.out().lines().filter(line -> line.contains(batch)).count(), listed::toString);
    String firstId = json.get(0).getAsJsonObject().get("code_id").getAsString();

    ok(tallyctl.run("code", "void", "--id", firstId));
    Result refused = tallyctl.run("redeem", openOrg(), codes.get(0));
    assertTrue(refused.err().contains("REDEMPTION_CODE_VOIDED"), refused::toString);

    Result all = ok(tallyctl.run("code", "void", "--batch", batch));
    assertEquals("voided 3 of the 3 codes of batch " + batch, all.out().strip());
    com.google.gson.JsonArray after = ok(tallyctl.run("code", "list", "--batch", batch, "--json")).json().getAsJsonArray("codes");
    after.forEach(code -> assertTrue(code.getAsJsonObject().has("voided_at"), code::toString));
    Result unknown = tallyctl.run("code", "void", "--batch", "no-such-batch-" + UUID.randomUUID());
    assertTrue(unknown.err().contains("REDEMPTION_BATCH_NOT_FOUND"), unknown::toString);
  }
}
