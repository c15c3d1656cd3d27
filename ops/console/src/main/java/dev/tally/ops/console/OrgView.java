package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.v1.ApiKeyInfo;
import dev.tally.v1.Balance;
import dev.tally.v1.CreditRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.GrantKind;
import dev.tally.v1.GrantStatement;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListGrantsRequest;
import dev.tally.v1.ListGrantsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.Org;
import dev.tally.v1.PeriodUsage;
import dev.tally.v1.Referral;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * An org's page: balance and plan, alerts, grants, referral, credit requests, webhook endpoints, the ledger, and what the
 * signed-in key may do there (redeem, transfer, ask for credits; an owner key and an operator also API keys;
 * an operator also plan and grants, own terms, webhook endpoints). Every read goes out with the user's key, so the node decides what the page may hold.
 */
final class OrgView {

  /** Ledger entries per page. */
  static final int LEDGER_PAGE = 50;
  /** Grants per page (the API's largest page). */
  static final int GRANTS_PAGE = 100;
  /** Credit requests shown: an org keeps its last 100, open ones matter most. */
  static final int REQUESTS_SHOWN = 20;
  /** API keys shown to an operator or the org's owner on the org's page. */
  static final int KEYS_SHOWN = 100;

  private OrgView() {}

  static String render(Session session, String orgId, String ledgerToken, String grantsToken, String alertsToken) {
    TallyClient tally = session.tally();
    Access access = session.access();
    GetBalanceResponse balance = tally.balance(orgId);
    Org org = access.mayReadOrg() ? tally.accounts().getOrg(orgId) : null;
    Notice notice = session.takeNotice();

    Html page = new Html();
    Pages.orgTabs(page, orgId, "org");
    summary(page, orgId, org, balance);
    AlertsSection.render(page, orgId, AlertsSection.page(tally, orgId, alertsToken), alertsToken);
    if (access.mayChangeCredits()) redeemForm(page, session, orgId, notice);
    grants(page, orgId, tally.accounts().listGrants(ListGrantsRequest.newBuilder()
        .setOrgId(orgId).setPageSize(GRANTS_PAGE).setPageToken(grantsToken).build()), grantsToken);
    referral(page, session, orgId, tally.accounts().getReferral(orgId), notice);
    creditRequests(page, session, orgId, tally.accounts().listCreditRequests(ListCreditRequestsRequest.newBuilder()
        .setOrgId(orgId).setPageSize(REQUESTS_SHOWN).build()).getRequestsList(), notice);
    if (access.isOperator()) {
      OperatorTools.forOrg(page, session, orgId, balance.getPlan(), tally.accounts().listPlans().getPlansList(), notice);
      OverridesForm.section(page, session, orgId, notice);
    }
    if (access.mayManageKeys()) {
      apiKeys(page, session, orgId, tally.accounts().listApiKeys(ListApiKeysRequest.newBuilder()
          .setOrgId(orgId).setPageSize(KEYS_SHOWN).build()).getKeysList(), notice);
    }
    WebhookEndpoints.section(page, session, orgId, notice);
    ledger(page, orgId, tally.accounts().listLedger(ListLedgerRequest.newBuilder()
        .setOrgId(orgId).setPageSize(LEDGER_PAGE).setPageToken(ledgerToken).build()), ledgerToken);
    String title = org != null && !org.getDisplayName().isEmpty() ? org.getDisplayName() : "Org " + orgId;
    return Pages.frame(session, title, page);
  }

