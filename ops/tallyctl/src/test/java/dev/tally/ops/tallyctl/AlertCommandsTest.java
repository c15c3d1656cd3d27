package dev.tally.ops.tallyctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tally.ops.tallyctl.Cli.Result;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** alerts watch and alerts list against a real node: the alerts charges raise, live and past, and --for bounds a watch. */
@ExtendWith({TestCassandra.class, TestNode.class})
class AlertCommandsTest {

  /** Charges of 1 % of the flex allocation each: each crosses one of the thresholds 1 % to 100 %. */
  private static final int CHARGES = 10;

  private final Cli tallyctl = new Cli(TestNode.node());

  private static Result ok(Result result) {
    assertEquals(0, result.exit(), result::toString);
    return result;
  }

  @Test
  void alertsWatchPrintsTheAlertsThatChargesRaise() throws Exception {
    String org = "alerts-" + UUID.randomUUID().toString().substring(0, 8);
    long allocation = alertingEveryTenPercent(org);

    CompletableFuture<Result> json = CompletableFuture.supplyAsync(
        () -> tallyctl.run("alerts", "watch", "--org", org, "--limit", "1", "--for", "3m", "--json"));
    CompletableFuture<Result> text = CompletableFuture.supplyAsync(
        () -> tallyctl.run("alerts", "watch", "--org", org, "--limit", "1", "--for", "3m"));
    // Each charge raises an alert; the watches see the first one raised after they subscribed.
    String tenPercent = dev.tally.v1.Credits.format(allocation / 10);
    for (int i = 0; i < CHARGES && !(json.isDone() && text.isDone()); i++) ok(tallyctl.run("charge", org, tenPercent));

    Result watchedJson = ok(json.get(1, TimeUnit.MINUTES));
    Result watchedText = ok(text.get(1, TimeUnit.MINUTES));
    List<String> raised = StreamSupport.stream(
            ok(tallyctl.run("ledger", org, "--json")).json().getAsJsonArray("entries").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(entry -> entry.get("type").getAsString().equals("ALERT_RAISED"))
        .map(entry -> entry.getAsJsonObject("alert").get("threshold_percent").getAsString())
        .toList();

    assertEquals(1, watchedJson.out().lines().count(), "one JSON document a line: " + watchedJson);
    JsonObject alert = JsonParser.parseString(watchedJson.out()).getAsJsonObject();
    assertEquals(org, alert.get("org_id").getAsString());
    assertEquals("USAGE_THRESHOLD", alert.get("kind").getAsString());
    String percent = alert.get("threshold_percent").getAsString();
    assertTrue(raised.contains(percent), "the ledger's alerts " + raised + " hold " + percent);
    assertTrue(alert.get("period_charged_micro_credits").getAsLong() >= allocation / 100 * Long.parseLong(percent), alert::toString);

    assertEquals(1, watchedText.out().lines().count(), watchedText::toString);
    assertTrue(watchedText.out().matches("\\S+Z  " + org + "  USAGE_THRESHOLD \\d+%  charged .*\\n"), watchedText::toString);
    assertTrue(raised.contains(watchedText.out().replaceAll("(?s).*USAGE_THRESHOLD (\\d+)%.*", "$1")), watchedText::toString);
  }

  @Test
  void alertsWatchForADurationEndsThenWithNothingRaised() {
    String org = "quiet-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "flex"));

    Result watched = ok(tallyctl.run("alerts", "watch", "--org", org, "--for", "1s"));

    assertEquals("", watched.out(), watched::toString);
    assertEquals("", watched.err(), watched::toString);
  }

  @Test
  void alertsWatchAfterAnAlertPrintsTheAlertsRaisedSinceThenInOrder() {
    String org = "resume-" + UUID.randomUUID().toString().substring(0, 8);
    long allocation = alertingEveryTenPercent(org);
    String tenPercent = dev.tally.v1.Credits.format(allocation / 10);
    ok(tallyctl.run("charge", org, tenPercent));
    String seen = alertIds(org).get(0);
    ok(tallyctl.run("charge", org, tenPercent));
    ok(tallyctl.run("charge", org, tenPercent));

    Result resumed = ok(tallyctl.run("alerts", "watch", "--org", org, "--after", seen, "--limit", "2", "--for", "1m", "--json"));

    List<JsonObject> alerts = resumed.out().lines().map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
    assertEquals(List.of("20", "30"), alerts.stream().map(alert -> alert.get("threshold_percent").getAsString()).toList());
    assertEquals(alertIds(org).subList(1, 3), alerts.stream().map(alert -> alert.get("event_id").getAsString()).toList());
  }

  @Test
  void alertsWatchAfterSomethingThatIsNoEventIdOfTheOrgIsRefused() {
    String org = "resume-" + UUID.randomUUID().toString().substring(0, 8);
    ok(tallyctl.run("org", "create", org, "--plan", "flex"));

    Result refused = tallyctl.run("alerts", "watch", "--org", org, "--after", "evt_1_0_another-org", "--for", "1m");
    assertEquals(ExitCode.REFUSED.status, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("after_event_id"), refused::toString);

    Result everyOrg = tallyctl.run("alerts", "watch", "--after", "evt_1_0_" + org, "--for", "1m");
    assertEquals(ExitCode.USAGE.status, everyOrg.exit(), everyOrg::toString);
  }

  /**
   * A new org on flex raising a usage alert at every tenth of its allocation (as many thresholds as an
   * org may set, 10: each charge of a tenth raises one) and no low-balance alert, so the first alert a
   * watch sees is a usage threshold; its allocation in µcr.
   */
  private long alertingEveryTenPercent(String org) {
    ok(tallyctl.run("org", "create", org, "--plan", "flex"));
    long allocation = ok(tallyctl.run("org", "show", org, "--json")).json()
        .getAsJsonObject("account").getAsJsonObject("period").get("allocation_micro_credits").getAsLong();
    String everyTenth = IntStream.rangeClosed(1, 10).mapToObj(i -> Integer.toString(10 * i)).collect(Collectors.joining(","));
    ok(tallyctl.run("org", "set-overrides", org, "--alert-thresholds", everyTenth, "--low-balance-floor", "0"));
    return allocation;
  }

  /** The event ids of the org's alerts, from its ledger, oldest first. */
  private List<String> alertIds(String org) {
    return StreamSupport.stream(ok(tallyctl.run("ledger", org, "--json")).json().getAsJsonArray("entries").spliterator(), false)
        .map(JsonElement::getAsJsonObject)
        .filter(entry -> entry.get("type").getAsString().equals("ALERT_RAISED"))
        .map(entry -> entry.getAsJsonObject("alert").get("event_id").getAsString())
        .toList();
  }

  @Test
  void alertsListPrintsTheOrgsAlertsNewestFirstAPageAtATimeAndRefusesAnUnknownKind() {
    String org = "listed-" + UUID.randomUUID().toString().substring(0, 8);
    long allocation = alertingEveryTenPercent(org);
    String tenPercent = dev.tally.v1.Credits.format(allocation / 10);
    for (int i = 0; i < 3; i++) ok(tallyctl.run("charge", org, tenPercent));
    List<String> newestFirst = new java.util.ArrayList<>(alertIds(org));
    java.util.Collections.reverse(newestFirst);
    assertEquals(3, newestFirst.size());

    Result text = ok(tallyctl.run("alerts", "list", org));
    List<String> lines = text.out().lines().toList();
    assertEquals(3, lines.size(), text::toString);
    for (int i = 0; i < 3; i++) {
      assertTrue(lines.get(i).endsWith("  " + newestFirst.get(i)) && lines.get(i).contains("USAGE_THRESHOLD " + (30 - 10 * i) + "%"),
          lines.get(i));
    }

    Result first = ok(tallyctl.run("alerts", "list", org, "--page-size", "2", "--json"));
    JsonObject page = first.json();
    assertEquals(newestFirst.subList(0, 2), StreamSupport.stream(page.getAsJsonArray("alerts").spliterator(), false)
        .map(alert -> alert.getAsJsonObject().get("event_id").getAsString()).toList());
    Result second = ok(tallyctl.run("alerts", "list", org, "--page-size", "2", "--page-token",
        page.get("next_page_token").getAsString()));
    assertTrue(second.out().lines().findFirst().orElseThrow().endsWith("  " + newestFirst.get(2)), second::toString);

    assertEquals("no alerts", ok(tallyctl.run("alerts", "list", org, "--kinds", "low_balance")).out().strip());
    Result unknownKind = tallyctl.run("alerts", "list", org, "--kinds", "usage_threshold,loud");
    assertEquals(ExitCode.USAGE.status, unknownKind.exit(), unknownKind::toString);
    Result badSize = tallyctl.run("alerts", "list", org, "--page-size", "1001");
    assertEquals(ExitCode.REFUSED.status, badSize.exit(), badSize::toString);
    assertTrue(badSize.err().contains("page_size"), badSize::toString);
  }

  @Test
  void alertsWatchOfAnInvalidOrgIdIsRefused() {
    Result refused = tallyctl.run("alerts", "watch", "--org", "no spaces allowed", "--for", "1m");

    assertEquals(ExitCode.REFUSED.status, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("INVALID_REQUEST"), refused::toString);
  }
}
