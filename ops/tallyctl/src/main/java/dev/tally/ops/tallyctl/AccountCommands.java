package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import com.google.protobuf.Timestamp;
import dev.tally.v1.Balance;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.Grant;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantCreditsResponse;
import dev.tally.v1.GrantKind;
import dev.tally.v1.GrantStatement;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.Limits;
import dev.tally.v1.ListGrantsRequest;
import dev.tally.v1.ListGrantsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.ListPlansResponse;
import dev.tally.v1.Org;
import dev.tally.v1.PeriodUsage;
import dev.tally.v1.Plan;
import dev.tally.v1.VoidGrantRequest;
import dev.tally.v1.VoidGrantResponse;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Orgs, credits and the ledger, over the Accounts and Metering services. Amounts print as credits. */
final class AccountCommands {

  /** The most entries ListLedger gives in one page. */
  private static final int LEDGER_PAGE = 1000;

  /** The most grants ListGrants gives in one page. */
  private static final int GRANTS_PAGE = 100;

  private AccountCommands() {}

  static void createOrg(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    CreateOrgRequest.Builder request = CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(requestId);
    run.option("name").ifPresent(request::setDisplayName);
    run.option("plan").ifPresent(request::setPlan);
    run.option("referral-code").ifPresent(request::setReferralCode);
    Org created = run.tally().change(org, requestId, () -> run.tally().accounts().createOrg(request.build()));
    if (run.out().json) {
      run.out().document(withRequestId(ApiJson.of(created), requestId));
      return;
    }
    run.out().table(orgFields(created)
        .row("available", format(created.getBalance().getAvailable()) + " credits")
        .row("request id", requestId));
  }

