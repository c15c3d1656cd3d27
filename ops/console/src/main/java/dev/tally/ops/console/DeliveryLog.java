package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.v1.ListWebhookDeliveriesRequest;
import dev.tally.v1.ListWebhookDeliveriesResponse;
import dev.tally.v1.ReplayWebhookEventsRequest;
import dev.tally.v1.ReplayWebhookEventsResponse;
import dev.tally.v1.WebhookDeliveryAttempt;
import dev.tally.v1.WebhookEndpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One webhook endpoint's delivery log (an org's endpoint, or an operator's {@code "*"} one): its
 * attempts newest first, {@link #PAGE_SIZE} a page, grouped by event, each with its time, HTTP status
 * or failure, latency and outcome; and a replay of one event, asked for on a page of its own (the
 * confirmation, no script needed) and posted from there. Everything is {@code ListWebhookDeliveries}
 * and {@code ReplayWebhookEvents} with the caller's key. The org's own keys read its endpoints' logs; a
 * replay is the operator's (admin keys only), so the page offers it to operators and {@link Routes} refuses
 * it to an org's key before any call.
 */
final class DeliveryLog {

  /** Attempts a page: the API's largest page is 100, its default 50. */
  static final int PAGE_SIZE = 50;
  /** The form (notice) of the page. */
  static final String FORM = "replay";
  static final Pattern ENDPOINT_ID = Pattern.compile("we_[0-9a-f]{24}");
  /** evt_&lt;journal sequence number&gt;_&lt;index&gt;_&lt;org id&gt;. */
  static final Pattern EVENT_ID = Pattern.compile("evt_[0-9]{1,19}_[0-9]{1,9}_[A-Za-z0-9._:@-]{1,128}");

  private static final java.time.format.DateTimeFormatter SECONDS =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC);

  private DeliveryLog() {}

  /** The endpoint {@code endpointId} of {@code orgId} ("*": the operator's), if there is one. */
  static Optional<WebhookEndpoint> endpoint(TallyClient tally, String orgId, String endpointId) {
    return tally.accounts().listWebhookEndpoints(orgId).getEndpointsList().stream()
        .filter(endpoint -> endpoint.getEndpointId().equals(endpointId)).findFirst();
  }

  /** Whose endpoint it is, in words: "Operator (every org)" or the org's id. */
  private static String owner(String orgId) {
    return orgId.equals("*") ? "the operator (events of every org)" : "org " + orgId;
  }

  static String render(Session session, String orgId, WebhookEndpoint endpoint, String pageToken) {
    Notice notice = session.takeNotice();
    ListWebhookDeliveriesResponse deliveries = session.tally().accounts().listWebhookDeliveries(
        ListWebhookDeliveriesRequest.newBuilder().setOrgId(orgId).setEndpointId(endpoint.getEndpointId())
            .setPageSize(PAGE_SIZE).setPageToken(pageToken).build());
    Html page = new Html();
    back(page, orgId);
    page.raw("<section aria-labelledby=\"deliveries-h\"><h2 id=\"deliveries-h\">Deliveries to <span class=\"url\">")
        .text(endpoint.getUrl()).raw("</span></h2><p>The endpoint of ").text(owner(orgId)).raw(", ")
        .text(endpoint.getEnabled() ? "enabled" : "disabled").raw(", sent ")
        .text(WebhookEndpoints.events(endpoint.getEventTypesList()))
        .raw(". Each attempt to deliver an event, newest first, kept 7 days: a failed attempt is retried (at once, ")
        .raw("5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) until the receiver answers 2xx or the eighth fails.</p>");
    Pages.notice(page, notice, FORM);
    List<List<WebhookDeliveryAttempt>> events = byEvent(deliveries.getAttemptsList());
    if (events.isEmpty()) {
      page.raw("<p id=\"no-deliveries\">No deliveries").raw(pageToken.isEmpty() ? " in the last 7 days" : " further back")
          .raw(".</p>");
    } else {
      table(page, orgId, endpoint, events, session.access().isOperator());
    }
    page.raw("<nav class=\"pager\" aria-label=\"Delivery log pages\"><p>");
    if (!pageToken.isEmpty()) page.link(Links.deliveries(orgId, endpoint.getEndpointId(), ""), "Newest deliveries").raw(" ");
    if (!deliveries.getNextPageToken().isEmpty()) {
      page.link(Links.deliveries(orgId, endpoint.getEndpointId(), deliveries.getNextPageToken()), "Older deliveries");
    }
    page.raw("</p></nav></section>");
    return Pages.frame(session, "Delivery log", page);
  }

  private static void back(Html page, String orgId) {
    page.raw("<p>");
    if (orgId.equals("*")) page.link(Links.OPERATOR + "#hooks-h", "Back to the operator's endpoints");
    else page.link(Links.org(orgId) + "#webhooks-h", "Back to the org's webhook endpoints");
    page.raw("</p>");
  }

  /** Consecutive attempts of one event together, in the order given (newest first). */
  static List<List<WebhookDeliveryAttempt>> byEvent(List<WebhookDeliveryAttempt> attempts) {
    List<List<WebhookDeliveryAttempt>> events = new ArrayList<>();
    for (WebhookDeliveryAttempt attempt : attempts) {
      if (events.isEmpty() || !last(events).get(0).getEventId().equals(attempt.getEventId())) events.add(new ArrayList<>());
      last(events).add(attempt);
    }
    return events;
  }

  private static List<WebhookDeliveryAttempt> last(List<List<WebhookDeliveryAttempt>> events) {
    return events.get(events.size() - 1);
  }

  private static void table(Html page, String orgId, WebhookEndpoint endpoint, List<List<WebhookDeliveryAttempt>> events,
      boolean operator) {
    page.raw("<div class=\"scroll\"><table id=\"deliveries\"><caption>Attempts by event, newest first</caption><thead><tr>")
        .raw("<th scope=\"col\">Attempted</th><th scope=\"col\" class=\"num\">Attempt</th><th scope=\"col\">Answer</th>")
        .raw("<th scope=\"col\" class=\"num\">Latency</th><th scope=\"col\">Outcome</th></tr></thead>");
    for (List<WebhookDeliveryAttempt> attempts : events) {
      WebhookDeliveryAttempt newest = attempts.get(0);
      page.raw("<tbody class=\"event\"><tr class=\"event-head\"><th scope=\"rowgroup\" colspan=\"5\"><code>")
          .text(newest.getEventId()).raw("</code> ")
          .text(WebhookEndpoints.label(newest.getEventType()))
          .text(orgId.equals("*") ? " · org " + newest.getEventOrgId() : "")
          .raw(" · <span class=\"state\">").text(state(newest)).raw("</span> · ")
          .text(attempts.size() == 1 ? "1 attempt" : attempts.size() + " attempts");
      if (operator) {
        page.raw(" <a class=\"replay\" href=\"").text(Links.replay(orgId, endpoint.getEndpointId(), newest.getEventId()))
            .raw("\" aria-label=\"").text("Replay " + newest.getEventId()).raw("\">Replay</a>");
      }
      page.raw("</th></tr>");
      for (WebhookDeliveryAttempt attempt : attempts) {
        page.raw("<tr class=\"attempt\">").element("td", attempted(attempt))
            .raw("<td class=\"num\">").text(attempt.getAttempt() == 0 ? "—" : Integer.toString(attempt.getAttempt()))
            .raw("</td>").element("td", answer(attempt))
            .raw("<td class=\"num\">").text(latency(attempt)).raw("</td>")
            .element("td", outcome(attempt)).raw("</tr>");
      }
      page.raw("</tbody>");
    }
    page.raw("</table></div>");
  }

  /** Where the event stands, by its newest attempt: delivered, pending (a retry follows), failed, dropped. */
  static String state(WebhookDeliveryAttempt newest) {
    return switch (newest.getOutcome()) {
      case WEBHOOK_DELIVERY_OUTCOME_DELIVERED -> "delivered";
      case WEBHOOK_DELIVERY_OUTCOME_RETRYING -> "pending";
      case WEBHOOK_DELIVERY_OUTCOME_FAILED -> "failed";
      case WEBHOOK_DELIVERY_OUTCOME_DROPPED -> "dropped";
      default -> "unknown";
    };
  }

  /** What one attempt came to, in words. */
  static String outcome(WebhookDeliveryAttempt attempt) {
    return switch (attempt.getOutcome()) {
      case WEBHOOK_DELIVERY_OUTCOME_DELIVERED -> "delivered";
      case WEBHOOK_DELIVERY_OUTCOME_RETRYING -> "failed, retried";
      case WEBHOOK_DELIVERY_OUTCOME_FAILED -> "failed, given up";
      case WEBHOOK_DELIVERY_OUTCOME_DROPPED -> "dropped, not sent";
      default -> "unknown";
    };
  }

  /** When an attempt was made, to the second (retries follow within seconds): "2026-12-03 13:34:05 UTC". */
  static String attempted(WebhookDeliveryAttempt attempt) {
    if (!attempt.hasAttemptedAt()) return "—";
    return SECONDS.format(java.time.Instant.ofEpochSecond(attempt.getAttemptedAt().getSeconds()));
  }

  /** "HTTP 500" (the node's error then says only that), or the failure when no status came ("timeout", "connection refused"...). */
  static String answer(WebhookDeliveryAttempt attempt) {
    if (attempt.getStatusCode() > 0) return "HTTP " + attempt.getStatusCode();
    return attempt.getError().isEmpty() ? "—" : attempt.getError();
  }

  /** "1,234 ms"; "—" for an attempt never made. */
  static String latency(WebhookDeliveryAttempt attempt) {
    if (!attempt.hasLatency() || attempt.getAttempt() == 0) return "—";
    long millis = attempt.getLatency().getSeconds() * 1_000 + attempt.getLatency().getNanos() / 1_000_000;
    return String.format(Locale.ROOT, "%,d ms", millis);
  }

  /** The confirmation of a replay: what will be sent where, a button to do it, and a way back. */
  static String confirm(Session session, String orgId, WebhookEndpoint endpoint, String eventId) {
    Html page = new Html();
    back(page, orgId);
    page.raw("<section aria-labelledby=\"confirm-h\"><h2 id=\"confirm-h\">Send this event again?</h2><p>The event <code>")
        .text(eventId).raw("</code> is sent again, with the same id, to <span class=\"url\">").text(endpoint.getUrl())
        .raw("</span>: a receiver that already has it should see the id and do nothing twice.</p>")
        .form(Links.replay(orgId, endpoint.getEndpointId(), ""), session.csrfToken(), "row")
        .hidden("event_id", eventId).button("Replay the event").raw(" ")
        .link(Links.deliveries(orgId, endpoint.getEndpointId(), ""), "Cancel").raw("</form></section>");
    return Pages.frame(session, "Replay an event", page);
  }

  /** Replays the posted event; the node's refusal (a disabled endpoint, an event it does not hold) is the notice. */
  static Notice replay(Session session, String orgId, WebhookEndpoint endpoint, WebRequest request) throws IOException {
    String eventId = request.field("event_id").strip();
    if (!EVENT_ID.matcher(eventId).matches()) return Notice.failed(FORM, "That is not an event id.");
    try {
      ReplayWebhookEventsResponse replayed = session.tally().accounts().replayWebhookEvents(
          ReplayWebhookEventsRequest.newBuilder().setOrgId(orgId).setEndpointId(endpoint.getEndpointId())
              .setEventId(eventId).build());
      if (replayed.getEventIdsCount() == 0) return Notice.failed(FORM, "Nothing was queued for " + eventId + ".");
      return Notice.done(FORM, "Queued " + eventId + " for delivery to " + endpoint.getUrl()
          + " again: its new attempts show here as they are made.");
    } catch (TallyException e) {
      if (Routes.failsThePage(e)) throw e;
      return Notice.failed(FORM, "Not replayed: " + Failures.forForm(e));
    }
  }
}
