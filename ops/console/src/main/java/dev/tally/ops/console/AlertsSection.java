package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.v1.Alert;
import dev.tally.v1.Credits;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * An org's alerts (usage thresholds such as 80 % and 100 %, low balance), newest first. The API keeps
 * past alerts only as ALERT_RAISED entries of the org's ledger, which reads oldest first; so a page
 * reads a bounded stretch of the ledger ({@link #PAGES} pages of {@link #PAGE_SIZE}) from where it is
 * told, keeps the newest {@link #SHOWN} alerts of that stretch, and links to the next stretch when the
 * ledger goes on.
 */
final class AlertsSection {

  /** Ledger entries per read: the API's largest page. */
  static final int PAGE_SIZE = 1_000;
  /** Reads per page view: at most 3,000 entries looked at. */
  static final int PAGES = 3;
  /** Alerts shown, the newest of those found. */
  static final int SHOWN = 20;

  /** The alerts found in one stretch of the ledger, newest first, and where the next stretch starts ("" at the end). */
  record Found(List<LedgerEntry> newestFirst, int entriesRead, String nextToken) {}

  private AlertsSection() {}

  static Found scan(TallyClient tally, String orgId, String fromToken) {
    Deque<LedgerEntry> kept = new ArrayDeque<>(SHOWN);
    String token = fromToken;
    int read = 0;
    for (int page = 0; page < PAGES; page++) {
      ListLedgerResponse entries = tally.accounts().listLedger(ListLedgerRequest.newBuilder()
          .setOrgId(orgId).setPageSize(PAGE_SIZE).setPageToken(token).build());
      read += entries.getEntriesCount();
      for (LedgerEntry entry : entries.getEntriesList()) {
        if (!entry.hasAlert()) continue;
        if (kept.size() == SHOWN) kept.removeLast();
        kept.addFirst(entry);
      }
      token = entries.getNextPageToken();
      if (token.isEmpty()) break;
    }
    return new Found(new ArrayList<>(kept), read, token);
  }

  static void render(Html page, String orgId, Found found, String fromToken) {
    page.raw("<section aria-labelledby=\"alerts-h\"><h2 id=\"alerts-h\">Alerts</h2>")
        .raw("<p>Raised when this period's usage reaches a threshold of the plan (80 % and 100 % unless the org has ")
        .raw("its own), or when the available balance falls below the low-balance floor. Newest first.</p>");
    if (found.newestFirst().isEmpty()) {
      page.raw("<p id=\"no-alerts\">No alerts").raw(fromToken.isEmpty() ? "" : " in this stretch of the ledger").raw(".</p>");
    } else {
      page.raw("<div class=\"scroll\"><table id=\"alerts\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Alert</th>")
          .raw("<th scope=\"col\" class=\"num\">Charged in the period</th><th scope=\"col\" class=\"num\">Available</th>")
          .raw("<th scope=\"col\">Period from</th></tr></thead><tbody>");
      for (LedgerEntry entry : found.newestFirst()) {
        Alert alert = entry.getAlert();
        page.raw("<tr>").element("td", Pages.time(alert.hasRaisedAt() ? alert.getRaisedAt() : entry.getOccurredAt()))
            .element("td", describe(alert))
            .raw("<td class=\"num\">").text(Credits.withSeparators(alert.getPeriodCharged()))
            .raw("</td><td class=\"num\">").text(Credits.withSeparators(alert.getAvailable())).raw("</td>")
            .element("td", Pages.time(alert.getPeriodStart())).raw("</tr>");
      }
      page.raw("</tbody></table></div><p class=\"unit\">in credits</p>");
    }
    if (!found.nextToken().isEmpty()) {
      page.raw("<p>The ledger goes on past the ").text(String.format(java.util.Locale.ROOT, "%,d", found.entriesRead()))
          .raw(" entries read for this list: newer alerts may follow. ")
          .link(Links.org(orgId) + "?alerts=" + Html.urlPart(found.nextToken()) + "#alerts-h", "Read the next entries for alerts")
          .raw("</p>");
    }
    if (!fromToken.isEmpty()) page.raw("<p>").link(Links.org(orgId) + "#alerts-h", "Alerts from the ledger's start").raw("</p>");
    page.raw("</section>");
  }

  /** "Usage reached 80 % of the period", "Low balance", "Depleted: reserves refused"... */
  static String describe(Alert alert) {
    return switch (alert.getKind()) {
      case USAGE_THRESHOLD -> "Usage reached " + alert.getThresholdPercent() + " % of the period";
      case LOW_BALANCE -> "Low balance";
      case DEPLETED -> "Depleted: reserves refused";
      case RESUMED -> "Resumed: credits available again";
      case WEBHOOK_ENDPOINT_DISABLED -> "Webhook endpoint " + alert.getEndpointId() + " disabled after failing";
      default -> "Alert";
    };
  }
}