  static void showOrg(Invocation run) {
    String org = run.operand(0);
    Org found = run.tally().read(org, () -> run.tally().accounts().getOrg(org));
    GetBalanceResponse account = run.tally().read(org, () -> run.tally().client().balance(org));
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("org", ApiJson.of(found));
      document.add("account", ApiJson.of(account));
      run.out().document(document);
      return;
    }
    Output out = run.out();
    out.table(orgFields(found)
        .row("multiplier", multiplier(account.getPriceMultiplierPermille()))
        .row("limits", limits(account.getLimits())));
    out.line("");
    out.line("balance (credits)");
    out.table(balanceTable(account.getBalance()));
    out.line("");
    out.line("grants, in draw order");
    out.table(grantsTable(account.getGrantsList()));
    out.line("");
    PeriodUsage period = account.getPeriod();
    out.line("period " + time(period.getStart()) + " to " + time(period.getEnd()));
    out.table(new Table()
        .row("allocation", format(period.getAllocation()))
        .row("monthly allocation", format(period.getMonthlyAllocation()))
        .row("charged", format(period.getCharged()))
        .row("calls", period.getCalls())
        .alignRight(1));
    if (!period.getChargedByModelMap().isEmpty() || !period.getTokensByModelMap().isEmpty()) {
      Table models = new Table("MODEL", "CHARGED", "TOKENS").alignRight(1, 2);
      Map<String, Long> charged = new TreeMap<>(period.getChargedByModelMap());
      period.getTokensByModelMap().keySet().forEach(model -> charged.putIfAbsent(model, 0L));
      charged.forEach((model, amount) ->
          models.row(model.isEmpty() ? "(none)" : model, format(amount), period.getTokensByModelOrDefault(model, 0)));
      out.table(models);
    }
  }

  static void balance(Invocation run) {
    String org = run.operand(0);
    GetBalanceResponse account = run.tally().read(org, () -> run.tally().client().balance(org));
    if (run.out().json) {
      run.out().document(ApiJson.of(account));
      return;
    }
    run.out().table(balanceTable(account.getBalance()));
    if (account.getGrantsCount() > 0) {
      run.out().line("");
      run.out().table(grantsTable(account.getGrantsList()));
    }
  }

  static void grant(Invocation run) {
    String org = run.operand(0);
    long amount = CreditAmount.parse(run.operand(1));
    String requestId = run.requestId();
    GrantCreditsRequest.Builder request = GrantCreditsRequest.newBuilder()
        .setOrgId(org)
        .setRequestId(requestId)
        .setKind(kind(run.option("kind").orElseThrow()))
        .setAmount(amount);
    run.option("id").ifPresent(request::setGrantId);
    run.option("priority").ifPresent(priority -> request.setPriority(number("--priority", priority)));
    run.option("effective").ifPresent(time -> request.setEffectiveAt(timestamp("--effective", time)));
    run.option("expires").ifPresent(time -> request.setExpiresAt(timestamp("--expires", time)));
    GrantCreditsResponse granted =
        run.tally().change(org, requestId, () -> run.tally().accounts().grantCredits(request.build()));
    if (run.out().json) {
      run.out().document(withRequestId(ApiJson.of(granted), requestId));
      return;
    }
    Grant grant = granted.getGrant();
    run.out().line("granted " + format(grant.getAmount()) + " credits to " + org);
    run.out().table(new Table()
        .row("grant", grant.getGrantId())
        .row("kind", grant.getKind())
        .row("priority", grant.getPriority())
        .row("effective at", time(grant.getEffectiveAt()))
        .row("expires at", grant.hasExpiresAt() ? time(grant.getExpiresAt()) : "never")
        .row("available", format(granted.getBalance().getAvailable()) + " credits")
        .row("request id", requestId));
  }

  static void voidGrant(Invocation run) {
    String org = run.operand(0);
    String grantId = run.operand(1);
    String requestId = run.requestId();
    VoidGrantRequest.Builder request = VoidGrantRequest.newBuilder()
        .setOrgId(org).setRequestId(requestId).setGrantId(grantId);
    run.option("reason").ifPresent(request::setReason);
    VoidGrantResponse voided = run.tally().change(org, requestId, () -> run.tally().accounts().voidGrant(request.build()));
    if (run.out().json) {
      run.out().document(withRequestId(ApiJson.of(voided), requestId));
      return;
    }
    run.out().line("voided grant " + grantId + " of " + org + ": " + format(voided.getVoided()) + " credits taken back");
    run.out().table(new Table()
        .row("available", format(voided.getBalance().getAvailable()) + " credits")
        .row("request id", requestId));
  }

  static void ledger(Invocation run) {
    String org = run.operand(0);
    int limit = run.option("limit").map(text -> number("--limit", text)).orElse(Integer.MAX_VALUE);
    if (limit < 1) throw Failure.usage("--limit must be at least 1");
    List<LedgerEntry> entries = new ArrayList<>();
    String token = "";
    do {
      ListLedgerRequest request = ListLedgerRequest.newBuilder()
          .setOrgId(org).setPageSize(Math.min(LEDGER_PAGE, limit - entries.size())).setPageToken(token).build();
      ListLedgerResponse page = run.tally().read(org, () -> run.tally().accounts().listLedger(request));
      entries.addAll(page.getEntriesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty() && entries.size() < limit);
    boolean more = !token.isEmpty();
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.addProperty("org_id", org);
      document.add("entries", ApiJson.of(entries));
      document.addProperty("more", more);
      run.out().document(document);
      return;
    }
    Table table = new Table("SEQ", "OCCURRED AT", "TYPE", "AMOUNT", "DETAIL", "REQUEST ID").alignRight(0, 3);
    for (LedgerEntry entry : entries) {
      table.row(entry.getSequenceNr(), time(entry.getOccurredAt()), entry.getType(), format(entry.getAmount()),
          detail(entry), entry.getRequestId());
    }
    run.out().table(table);
    if (more) run.out().line("(the first " + entries.size() + " entries; more with a higher --limit)");
  }

  /** Every grant of an org, active and finished, in the order given: what became of its credits. */
  static void grants(Invocation run) {
    String org = run.operand(0);
    List<GrantStatement> grants = new ArrayList<>();
    String token = "";
    do {
      ListGrantsRequest request =
          ListGrantsRequest.newBuilder().setOrgId(org).setPageSize(GRANTS_PAGE).setPageToken(token).build();
      ListGrantsResponse page = run.tally().read(org, () -> run.tally().accounts().listGrants(request));
      grants.addAll(page.getGrantsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.addProperty("org_id", org);
      document.add("grants", ApiJson.of(grants));
      run.out().document(document);
      return;
    }
    Table table = new Table("GRANT", "KIND", "STATE", "AMOUNT", "USED", "REMAINING", "EXPIRED", "VOIDED", "EFFECTIVE AT",
        "EXPIRES AT", "ENDED AT").alignRight(3, 4, 5, 6, 7);
    for (GrantStatement line : grants) {
      Grant grant = line.getGrant();
      table.row(grant.getGrantId(), grant.getKind(), line.getState(), format(grant.getAmount()), format(line.getUsed()),
          format(grant.getRemaining()), format(line.getExpired()), format(line.getVoided()), time(grant.getEffectiveAt()),
          grant.hasExpiresAt() ? time(grant.getExpiresAt()) : "never", line.hasEndedAt() ? time(line.getEndedAt()) : "");
    }
    run.out().table(table);
  }

  static void plans(Invocation run) {
    ListPlansResponse plans = run.tally().read(null, () -> run.tally().accounts().listPlans());
    if (run.out().json) {
      run.out().document(ApiJson.of(plans));
      return;
    }
    Table table = new Table("PLAN", "TRIAL", "TRIAL DAYS", "MONTHLY", "ROLLOVER MONTHS", "REQUESTS/MIN", "CREDITS/MIN",
        "CONCURRENT", "MULTIPLIER", "LOW BALANCE").alignRight(1, 2, 3, 4, 5, 6, 7, 8, 9);
    for (Plan plan : plans.getPlansList()) {
      Limits limits = plan.getLimits();
      table.row(plan.getName() + (plan.getName().equals(plans.getDefaultPlan()) ? " (default)" : ""),
          format(plan.getTrialCredits()), plan.getTrialDays(), format(plan.getMonthlyAllocation()), plan.getRolloverMonths(),
          unlimitedIfZero(limits.getRequestsPerMinute(), Long.toString(limits.getRequestsPerMinute())),
          unlimitedIfZero(limits.getCreditsPerMinute(), format(limits.getCreditsPerMinute())),
          unlimitedIfZero(limits.getConcurrentReservations(), Integer.toString(limits.getConcurrentReservations())),
          multiplier(plan.getPriceMultiplierPermille()), format(plan.getLowBalanceFloor()));
    }
    run.out().table(table);
  }

  // ---- rendering -------------------------------------------------------------------------------

  private static JsonObject withRequestId(JsonObject response, String requestId) {
    response.addProperty("request_id", requestId);
    return response;
  }

  static Table orgFields(Org org) {
    Table fields = new Table()
        .row("org", org.getOrgId())
        .row("name", org.getDisplayName())
        .row("plan", org.getPlan());
    if (!org.getNextPlan().isEmpty()) fields.row("next plan", org.getNextPlan() + " from " + time(org.getNextPlanAt()));
    return fields.row("created at", time(org.getCreatedAt()));
  }

  private static Table balanceTable(Balance balance) {
    return new Table()
        .row("available", format(balance.getAvailable()))
        .row("held", format(balance.getHeld()))
        .row("debt", format(balance.getDebt()))
        .row("granted remaining", format(balance.getGrantedRemaining()))
        .row("open reservations", balance.getOpenReservations())
        .alignRight(1);
  }

  private static Table grantsTable(List<Grant> grants) {
    Table table = new Table("GRANT", "KIND", "AMOUNT", "REMAINING", "PRIORITY", "EFFECTIVE AT", "EXPIRES AT")
        .alignRight(2, 3, 4);
    for (Grant grant : grants) {
      table.row(grant.getGrantId(), grant.getKind(), format(grant.getAmount()), format(grant.getRemaining()),
          grant.getPriority(), time(grant.getEffectiveAt()), grant.hasExpiresAt() ? time(grant.getExpiresAt()) : "never");
    }
    return table;
  }

  /** What a ledger entry is about, beyond its type and amount. */
  private static String detail(LedgerEntry entry) {
    List<String> parts = new ArrayList<>();
    if (entry.getCreditRequestNumber() > 0) {
      parts.add("credit request " + entry.getCreditRequestNumber() + " " + entry.getReason().toLowerCase());
    }
    if (entry.getType().startsWith("API_KEY_")) parts.add("key " + entry.getApiKeyId());
    if (!entry.getGrantId().isEmpty()) parts.add("grant " + entry.getGrantId());
    if (!entry.getReservationId().isEmpty()) parts.add("reservation " + entry.getReservationId());
    if (!entry.getPlan().isEmpty()) parts.add("plan " + entry.getPlan());
    if (!entry.getLabels().getModel().isEmpty()) parts.add("model " + entry.getLabels().getModel());
    if (!entry.getLabels().getCallType().isEmpty()) parts.add("call type " + entry.getLabels().getCallType());
    if (entry.getDebtIncurred() > 0) parts.add("debt +" + format(entry.getDebtIncurred()));
    if (entry.hasAlert()) {
      parts.add("alert " + entry.getAlert().getKind()
          + (entry.getAlert().getThresholdPercent() > 0 ? " " + entry.getAlert().getThresholdPercent() + "%" : ""));
    }
    return String.join(", ", parts);
  }

  static String limits(Limits limits) {
    return "requests/min " + unlimitedIfZero(limits.getRequestsPerMinute(), Long.toString(limits.getRequestsPerMinute()))
        + ", credits/min " + unlimitedIfZero(limits.getCreditsPerMinute(), format(limits.getCreditsPerMinute()))
        + ", concurrent reservations "
        + unlimitedIfZero(limits.getConcurrentReservations(), Integer.toString(limits.getConcurrentReservations()));
  }

  /** Limits of 0 mean unlimited (ledger.proto). */
  private static String unlimitedIfZero(long limit, String shown) {
    return limit == 0 ? "unlimited" : shown;
  }

  /** Thousandths as a factor: 1200 → "1.2x". */
  static String multiplier(int permille) {
    return BigDecimal.valueOf(permille, 3).stripTrailingZeros().toPlainString() + "x";
  }

  static String time(Timestamp time) {
    return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
  }

  // ---- reading options -------------------------------------------------------------------------

  private static GrantKind kind(String text) {
    List<String> kinds = Arrays.stream(GrantKind.values())
        .filter(kind -> kind != GrantKind.GRANT_KIND_UNSPECIFIED && kind != GrantKind.UNRECOGNIZED)
        .map(GrantKind::name)
        .toList();
    String name = text.toUpperCase(Locale.ROOT);
    if (!kinds.contains(name)) throw Failure.usage("--kind " + text + " is not one of " + String.join(", ", kinds));
    return GrantKind.valueOf(name);
  }

  static int number(String option, String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw Failure.usage(option + " " + text + " is not a whole number");
    }
  }

  /** A UTC time like 2027-01-01T00:00:00Z, or a date (its start, UTC). */
  static Timestamp timestamp(String option, String text) {
    Instant instant;
    try {
      instant = text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException e) {
      throw Failure.usage(option + " " + text + " is not a UTC time like 2027-01-01T00:00:00Z or a date like 2027-01-01");
    }
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
