package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.v1.Credits;
import dev.tally.v1.Org;
import dev.tally.v1.SetOverridesRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's form for an org's own terms (Accounts.SetOverrides): limits, price multiplier, alert
 * settings, allocation and rollover. The call replaces every override at once, and the API does not
 * read them back, so the form starts empty and says so: a field left empty follows the plan. The
 * console checks each field against the range the API documents and names every field that is off,
 * so the operator fixes them all at once; the node checks them again.
 */
final class OverridesForm {

  static final String ACTION = "overrides";
  /** The API's bounds (accounts.proto, SetOverridesRequest). */
  static final long MAX_REQUESTS_PER_MINUTE = 1_000_000_000L;
  static final long MAX_MICRO_CREDITS = 1_000_000_000_000_000L;
  static final int MAX_CONCURRENT_RESERVATIONS = 10_000;
  static final int MAX_ALERT_THRESHOLDS = 10;
  static final int MAX_ROLLOVER_MONTHS = 120;
  private static final BigDecimal MIN_MULTIPLIER = new BigDecimal("0.001");
  private static final BigDecimal MAX_MULTIPLIER = new BigDecimal("100");

  private OverridesForm() {}

  static void section(Html page, Session session, String orgId, Notice notice) {
    page.raw("<section aria-labelledby=\"overrides-h\"><h2 id=\"overrides-h\">Own terms (overrides)</h2>")
        .raw("<p>Custom terms in place of the plan's. Saving replaces all of them: a field left empty follows the ")
        .raw("plan, so fill in every term the org keeps. Limits, multiplier and alerts apply from the next call; ")
        .raw("an allocation from the next period (a raise is granted at once for the rest of this one).</p>");
    Pages.notice(page, notice, ACTION);
    page.form(Links.orgAction(orgId, ACTION), session.csrfToken(), "stack").hidden("request_id", Ids.fresh())
        .input("ovr-rpm", "requests_per_minute", "text", "Calls per minute (Reserve and Charge; 0 = unlimited)", "",
            "inputmode=\"numeric\" maxlength=\"13\" aria-describedby=\"ovr-help\"")
        .input("ovr-cpm", "credits_per_minute", "text", "Credits per minute (0 = unlimited)", "",
            "inputmode=\"decimal\" maxlength=\"24\"")
        .input("ovr-concurrent", "concurrent_reservations", "text", "Open reservations at once (0-10,000; 0 = the node's bound)", "",
            "inputmode=\"numeric\" maxlength=\"6\"")
        .input("ovr-multiplier", "multiplier", "text", "Price multiplier (0.001 to 100, e.g. 1.2)", "",
            "inputmode=\"decimal\" maxlength=\"8\"")
        .input("ovr-thresholds", "alert_thresholds", "text", "Usage alert thresholds in % (e.g. 50, 80, 100)", "",
            "maxlength=\"64\"")
        .input("ovr-floor", "low_balance_floor", "text", "Low-balance alert below (credits)", "",
            "inputmode=\"decimal\" maxlength=\"24\"")
        .input("ovr-allocation", "monthly_allocation", "text", "Own monthly allocation (credits)", "",
            "inputmode=\"decimal\" maxlength=\"24\"")
        .input("ovr-rollover", "rollover_months", "text", "Rollover (periods an allocation stays spendable, 0-120)", "",
            "inputmode=\"numeric\" maxlength=\"3\"")
        .raw("<p id=\"ovr-help\" class=\"hint\">Empty: the plan's. Credits take up to 6 decimals; separators are fine.</p>")
        .button("Save own terms").raw("</form></section>");
  }