  private static void summary(Html page, String orgId, Org org, GetBalanceResponse response) {
    Balance balance = response.getBalance();
    page.raw("<section aria-labelledby=\"balance-h\"><h2 id=\"balance-h\">Balance</h2>")
        .raw("<dl class=\"figures\">")
        .raw("<div><dt>Available</dt><dd id=\"available\">").text(Credits.withSeparators(balance.getAvailable()))
        .raw("</dd></div><div><dt>Held</dt><dd id=\"held\">").text(Credits.withSeparators(balance.getHeld()))
        .raw("</dd></div><div><dt>Debt</dt><dd id=\"debt\">").text(Credits.withSeparators(balance.getDebt()))
        .raw("</dd></div></dl><p class=\"unit\">in credits</p>")
        .raw("<dl class=\"facts\"><dt>Org id</dt><dd id=\"org-id\">").text(orgId).raw("</dd>");
    if (org != null && !org.getDisplayName().isEmpty()) page.raw("<dt>Name</dt><dd>").text(org.getDisplayName()).raw("</dd>");
    page.raw("<dt>Plan</dt><dd id=\"plan\">").text(response.getPlan()).raw("</dd>");
    if (!response.getNextPlan().isEmpty()) {
      page.raw("<dt>Next plan</dt><dd>").text(response.getNextPlan() + " from " + Pages.time(response.getNextPlanAt())).raw("</dd>");
    }
    page.raw("<dt>Open reservations</dt><dd>").text(Integer.toString(balance.getOpenReservations())).raw("</dd></dl>");
    PeriodUsage period = response.getPeriod();
    page.raw("<h3>This billing period</h3><p>").text(Pages.time(period.getStart()) + " to " + Pages.time(period.getEnd()))
        .raw("</p><p>Charged <strong id=\"period-charged\">").text(Credits.withSeparators(period.getCharged()))
        .raw("</strong> credits in ").text(Long.toString(period.getCalls())).raw(period.getCalls() == 1 ? " call" : " calls");
    if (period.getAllocation() > 0) {
      page.raw(" of an allocation of ").text(Credits.withSeparators(period.getAllocation())).raw(" credits.</p>")
          .raw("<meter min=\"0\" low=\"80\" high=\"100\" optimum=\"0\" max=\"120\" aria-label=\"Share of the allocation used\" value=\"")
          .text(Long.toString(percent(period.getCharged(), period.getAllocation()))).raw("\"></meter> ")
          .text(percent(period.getCharged(), period.getAllocation()) + " % used");
    } else {
      page.raw(".</p>");
    }
    page.raw("</section>");
  }

  /** Share of {@code whole} in whole percent, 0 to 1,000 (the bar shows to 120 %); exact for any two longs. */
  static long percent(long part, long whole) {
    if (whole <= 0 || part <= 0) return 0;
    return BigInteger.valueOf(part).multiply(BigInteger.valueOf(100)).divide(BigInteger.valueOf(whole))
        .min(BigInteger.valueOf(1_000)).longValueExact();
  }

  private static void redeemForm(Html page, Session session, String orgId, Notice notice) {
    page.raw("<section aria-labelledby=\"redeem-h\"><h2 id=\"redeem-h\">Redeem a code</h2>")
        .form(Links.orgAction(orgId, "redeem"), session.csrfToken(), "row")
        .hidden("request_id", Ids.fresh())
        .input("redeem-code", "code", "text", "Redemption code", "", "required maxlength=\"100\" autocomplete=\"off\" placeholder=\"tc_...\"")
        .button("Redeem").raw("</form>");
    Pages.notice(page, notice, "redeem");
    page.raw("</section>");
  }

  private static void grants(Html page, String orgId, ListGrantsResponse response, String token) {
    page.raw("<section aria-labelledby=\"grants-h\"><h2 id=\"grants-h\">Grants and packages</h2>");
    if (response.getGrantsCount() == 0) {
      page.raw("<p>No grants").raw(token.isEmpty() ? " yet." : " after this point.").raw("</p></section>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"grants\"><thead><tr><th scope=\"col\">Grant</th><th scope=\"col\">Kind</th>")
        .raw("<th scope=\"col\">State</th><th scope=\"col\" class=\"num\">Granted</th><th scope=\"col\" class=\"num\">Used</th>")
        .raw("<th scope=\"col\" class=\"num\">Remaining</th><th scope=\"col\" class=\"num\">Expired or voided</th>")
        .raw("<th scope=\"col\">From</th><th scope=\"col\">Expires</th><th scope=\"col\">Ended</th></tr></thead><tbody>");
    for (GrantStatement statement : response.getGrantsList()) {
      var grant = statement.getGrant();
      long lost = statement.getExpired() + statement.getVoided();  // both parts of one grant's amount: no overflow
      page.raw("<tr>").element("td", grant.getGrantId()).element("td", kind(grant.getKind()))
          .element("td", statement.getState().name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT))
          .raw("<td class=\"num\">").text(Credits.withSeparators(grant.getAmount()))
          .raw("</td><td class=\"num\">").text(Credits.withSeparators(statement.getUsed()))
          .raw("</td><td class=\"num\">").text(Credits.withSeparators(grant.getRemaining()))
          .raw("</td><td class=\"num\">").text(Credits.withSeparators(lost)).raw("</td>")
          .element("td", Pages.time(grant.getEffectiveAt()))
          .element("td", grant.hasExpiresAt() ? Pages.time(grant.getExpiresAt()) : "never")
          .element("td", Pages.time(statement.getEndedAt())).raw("</tr>");
    }
    page.raw("</tbody></table></div>");
    if (!response.getNextPageToken().isEmpty()) {
      page.raw("<p>").link(Links.org(orgId) + "?grants=" + Html.urlPart(response.getNextPageToken()) + "#grants-h", "More grants")
          .raw("</p>");
    }
    page.raw("</section>");
  }

