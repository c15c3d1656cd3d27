package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.v1.Credits;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.Plan;
import dev.tally.v1.TopOrgsRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's org directory (admin keys): the orgs that used the most this period (TopOrgs) and
 * every org a page at a time (ListOrgs), filtered by plan and state as the API does, and by an id
 * prefix here: ListOrgs has no prefix filter, so the console reads on through its pages until a page
 * of matches is full or it has read {@link #SEARCH_CALLS} of them, and offers to read on from there.
 */
final class DirectoryPage {

  /** Orgs per page (ListOrgs' largest page). */
  static final int PAGE = 100;
  /** Top orgs shown. */
  static final int TOP = 10;
  /** ListOrgs calls one search makes at most (each looks at up to 1,000 orgs). */
  static final int SEARCH_CALLS = 10;
  /** The states ListOrgs filters on, by the name the form sends. */
  static final List<String> STATES = List.of("any", "depleted", "in-debt");

  private DirectoryPage() {}

  /** A search of the directory as the page's form sent it. */
  record Search(String prefix, String plan, String state, String pageToken) {

    static Search of(WebRequest request) {
      String prefix = request.query("q").strip();
      if (prefix.length() > 128) throw new WebRequest.BadRequest("an org id is at most 128 characters");
      String state = request.query("status").isEmpty() ? "any" : request.query("status");
      if (!STATES.contains(state)) throw new WebRequest.BadRequest("status is one of " + String.join(", ", STATES));
      return new Search(prefix, request.query("plan").strip(), state, request.query("page"));
    }

    ListOrgsRequest.Status status() {
      return switch (state) {
        case "depleted" -> ListOrgsRequest.Status.DEPLETED;
        case "in-debt" -> ListOrgsRequest.Status.IN_DEBT;
        default -> ListOrgsRequest.Status.STATUS_UNSPECIFIED;
      };
    }

    boolean matches(DirectoryEntry org) {
      return org.getOrgId().startsWith(prefix);
    }

    /** The page's address with {@code pageToken} in place of this one's. */
    String link(String pageToken) {
      return Links.DIRECTORY + "?q=" + Html.urlPart(prefix) + "&plan=" + Html.urlPart(plan) + "&status="
          + Html.urlPart(state) + (pageToken.isEmpty() ? "" : "&page=" + Html.urlPart(pageToken)) + "#directory-h";
    }
  }

  /** The orgs of one page of a search, and where to read on ("" at the end of the directory). */
  record Found(List<DirectoryEntry> orgs, String nextPageToken) {}

  static String render(Session session, Search search) {
    TallyClient tally = session.tally();
    Html page = new Html();
    List<String> plans = new ArrayList<>(List.of(""));
    for (Plan plan : tally.accounts().listPlans().getPlansList()) plans.add(plan.getName());

    page.raw("<section aria-labelledby=\"top-h\"><h2 id=\"top-h\">Top orgs this period</h2>")
        .raw("<p>The orgs that used the most credits in their current billing period")
        .text(search.plan().isEmpty() ? "" : ", on plan " + search.plan()).raw(".</p>");
    table(page, "top-orgs", tally.accounts().topOrgs(TopOrgsRequest.newBuilder().setLimit(TOP).setPlan(search.plan())
        .build()).getOrgsList(), true);
    page.raw("</section>");

    page.raw("<section aria-labelledby=\"directory-h\"><h2 id=\"directory-h\">Directory</h2>")
        .raw("<form method=\"get\" class=\"row\" role=\"search\" action=\"").text(Links.DIRECTORY).raw("#directory-h\">")
        .input("directory-q", "q", "search", "Org id starts with", search.prefix(), "maxlength=\"128\" autocomplete=\"off\"")
        .select("directory-plan", "plan", "Plan (empty: any)", plans, search.plan())
        .select("directory-status", "status", "Balance", STATES, search.state())
        .button("Search").raw("</form>")
        .raw("<p class=\"unit\">From the read side: an org shows a few seconds after it is created; balances before holds.</p>");
    Found found = find(tally, search);
    if (found.orgs().isEmpty()) {
      page.raw("<p>No org").raw(found.nextPageToken().isEmpty() ? " matches." : " matches in the orgs looked at so far.")
          .raw("</p>");
    } else {
      table(page, "directory", found.orgs(), false);
    }
    page.raw("<p>");
    if (!search.pageToken().isEmpty()) page.link(search.link(""), "From the start").raw(" ");
    if (!found.nextPageToken().isEmpty()) page.link(search.link(found.nextPageToken()), "Read on");
    page.raw("</p></section>");
    return Pages.frame(session, "Orgs", page);
  }

  /**
   * A page of the orgs matching {@code search}: ListOrgs filters plan and state; the prefix is
   * matched here, reading at most {@link #SEARCH_CALLS} pages of ListOrgs.
   */
  static Found find(TallyClient tally, Search search) {
    List<DirectoryEntry> orgs = new ArrayList<>();
    String token = search.pageToken();
    for (int call = 0; call < SEARCH_CALLS && orgs.size() < PAGE; call++) {
      ListOrgsResponse response = tally.accounts().listOrgs(ListOrgsRequest.newBuilder().setPlan(search.plan())
          .setStatus(search.status()).setPageSize(PAGE).setPageToken(token).build());
      for (DirectoryEntry org : response.getOrgsList()) {
        if (search.matches(org)) orgs.add(org);
      }
      token = response.getNextPageToken();
      if (token.isEmpty()) break;
    }
    return new Found(orgs, token);
  }

  private static void table(Html page, String id, List<DirectoryEntry> orgs, boolean period) {
    if (orgs.isEmpty()) {
      page.raw("<p>No orgs yet.</p>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"").text(id).raw("\"><thead><tr><th scope=\"col\">Org</th>")
        .raw("<th scope=\"col\">Name</th><th scope=\"col\">Plan</th>")
        .raw(period ? "<th scope=\"col\" class=\"num\">Used this period</th><th scope=\"col\">Period ends</th>"
            : "<th scope=\"col\" class=\"num\">Granted</th><th scope=\"col\" class=\"num\">Used</th>")
        .raw("<th scope=\"col\" class=\"num\">Balance</th><th scope=\"col\" class=\"num\">Debt</th>")
        .raw("<th scope=\"col\">Last event</th></tr></thead><tbody>");
    for (DirectoryEntry org : orgs) {
      page.raw("<tr><td>").link(Links.org(org.getOrgId()), org.getOrgId()).raw("</td>").element("td", org.getDisplayName())
          .element("td", org.getPlan());
      if (period) {
        amount(page, org.getPeriodUsed());
        page.element("td", Pages.time(org.getPeriodEnd()));
      } else {
        amount(page, org.getGranted());
        amount(page, org.getUsed());
      }
      amount(page, org.getBalance());
      amount(page, org.getDebt());
      page.element("td", Pages.time(org.getLastEventAt())).raw("</tr>");
    }
    page.raw("</tbody></table></div>");
  }

  private static void amount(Html page, long micros) {
    page.raw("<td class=\"num\">").text(Credits.withSeparators(micros)).raw("</td>");
  }
}
