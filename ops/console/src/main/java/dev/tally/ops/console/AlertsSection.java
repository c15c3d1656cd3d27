package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.v1.Alert;
import dev.tally.v1.Credits;
import dev.tally.v1.ListAlertsRequest;
import dev.tally.v1.ListAlertsResponse;

/**
 * An org's alerts (usage thresholds such as 80 % and 100 %, low balance), newest first: a page of
 * {@link #SHOWN} from {@code Accounts.ListAlerts}, which reads them from the org's journal backwards,
 * and a link to the older ones when there are more. A page can be short (the node reads at most
 * 10,000 events a call) and still go on.
 */
final class AlertsSection {

  /** Alerts a page. */
  static final int SHOWN = 20;

  private AlertsSection() {}

  static ListAlertsResponse page(TallyClient tally, String orgId, String pageToken) {
    return tally.accounts().listAlerts(ListAlertsRequest.newBuilder().setOrgId(orgId).setPageSize(SHOWN)
        .setPageToken(pageToken).build());
  }

  static void render(Html page, String orgId, ListAlertsResponse alerts, String pageToken) {
    page.raw("<section aria-labelledby=\"alerts-h\"><h2 id=\"alerts-h\">Alerts</h2>")
        .raw("<p>Raised when this period's usage reaches a threshold of the plan (80 % and 100 % unless the org has ")
        .raw("its own), or when the available balance falls below the low-balance floor. Newest first.</p>");
    if (alerts.getAlertsCount() == 0) {
      page.raw("<p id=\"no-alerts\">No ").raw(pageToken.isEmpty() ? "" : "older ").raw("alerts")
          .raw(alerts.getNextPageToken().isEmpty() ? "" : " on this page").raw(".</p>");
    } else {
      page.raw("<div class=\"scroll\"><table id=\"alerts\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Alert</th>")
          .raw("<th scope=\"col\" class=\"num\">Charged in the period</th><th scope=\"col\" class=\"num\">Available</th>")
          .raw("<th scope=\"col\">Period from</th></tr></thead><tbody>");
      for (Alert alert : alerts.getAlertsList()) {
        page.raw("<tr>").element("td", Pages.time(alert.getRaisedAt()))
            .element("td", describe(alert))
            .raw("<td class=\"num\">").text(Credits.withSeparators(alert.getPeriodCharged()))
            .raw("</td><td class=\"num\">").text(Credits.withSeparators(alert.getAvailable())).raw("</td>")
            .element("td", Pages.time(alert.getPeriodStart())).raw("</tr>");
      }
      page.raw("</tbody></table></div><p class=\"unit\">in credits</p>");
    }
    if (!alerts.getNextPageToken().isEmpty() || !pageToken.isEmpty()) {
      page.raw("<p>");
      if (!pageToken.isEmpty()) page.link(Links.org(orgId) + "#alerts-h", "Newest alerts").raw(" ");
      if (!alerts.getNextPageToken().isEmpty()) {
        page.link(Links.org(orgId) + "?alerts=" + Html.urlPart(alerts.getNextPageToken()) + "#alerts-h", "Older alerts");
      }
      page.raw("</p>");
    }
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
