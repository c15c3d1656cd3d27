package dev.tally.ops.console;

import com.google.protobuf.Timestamp;
import dev.tally.client.TallyClient;
import dev.tally.v1.Credits;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.Plan;
import dev.tally.v1.TopOrgsRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's org directory (admin keys): the orgs that used the most this month (TopOrgs) and
 * every org a page at a time (ListOrgs), in the directory's order or most used this or last month
 * first, filtered by plan and state as the API does, and by an id prefix here: ListOrgs has no
 * prefix filter, so the console reads on through its pages until a page of matches is full or it has
 * read {@link #SEARCH_CALLS} of them, and offers to read on from there.
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
  /** The orders ListOrgs lists in, by the name the form sends: the directory's, or by usage in a month. */
  static final String BY_ID = "org id";
  static final String THIS_MONTH = "most used this month";
  static final String LAST_MONTH = "most used last month";
  static final List<String> ORDERS = List.of(BY_ID, THIS_MONTH, LAST_MONTH);

  private DirectoryPage() {}

  /** A search of the directory as the page's form sent it. */
  record Search(String prefix, String plan, String state, String order, String pageToken) {

    static Search of(WebRequest request) {
      String prefix = request.query("q").strip();
      if (prefix.length() > 128) throw new WebRequest.BadRequest("an org id is at most 128 characters");
      String state = request.query("status").isEmpty() ? "any" : request.query("status");
      if (!STATES.contains(state)) throw new WebRequest.BadRequest("status is one of " + String.join(", ", STATES));
      String order = request.query("order").isEmpty() ? BY_ID : request.query("order");
      if (!ORDERS.contains(order)) throw new WebRequest.BadRequest("order is one of " + String.join(", ", ORDERS));
      return new Search(prefix, request.query("plan").strip(), state, order, request.query("page"));
    }

    /** ListOrgs' filters and order for this search; a ranking by last month names it, from {@code clock}'s month. */
    ListOrgsRequest.Builder request(Clock clock) {
      ListOrgsRequest.Builder request = ListOrgsRequest.newBuilder().setPlan(plan).setStatus(status());
      if (order.equals(BY_ID)) return request;
      request.setOrder(ListOrgsRequest.Order.USAGE);
      if (order.equals(LAST_MONTH)) {
        Instant start = YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(1).atDay(1)
            .atStartOfDay(ZoneOffset.UTC).toInstant();
        request.setUsagePeriod(Timestamp.newBuilder().setSeconds(start.getEpochSecond()));
      }
      return request;
    }

    /** The heading of the column with what each org used in the month ranked by; null in the directory's order. */
    String usageHeading() {
      return switch (order) {
        case THIS_MONTH -> "Used this month";
        case LAST_MONTH -> "Used last month";
        default -> null;
      };
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
          + Html.urlPart(state) + "&order=" + Html.urlPart(order)
          + (pageToken.isEmpty() ? "" : "&page=" + Html.urlPart(pageToken)) + "#directory-h";
    }
  }

  /** The orgs of one page of a search, and where to read on ("" at the end of the directory). */
  record Found(List<DirectoryEntry> orgs, String nextPageToken) {}

  static String render(Session session, Search search) {
    TallyClient tally = session.tally();
    Html page = new Html();
    List<String> plans = new ArrayList<>(List.of(""));
    for (Plan plan : tally.accounts().listPlans().getPlansList()) plans.add(plan.getName());

    page.raw("<section aria-labelledby=\"top-h\"><h2 id=\"top-h\">Top orgs this month</h2>")
        .raw("<p>The orgs that used the most credits this month (UTC)")
        .text(search.plan().isEmpty() ? "" : ", on plan " + search.plan()).raw(".</p>");
    table(page, "top-orgs", tally.accounts().topOrgs(TopOrgsRequest.newBuilder().setLimit(TOP).setPlan(search.plan())
        .build()).getOrgsList(), "Used this month");
    page.raw("</section>");

    page.raw("<section aria-labelledby=\"directory-h\"><h2 id=\"directory-h\">Directory</h2>")
        .raw("<form method=\"get\" class=\"row\" role=\"search\" action=\"").text(Links.DIRECTORY).raw("#directory-h\">")
        .input("directory-q", "q", "search", "Org id starts with", search.prefix(), "maxlength=\"128\" autocomplete=\"off\"")
        .select("directory-plan", "plan", "Plan (empty: any)", plans, search.plan())
        .select("directory-status", "status", "Balance", STATES, search.state())
        .select("directory-order", "order", "Order", ORDERS, search.order())
        .button("Search").raw("</form>")
        .raw("<p class=\"unit\">From the read side: an org shows a few seconds after it is created; balances before holds.</p>");
    Found found = find(tally, search, Clock.systemUTC());
    if (found.orgs().isEmpty()) {
      page.raw("<p>No org").raw(found.nextPageToken().isEmpty() ? " matches." : " matches in the orgs looked at so far.")
          .raw("</p>");
    } else {
      table(page, "directory", found.orgs(), search.usageHeading());
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
  static Found find(TallyClient tally, Search search, Clock clock) {
    List<DirectoryEntry> orgs = new ArrayList<>();
    String token = search.pageToken();
    for (int call = 0; call < SEARCH_CALLS && orgs.size() < PAGE; call++) {
      ListOrgsResponse response = tally.accounts().listOrgs(search.request(clock).setPageSize(PAGE).setPageToken(token)
          .build());
      for (DirectoryEntry org : response.getOrgsList()) {
        if (search.matches(org)) orgs.add(org);
      }
      token = response.getNextPageToken();
      if (token.isEmpty()) break;
    }
    return new Found(orgs, token);
  }

  /**
   * The orgs as a table: with what each used in the month ranked by under {@code usageHeading}, or
   * (null) what each was granted and used in all.
   */
  private static void table(Html page, String id, List<DirectoryEntry> orgs, String usageHeading) {
    if (orgs.isEmpty()) {
      page.raw("<p>No orgs yet.</p>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"").text(id).raw("\"><thead><tr><th scope=\"col\">Org</th>")
        .raw("<th scope=\"col\">Name</th><th scope=\"col\">Plan</th>")
        .raw(usageHeading != null ? "<th scope=\"col\" class=\"num\">" + usageHeading + "</th>"
            : "<th scope=\"col\" class=\"num\">Granted</th><th scope=\"col\" class=\"num\">Used</th>")
        .raw("<th scope=\"col\" class=\"num\">Balance</th><th scope=\"col\" class=\"num\">Debt</th>")
        .raw("<th scope=\"col\">Last event</th></tr></thead><tbody>");
    for (DirectoryEntry org : orgs) {
      page.raw("<tr><td>").link(Links.org(org.getOrgId()), org.getOrgId()).raw("</td>").element("td", org.getDisplayName())
          .element("td", org.getPlan());
      if (usageHeading != null) {
        amount(page, org.getUsagePeriodUsed());
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