  private static String kind(GrantKind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void referral(Html page, Session session, String orgId, Referral referral, Notice notice) {
    page.raw("<section aria-labelledby=\"referral-h\"><h2 id=\"referral-h\">Referrals</h2><dl class=\"facts\">")
        .raw("<dt>Your referral code</dt><dd><code id=\"referral-code\">").text(referral.getReferralCode()).raw("</code></dd>")
        .raw("<dt>Reward balance</dt><dd id=\"reward-balance\">").text(Credits.withSeparators(referral.getRewardBalance()))
        .raw(" credits</dd><dt>Earned in all</dt><dd>").text(Credits.withSeparators(referral.getRewardsEarned()))
        .raw(" credits</dd><dt>Moved to the balance</dt><dd>").text(Credits.withSeparators(referral.getRewardsTransferred()))
        .raw(" credits</dd><dt>Orgs whose purchases rewarded you</dt><dd>").text(Integer.toString(referral.getRewardingOrgs()))
        .raw("</dd></dl>");
    if (session.access().mayChangeCredits() && referral.getRewardBalance() > 0) {
      page.form(Links.orgAction(orgId, "transfer"), session.csrfToken(), "row").hidden("request_id", Ids.fresh())
          .button("Transfer to balance").raw("</form>");
    }
    Pages.notice(page, notice, "transfer");
    page.raw("</section>");
  }

  private static void creditRequests(Html page, Session session, String orgId, List<CreditRequest> requests, Notice notice) {
    page.raw("<section aria-labelledby=\"requests-h\"><h2 id=\"requests-h\">Credit requests</h2>");
    if (session.access().mayChangeCredits()) {
      page.raw("<p>Once this period's usage passes 80 % of what it could spend, you may ask for more credits.</p>")
          .form(Links.orgAction(orgId, "requests"), session.csrfToken(), "stack").hidden("request_id", Ids.fresh())
          .input("request-amount", "amount", "text", "Credits", "", "required inputmode=\"decimal\" maxlength=\"24\"")
          .input("request-reason", "reason", "text", "Why", "", "required maxlength=\"256\"")
          .button("Ask for credits").raw("</form>");
      Pages.notice(page, notice, "requests");
    }
    requestTable(page, requests, false, null);
    page.raw("</section>");
  }

  /**
   * Credit requests as a table; with {@code decide} (the operator's list) each open one gets approve
   * and deny buttons, posted with {@code session}'s token.
   */
  static void requestTable(Html page, List<CreditRequest> requests, boolean decide, Session session) {
    if (requests.isEmpty()) {
      page.raw("<p>No credit requests.</p>");
      return;
    }
    page.raw("<div class=\"scroll\"><table class=\"requests\"><thead><tr>")
        .raw(decide ? "<th scope=\"col\">Org</th>" : "")
        .raw("<th scope=\"col\">No.</th><th scope=\"col\" class=\"num\">Credits</th><th scope=\"col\">Why</th>")
        .raw("<th scope=\"col\">Status</th><th scope=\"col\">Filed</th><th scope=\"col\">Decided</th><th scope=\"col\">Note</th>")
        .raw(decide ? "<th scope=\"col\">Decide</th>" : "").raw("</tr></thead><tbody>");
    for (CreditRequest request : requests) {
      page.raw("<tr>");
      if (decide) page.raw("<td>").link(Links.org(request.getOrgId()), request.getOrgId()).raw("</td>");
      page.element("td", Long.toString(request.getNumber()))
          .raw("<td class=\"num\">").text(Credits.withSeparators(request.getAmount())).raw("</td>")
          .element("td", request.getReason())
          .element("td", request.getStatus().name().toLowerCase(java.util.Locale.ROOT))
          .element("td", Pages.time(request.getFiledAt())).element("td", Pages.time(request.getDecidedAt()))
          .element("td", request.getNote());
      if (decide) {
        page.raw("<td>");
        if (request.getStatus() == CreditRequest.Status.OPEN || request.getStatus() == CreditRequest.Status.GRANTING) {
          String id = request.getOrgId() + "-" + request.getNumber();
          page.form(Links.operator("requests/decide"), session.csrfToken(), "decide")
              .hidden("org", request.getOrgId()).hidden("number", Long.toString(request.getNumber()))
              .input("note-" + id, "note", "text", "Note", "", "maxlength=\"256\"")
              .raw("<button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>")
              .raw("<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></form>");
        }
        page.raw("</td>");
      }
      page.raw("</tr>");
    }
    page.raw("</tbody></table></div>");
  }

  private static void apiKeys(Html page, Session session, String orgId, List<ApiKeyInfo> keys, Notice notice) {
    page.raw("<section aria-labelledby=\"keys-h\"><h2 id=\"keys-h\">API keys</h2>")
        .form(Links.orgAction(orgId, "keys"), session.csrfToken(), "row").hidden("request_id", Ids.fresh())
        .select("key-role", "role", "Role", List.of("metering", "reader", "owner"), "reader")
        .input("key-label", "label", "text", "Label", "", "maxlength=\"256\"")
        .button("Create key").raw("</form>");
    Pages.notice(page, notice, "keys");
    if (keys.isEmpty()) {
      page.raw("<p>No keys for this org.</p></section>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"keys\"><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Role</th>")
        .raw("<th scope=\"col\">Label</th><th scope=\"col\">Created</th><th scope=\"col\">Revoked</th><th scope=\"col\">Revoke</th>")
        .raw("</tr></thead><tbody>");
    for (ApiKeyInfo key : keys) {
      page.raw("<tr>").element("td", key.getHint()).element("td", key.getRole()).element("td", key.getLabel())
          .element("td", Pages.time(key.getCreatedAt())).element("td", Pages.time(key.getRevokedAt())).raw("<td>");
      if (!key.hasRevokedAt()) {
        page.form(Links.orgAction(orgId, "keys/revoke"), session.csrfToken(), "inline").hidden("key_id", key.getKeyId())
            .raw("<button type=\"submit\" class=\"secondary\" aria-label=\"Revoke ").text(key.getHint()).raw("\">Revoke</button></form>");
      }
      page.raw("</td></tr>");
    }
    page.raw("</tbody></table></div></section>");
  }

  private static void ledger(Html page, String orgId, ListLedgerResponse response, String token) {
    page.raw("<section aria-labelledby=\"ledger\"><h2 id=\"ledger\">Ledger</h2><p>Every event of the account, oldest first.</p>");
    if (response.getEntriesCount() == 0) {
      page.raw("<p>No entries").raw(token.isEmpty() ? "." : " after this point.").raw("</p>");
    } else {
      page.raw("<div class=\"scroll\"><table id=\"ledger-table\"><thead><tr><th scope=\"col\">No.</th><th scope=\"col\">When</th>")
          .raw("<th scope=\"col\">What</th><th scope=\"col\" class=\"num\">Credits</th><th scope=\"col\">About</th></tr></thead><tbody>");
      for (LedgerEntry entry : response.getEntriesList()) {
        page.raw("<tr>").element("td", Long.toString(entry.getSequenceNr())).element("td", Pages.time(entry.getOccurredAt()))
            .element("td", entry.getType().replace('_', ' ').toLowerCase(java.util.Locale.ROOT))
            .raw("<td class=\"num\">").text(entry.getAmount() == 0 ? "" : Credits.withSeparators(entry.getAmount())).raw("</td>")
            .element("td", about(entry)).raw("</tr>");
      }
      page.raw("</tbody></table></div>");
    }
    if (!token.isEmpty()) page.raw("<p>").link(Links.org(orgId) + "#ledger", "First ledger page").raw("</p>");
    if (!response.getNextPageToken().isEmpty()) {
      page.raw("<p>").link(Links.orgLedgerPage(orgId, response.getNextPageToken()), "Next ledger page").raw("</p>");
    }
    page.raw("</section>");
  }

  /** What a ledger entry is about beyond its type and amount: plain text, escaped by the caller. */
  private static String about(LedgerEntry entry) {
    List<String> parts = new ArrayList<>();
    if (!entry.getGrantId().isEmpty()) parts.add("grant " + entry.getGrantId());
    if (!entry.getReservationId().isEmpty()) parts.add("reservation " + entry.getReservationId());
    var labels = entry.getLabels();
    if (!labels.getModel().isEmpty()) parts.add("model " + labels.getModel());
    if (!labels.getCallType().isEmpty()) parts.add("call type " + labels.getCallType());
    if (!labels.getProject().isEmpty()) parts.add("project " + labels.getProject());
    if (!labels.getUser().isEmpty()) parts.add("user " + labels.getUser());
    if (!entry.getPlan().isEmpty()) parts.add("plan " + entry.getPlan());
    if (entry.getDebtIncurred() != 0) parts.add("debt " + Credits.withSeparators(entry.getDebtIncurred()));
    if (entry.hasAlert()) {
      var alert = entry.getAlert();
      parts.add(alert.getKind() == dev.tally.v1.Alert.Kind.USAGE_THRESHOLD
          ? "alert: " + alert.getThresholdPercent() + " % of the period used"
          : "alert: " + AlertsSection.describe(alert).toLowerCase(java.util.Locale.ROOT) + ", "
              + Credits.withSeparators(alert.getAvailable()) + " available");
    }
    if (!entry.getReason().isEmpty()) parts.add("reason " + entry.getReason());
    return String.join(", ", parts);
  }
}