  /** The request the form asks for, or every field that is off, named by its label. */
  static SetOverridesRequest request(String orgId, WebRequest form) throws IOException {
    List<String> problems = new ArrayList<>();
    SetOverridesRequest.Builder request = SetOverridesRequest.newBuilder().setOrgId(orgId)
        .setRequestId(Ids.posted(form.field("request_id")));
    Long rpm = whole(form.field("requests_per_minute"), "Calls per minute", 0, MAX_REQUESTS_PER_MINUTE, problems);
    if (rpm != null) request.setRequestsPerMinute(rpm);
    Long cpm = credits(form.field("credits_per_minute"), "Credits per minute", problems);
    if (cpm != null) request.setCreditsPerMinute(cpm);
    Long concurrent = whole(form.field("concurrent_reservations"), "Open reservations", 0, MAX_CONCURRENT_RESERVATIONS, problems);
    if (concurrent != null) request.setConcurrentReservations(concurrent.intValue());
    Integer permille = multiplier(form.field("multiplier"), problems);
    if (permille != null) request.setPriceMultiplierPermille(permille);
    request.addAllAlertThresholdsPercent(thresholds(form.field("alert_thresholds"), problems));
    Long floor = credits(form.field("low_balance_floor"), "Low-balance alert", problems);
    if (floor != null) request.setLowBalanceFloor(floor);
    Long allocation = credits(form.field("monthly_allocation"), "Own monthly allocation", problems);
    if (allocation != null) request.setMonthlyAllocation(allocation);
    Long rollover = whole(form.field("rollover_months"), "Rollover", 0, MAX_ROLLOVER_MONTHS, problems);
    if (rollover != null) request.setRolloverMonths(rollover.intValue());
    if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems) + ".");
    return request.build();
  }

  static Notice run(TallyClient tally, String orgId, WebRequest form) throws IOException {
    SetOverridesRequest request = request(orgId, form);
    Org org = tally.accounts().setOverrides(request);
    return Notice.done(ACTION, "Saved the own terms of " + org.getOrgId() + ": " + summary(request) + ".");
  }

  /** What was set, as people read it. */
  static String summary(SetOverridesRequest request) {
    List<String> parts = new ArrayList<>();
    if (request.hasRequestsPerMinute()) parts.add(String.format(java.util.Locale.ROOT, "%,d calls a minute", request.getRequestsPerMinute()));
    if (request.hasCreditsPerMinute()) parts.add(Credits.withSeparators(request.getCreditsPerMinute()) + " credits a minute");
    if (request.hasConcurrentReservations()) parts.add(String.format(java.util.Locale.ROOT, "%,d open reservations", request.getConcurrentReservations()));
    if (request.hasPriceMultiplierPermille()) {
      parts.add("prices ×" + BigDecimal.valueOf(request.getPriceMultiplierPermille(), 3).stripTrailingZeros().toPlainString());
    }
    if (request.getAlertThresholdsPercentCount() > 0) {
      parts.add("alerts at " + String.join(", ", request.getAlertThresholdsPercentList().stream().map(p -> p + " %").toList()));
    }
    if (request.hasLowBalanceFloor()) parts.add("low balance below " + Credits.withSeparators(request.getLowBalanceFloor()) + " credits");
    if (request.hasMonthlyAllocation()) parts.add(Credits.withSeparators(request.getMonthlyAllocation()) + " credits a month");
    if (request.hasRolloverMonths()) parts.add("rollover " + request.getRolloverMonths() + " periods");
    return parts.isEmpty() ? "none, the org follows its plan" : String.join(", ", parts);
  }

  private static Long whole(String typed, String label, long min, long max, List<String> problems) {
    String plain = typed.strip().replace(",", "");
    if (plain.isEmpty()) return null;
    try {
      long value = Long.parseLong(plain);
      if (value >= min && value <= max) return value;
    } catch (NumberFormatException e) {
      // said below
    }
    problems.add(label + ": a whole number from " + String.format(java.util.Locale.ROOT, "%,d to %,d", min, max));
    return null;
  }

  private static Long credits(String typed, String label, List<String> problems) {
    if (typed.isBlank()) return null;
    try {
      long micros = Credits.parse(typed);
      if (micros >= 0 && micros <= MAX_MICRO_CREDITS) return micros;
    } catch (IllegalArgumentException e) {
      // said below
    }
    problems.add(label + ": credits from 0 to 1,000,000,000 with at most 6 decimals");
    return null;
  }

  private static Integer multiplier(String typed, List<String> problems) {
    if (typed.isBlank()) return null;
    try {
      BigDecimal factor = new BigDecimal(typed.strip());
      if (factor.compareTo(MIN_MULTIPLIER) >= 0 && factor.compareTo(MAX_MULTIPLIER) <= 0 && factor.stripTrailingZeros().scale() <= 3) {
        return factor.movePointRight(3).intValueExact();
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // said below
    }
    problems.add("Price multiplier: from 0.001 to 100 with at most 3 decimals");
    return null;
  }

  private static List<Integer> thresholds(String typed, List<String> problems) {
    List<Integer> percents = new ArrayList<>();
    if (typed.isBlank()) return percents;
    String[] parts = typed.replace("%", "").split("[,;\\s]+");
    for (String part : parts) {
      if (part.isEmpty()) continue;
      try {
        int percent = Integer.parseInt(part);
        if (percent >= 1 && percent <= 1000 && !percents.contains(percent)) {
          percents.add(percent);
          continue;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      problems.add("Usage alert thresholds: whole percents from 1 to 1,000, each once, separated by commas");
      return List.of();
    }
    if (percents.size() > MAX_ALERT_THRESHOLDS) {
      problems.add("Usage alert thresholds: at most " + MAX_ALERT_THRESHOLDS);
      return List.of();
    }
    percents.sort(null);
    return percents;
  }
}
