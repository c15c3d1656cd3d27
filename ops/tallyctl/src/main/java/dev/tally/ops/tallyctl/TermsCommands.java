package dev.tally.ops.tallyctl;

import static dev.tally.ops.tallyctl.Command.Option.optional;
import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.ops.tallyctl.Command.Option;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.ListPriceBooksResponse;
import dev.tally.v1.ModelPrice;
import dev.tally.v1.Org;
import dev.tally.v1.PriceBook;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.SetPlanRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An org's terms: its plan and its own overrides of the plan, and the price books calls are priced with. */
final class TermsCommands {

  /** The options of {@code org set-overrides} that set an override, one per field of SetOverridesRequest. */
  static final List<Option> OVERRIDES = List.of(
      optional("requests-per-minute", "N", "the org's own request rate, 0 for unlimited"),
      optional("credits-per-minute", "AMOUNT", "the org's own credit rate in credits, 0 for unlimited"),
      optional("concurrent-reservations", "N", "the org's own limit of open reservations, 0 for unlimited"),
      optional("multiplier", "FACTOR", "the org's own price multiplier, 0.001 to 100, e.g. 1.2"),
      optional("alert-thresholds", "PERCENTS", "usage alert thresholds, each 1 to 1000, e.g. 50,80,100"),
      optional("low-balance-floor", "AMOUNT", "the balance in credits under which a LOW_BALANCE alert is raised"),
      optional("monthly-allocation", "AMOUNT", "the org's own allocation in credits each period, in place of its plan's"
          + " (a raise is granted at once for the rest of the period, prorated)"),
      optional("rollover-months", "N", "the org's own rollover: periods an allocation stays spendable after its own, 0 to 120"));

  private TermsCommands() {}

  static void setPlan(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    SetPlanRequest request = SetPlanRequest.newBuilder().setOrgId(org).setRequestId(requestId).setPlan(run.operand(1)).build();
    Org changed = run.tally().change(org, requestId, () -> run.tally().accounts().setPlan(request));
    String headline = changed.getNextPlan().isEmpty() ? org + " is on plan " + changed.getPlan()
        : org + " stays on plan " + changed.getPlan() + " until " + AccountCommands.time(changed.getNextPlanAt())
            + ", then moves to " + changed.getNextPlan() + " (a downgrade waits for the period's end)";
    printTerms(run, changed, headline, requestId);
  }

  /** Replaces the org's overrides: each one not given falls back to the plan, so --clear alone clears them all. */
  static void setOverrides(Invocation run) {
    String org = run.operand(0);
    List<String> overrides = OVERRIDES.stream().map(Option::name).toList();
    boolean any = overrides.stream().anyMatch(name -> run.option(name).isPresent());
    boolean clear = run.arguments().flag("clear");
    if (any == clear) {
      throw Failure.usage("org set-overrides needs either overrides (--" + String.join(", --", overrides)
          + ") or --clear; the overrides given replace all the org's overrides");
    }
    String requestId = run.requestId();
    SetOverridesRequest.Builder request = SetOverridesRequest.newBuilder().setOrgId(org).setRequestId(requestId);
    run.option("requests-per-minute").ifPresent(n -> request.setRequestsPerMinute(count("requests-per-minute", n)));
    run.option("credits-per-minute").ifPresent(amount -> request.setCreditsPerMinute(CreditAmount.parseAllowingZero(amount)));
    run.option("concurrent-reservations").ifPresent(n -> request.setConcurrentReservations(
        AccountCommands.number("--concurrent-reservations", n)));
    run.option("multiplier").ifPresent(factor -> request.setPriceMultiplierPermille(permille(factor)));
    run.option("alert-thresholds").ifPresent(percents -> {
      for (String percent : percents.split(",", -1)) {
        request.addAlertThresholdsPercent(AccountCommands.number("--alert-thresholds", percent.strip()));
      }
    });
    run.option("low-balance-floor").ifPresent(amount -> request.setLowBalanceFloor(CreditAmount.parseAllowingZero(amount)));
    run.option("monthly-allocation").ifPresent(amount -> request.setMonthlyAllocation(CreditAmount.parseAllowingZero(amount)));
    run.option("rollover-months").ifPresent(n -> request.setRolloverMonths(AccountCommands.number("--rollover-months", n)));
    Org changed = run.tally().change(org, requestId, () -> run.tally().accounts().setOverrides(request.build()));
    printTerms(run, changed, clear ? "cleared the overrides of " + org + ": it follows plan " + changed.getPlan()
        : "set the overrides of " + org + "; what was not given follows plan " + changed.getPlan(), requestId);
  }

  static void prices(Invocation run) {
    ListPriceBooksResponse books = run.tally().read(null, () -> run.tally().accounts().listPriceBooks());
    if (run.out().json) {
      run.out().document(ApiJson.of(books));
      return;
    }
    Output out = run.out();
    for (PriceBook book : books.getPriceBooksList()) {
      out.line("price book " + book.getVersion() + ", in credits");
      Table models = new Table("MODEL", "INPUT/1M TOKENS", "OUTPUT/1M TOKENS", "CACHE READ/1M TOKENS", "CACHE WRITE/1M TOKENS")
          .alignRight(1, 2, 3, 4);
      for (ModelPrice model : book.getModelsList()) {
        models.row(model.getModel(), format(model.getInputPerMillion()), format(model.getOutputPerMillion()),
            format(model.getCacheReadPerMillion()), format(model.getCacheWritePerMillion()));
      }
      out.table(models);
      out.line("");
      Table callTypes = new Table("CALL TYPE", "PER CALL").alignRight(1);
      for (Map.Entry<String, Long> callType : new TreeMap<>(book.getCallTypesMap()).entrySet()) {
        callTypes.row(callType.getKey(), format(callType.getValue()));
      }
      out.table(callTypes);
    }
  }

  /** With --json the API's Org plus request_id; as text the org and the terms now in force. */
  private static void printTerms(Invocation run, Org changed, String headline, String requestId) {
    if (run.out().json) {
      JsonObject document = ApiJson.of(changed);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    GetBalanceResponse account = run.tally().read(changed.getOrgId(), () -> run.tally().client().balance(changed.getOrgId()));
    run.out().line(headline);
    run.out().table(AccountCommands.orgFields(changed)
        .row("multiplier", AccountCommands.multiplier(account.getPriceMultiplierPermille()))
        .row("limits", AccountCommands.limits(account.getLimits()))
        .row("request id", requestId));
  }

  private static long count(String option, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw Failure.usage("--" + option + " " + text + " is not a whole number");
    }
  }

  /** A factor like 1.2 (up to 3 decimals) in the thousandths the API counts in: 1200. */
  private static int permille(String factor) {
    try {
      return new BigDecimal(factor).movePointRight(3).intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw Failure.usage("--multiplier " + factor + " is not a factor with up to 3 decimals, like 1.2");
    }
  }
}
