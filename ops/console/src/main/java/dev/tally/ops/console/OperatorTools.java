package dev.tally.ops.console;

import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListRedemptionCodesRequest;
import dev.tally.v1.ListRedemptionCodesResponse;
import dev.tally.v1.Plan;
import dev.tally.v1.RedemptionCodeInfo;
import dev.tally.v1.Credits;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's pages (admin keys): open an org by id (or find it in the directory, {@link
 * DirectoryPage}), credit requests to decide, redemption code batches; and the operator's forms on
 * an org's page (plan, grants).
 */
final class OperatorTools {

  /** Open credit requests shown on the operator page, oldest filed first. */
  static final int REQUESTS_SHOWN = 100;
  /** Codes of a batch or label shown per page (the API's largest page). */
  static final int CODES_SHOWN = 100;
  /** The grant kinds an operator gives by hand. */
  static final List<String> GRANT_KINDS = List.of("promotion", "adjustment", "purchase", "trial");

  private OperatorTools() {}

  static String render(Session session, String batchId, String label) {
    Notice notice = session.takeNotice();
    Html page = new Html();
    page.raw("<section aria-labelledby=\"open-h\"><h2 id=\"open-h\">Open an org</h2>")
        .raw("<form method=\"get\" class=\"row\" action=\"" + Links.OPERATOR + "/open\">")
        .input("open-org", "org", "text", "Org id", "", "required maxlength=\"128\" autocomplete=\"off\"")
        .button("Open").raw("</form><p>").link(Links.DIRECTORY, "Browse the org directory and the top orgs")
        .raw("</p></section>");

    page.raw("<section aria-labelledby=\"decide-h\"><h2 id=\"decide-h\">Credit requests to decide</h2>");
    Pages.notice(page, notice, "decide");
    var open = session.tally().accounts().listCreditRequests(ListCreditRequestsRequest.newBuilder()
        .setStatus(dev.tally.v1.CreditRequest.Status.OPEN).setPageSize(REQUESTS_SHOWN).build());
    OrgView.requestTable(page, open.getRequestsList(), true, session);
    page.raw("</section>");

    page.raw("<section aria-labelledby=\"codes-h\"><h2 id=\"codes-h\">Redemption codes</h2><h3>Make a batch</h3>")
        .form(Links.operator("codes"), session.csrfToken(), "stack").hidden("request_id", Ids.fresh())
        .input("codes-count", "count", "number", "How many codes (1-1000)", "10", "required min=\"1\" max=\"1000\"")
        .input("codes-credits", "credits", "text", "Credits per redemption", "", "required inputmode=\"decimal\" maxlength=\"24\"")
        .input("codes-uses", "max_redemptions", "number", "Redemptions per code (each by another org)", "1", "min=\"1\" max=\"1000\"")
        .input("codes-days", "days", "number", "Redeemable for days (empty: no end)", "", "min=\"1\" max=\"3650\"")
        .input("codes-label", "label", "text", "Label", "", "maxlength=\"256\"")
        .button("Make codes").raw("</form>");
    Pages.notice(page, notice, "codes");
    page.raw("<h3>Find a batch</h3><form method=\"get\" class=\"row\" action=\"" + Links.OPERATOR + "#codes-h\">")
        .input("find-batch", "batch", "text", "Batch id", batchId, "maxlength=\"128\"")
        .input("find-label", "label", "text", "or label", label, "maxlength=\"256\"")
        .button("List codes").raw("</form>");
    Pages.notice(page, notice, "void");
    if (!batchId.isEmpty() || !label.isEmpty()) {
      ListRedemptionCodesResponse codes = session.tally().accounts().listRedemptionCodes(ListRedemptionCodesRequest.newBuilder()
          .setBatchId(batchId).setLabel(batchId.isEmpty() ? label : "").setPageSize(CODES_SHOWN).build());
      codeTable(page, session, codes.getCodesList(), !batchId.isEmpty());
    }
    page.raw("</section>");
    WebhookEndpoints.operatorSection(page, session);
    return Pages.frame(session, "Operator", page);
  }

  private static void codeTable(Html page, Session session, List<RedemptionCodeInfo> codes, boolean oneBatch) {
    if (codes.isEmpty()) {
      page.raw("<p>No codes.</p>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"codes\"><thead><tr><th scope=\"col\">Code</th><th scope=\"col\">Batch</th>")
        .raw("<th scope=\"col\">Label</th><th scope=\"col\" class=\"num\">Credits</th><th scope=\"col\">Redeemed</th>")
        .raw("<th scope=\"col\">Expires</th><th scope=\"col\">Voided</th></tr></thead><tbody>");
    for (RedemptionCodeInfo code : codes) {
      page.raw("<tr>").element("td", code.getHint()).element("td", code.getBatchId()).element("td", code.getLabel())
          .raw("<td class=\"num\">").text(Credits.withSeparators(code.getCredits())).raw("</td>")
          .element("td", code.getRedemptions() + " of " + code.getMaxRedemptions())
          .element("td", code.hasExpiresAt() ? Pages.time(code.getExpiresAt()) : "never")
          .element("td", Pages.time(code.getVoidedAt())).raw("</tr>");
    }
    page.raw("</tbody></table></div>");
    if (oneBatch) {
      page.form(Links.operator("codes/void"), session.csrfToken(), "row").hidden("batch", codes.get(0).getBatchId())
          .button("Void every code of this batch").raw("</form>");
    }
  }

  /** The codes a new batch was made with: shown once. */
  static List<String> shownOnce(CreateRedemptionCodesResponse response) {
    return new ArrayList<>(response.getCodesList());
  }

  /** The operator's forms on an org's page: its plan and a grant of credits. */
  static void forOrg(Html page, Session session, String orgId, String currentPlan, List<Plan> plans, Notice notice) {
    List<String> names = new ArrayList<>();
    for (Plan plan : plans) names.add(plan.getName());
    page.raw("<section aria-labelledby=\"operate-h\"><h2 id=\"operate-h\">Operator</h2><h3>Plan</h3>")
        .form(Links.orgAction(orgId, "plan"), session.csrfToken(), "row").hidden("request_id", Ids.fresh())
        .select("plan-name", "plan", "Plan", names, currentPlan).button("Change plan").raw("</form>");
    Pages.notice(page, notice, "plan");
    page.raw("<h3>Grant credits</h3>")
        .form(Links.orgAction(orgId, "grant"), session.csrfToken(), "stack").hidden("request_id", Ids.fresh())
        .input("grant-amount", "amount", "text", "Credits", "", "required inputmode=\"decimal\" maxlength=\"24\"")
        .select("grant-kind", "kind", "Kind", GRANT_KINDS, "promotion")
        .input("grant-days", "days", "number", "Expires after days (empty: never)", "", "min=\"1\" max=\"3650\"")
        .button("Grant").raw("</form>");
    Pages.notice(page, notice, "grant");
    page.raw("</section>");
  }

  /** The grant kind an operator picked, by its lowercase name. */
  static GrantKind grantKind(String name) {
    if (!GRANT_KINDS.contains(name)) throw new IllegalArgumentException("pick a kind of the list");
    return GrantKind.valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }
}
