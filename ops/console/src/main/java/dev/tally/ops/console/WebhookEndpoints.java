package dev.tally.ops.console;

import com.google.protobuf.Duration;
import dev.tally.client.TallyClient;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.CreateWebhookEndpointResponse;
import dev.tally.v1.DeleteWebhookEndpointRequest;
import dev.tally.v1.RotateWebhookSecretRequest;
import dev.tally.v1.RotateWebhookSecretResponse;
import dev.tally.v1.UpdateWebhookEndpointRequest;
import dev.tally.v1.WebhookEndpoint;
import dev.tally.v1.WebhookEventType;
import dev.tally.v1.WebhookSecretHint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An org's webhook endpoints on its page. Changing them is the operator's (admin keys only, see
 * {@code CallRules}: an endpoint receives the org's events), so an operator adds, enables or disables,
 * rotates and deletes them here; the org's own keys see them read-only (their URLs without the query, as
 * the node shows them) and say who manages them. A signing secret is shown once, like a new API key. Each
 * endpoint links to its delivery log ({@link DeliveryLog}), and the operator's page lists the operator's
 * own endpoints ({@code "*"}) with theirs.
 */
final class WebhookEndpoints {

  /** The actions of {@code /orgs/{org}/...}, all posted by an operator's forms. */
  static final Set<String> ACTIONS = Set.of("webhooks", "webhooks/enable", "webhooks/disable", "webhooks/rotate",
      "webhooks/delete");
  /** Form fields of the event type checkboxes: {@code event_} and the type's short name. */
  private static final String EVENT_FIELD = "event_";
  private static final String TYPE_PREFIX = "WEBHOOK_EVENT_TYPE_";
  /** How long a rotated-out secret keeps signing beside the new one: the API's default, said on the button. */
  static final Duration ROTATION_OVERLAP = Duration.newBuilder().setSeconds(24 * 3600).build();

  private WebhookEndpoints() {}

  /** The section of the org's page: the operator's list and forms, or for the org's own key who manages them. */
  static void section(Html page, Session session, String orgId, Notice notice) {
    page.raw("<section aria-labelledby=\"webhooks-h\"><h2 id=\"webhooks-h\">Webhook endpoints</h2>");
    List<WebhookEndpoint> endpoints = session.tally().accounts()
        .listWebhookEndpoints(orgId).getEndpointsList();
    if (!session.access().isOperator()) {
      Pages.notice(page, notice, "webhooks");
      page.raw("<p id=\"webhooks-managed\">Tally POSTs this org's events (usage alerts, low balance, grants, ")
          .raw("statements…) to these URLs, signed so you can check they came from Tally. An endpoint receives the ")
          .raw("org's events, so an operator registers it and rotates its signing secret: ask your operator to add, ")
          .raw("change or remove one. The signing secret is shown once, to whoever adds the endpoint; what follows ")
          .raw("a URL's path is not shown here.</p>");
      if (endpoints.isEmpty()) page.raw("<p id=\"no-webhooks\">No endpoints.</p>");
      else readOnlyTable(page, orgId, endpoints);
      page.raw("</section>");
      return;
    }
    page.raw("<p>Tally POSTs this org's events to these URLs, signed per the Standard Webhooks specification ")
        .raw("(the SDK's <code>Webhooks.verify</code> checks a request). An org has at most 16 endpoints.</p>");
    Pages.notice(page, notice, "webhooks");
    if (endpoints.isEmpty()) {
      page.raw("<p>No endpoints.</p>");
    } else {
      table(page, session, orgId, endpoints);
    }
    createForm(page, session, orgId);
    page.raw("</section>");
  }

  /**
   * The operator's own endpoints (org_id "*", sent every org's events) on the operator's page: each with
   * its delivery log. They are added and changed with tallyctl; the page lists them.
   */
  static void operatorSection(Html page, Session session) {
    List<WebhookEndpoint> endpoints = session.tally().accounts().listWebhookEndpoints("*").getEndpointsList();
    page.raw("<section aria-labelledby=\"hooks-h\"><h2 id=\"hooks-h\">Operator's webhook endpoints</h2>")
        .raw("<p>Endpoints sent the events of every org (added with <code>tallyctl webhook create '*' URL</code>).</p>");
    if (endpoints.isEmpty()) {
      page.raw("<p id=\"no-operator-webhooks\">No endpoints.</p></section>");
      return;
    }
    page.raw("<div class=\"scroll\"><table id=\"operator-webhooks\"><thead><tr><th scope=\"col\">URL</th>")
        .raw("<th scope=\"col\">Events</th><th scope=\"col\">State</th><th scope=\"col\">Deliveries</th></tr></thead><tbody>");
    for (WebhookEndpoint endpoint : endpoints) {
      page.raw("<tr><td class=\"url\">").text(endpoint.getUrl()).raw("</td>")
          .element("td", events(endpoint.getEventTypesList()))
          .element("td", endpoint.getEnabled() ? "enabled" : "disabled").raw("<td>");
      logLink(page, "*", endpoint);
      page.raw("</td></tr>");
    }
    page.raw("</tbody></table></div></section>");
  }

  /** The org's endpoints as its own key sees them: what they are sent and whether they are on, and their logs. */
  private static void readOnlyTable(Html page, String orgId, List<WebhookEndpoint> endpoints) {
    page.raw("<div class=\"scroll\"><table id=\"webhooks\"><thead><tr><th scope=\"col\">URL</th><th scope=\"col\">Events</th>")
        .raw("<th scope=\"col\">Description</th><th scope=\"col\">State</th><th scope=\"col\">Added</th>")
        .raw("<th scope=\"col\">Deliveries</th></tr></thead><tbody>");
    for (WebhookEndpoint endpoint : endpoints) {
      page.raw("<tr><td class=\"url\">").text(endpoint.getUrl()).raw("</td>")
          .element("td", events(endpoint.getEventTypesList()))
          .element("td", endpoint.getDescription())
          .element("td", endpoint.getEnabled() ? "enabled" : "disabled")
          .element("td", Pages.time(endpoint.getCreatedAt())).raw("<td>");
      logLink(page, orgId, endpoint);
      page.raw("</td></tr>");
    }
    page.raw("</tbody></table></div>");
  }

  /** The link to an endpoint's delivery log, named for screen readers by the endpoint's URL. */
  private static void logLink(Html page, String orgId, WebhookEndpoint endpoint) {
    page.raw("<a href=\"").text(Links.deliveries(orgId, endpoint.getEndpointId(), "")).raw("\" aria-label=\"")
        .text("Delivery log of " + endpoint.getUrl()).raw("\">Delivery log</a>");
  }

  private static void table(Html page, Session session, String orgId, List<WebhookEndpoint> endpoints) {
    page.raw("<div class=\"scroll\"><table id=\"webhooks\"><thead><tr><th scope=\"col\">URL</th><th scope=\"col\">Events</th>")
        .raw("<th scope=\"col\">Description</th><th scope=\"col\">State</th><th scope=\"col\">Signing secrets</th>")
        .raw("<th scope=\"col\">Added</th><th scope=\"col\">Changed</th><th scope=\"col\">Deliveries and changes</th></tr></thead><tbody>");
    for (WebhookEndpoint endpoint : endpoints) {
      page.raw("<tr>").raw("<td class=\"url\">").text(endpoint.getUrl()).raw("</td>")
          .element("td", events(endpoint.getEventTypesList()))
          .element("td", endpoint.getDescription())
          .element("td", endpoint.getEnabled() ? "enabled" : "disabled")
          .raw("<td>");
      for (WebhookSecretHint secret : endpoint.getSecretsList()) {
        page.raw("<code>").text(secret.getHint()).raw("</code>")
            .text(secret.hasExpiresAt() ? " (until " + Pages.time(secret.getExpiresAt()) + ")" : "").raw("<br>");
      }
      page.raw("</td>").element("td", Pages.time(endpoint.getCreatedAt())).element("td", Pages.time(endpoint.getUpdatedAt()))
          .raw("<td class=\"actions\">");
      logLink(page, orgId, endpoint);
      page.raw(" ");
      String about = endpoint.getUrl();
      button(page, session, orgId, endpoint, endpoint.getEnabled() ? "webhooks/disable" : "webhooks/enable",
          endpoint.getEnabled() ? "Disable" : "Enable", about, false);
      button(page, session, orgId, endpoint, "webhooks/rotate", "Rotate secret", about, true);
      button(page, session, orgId, endpoint, "webhooks/delete", "Delete", about, false);
      page.raw("</td></tr>");
    }
    page.raw("</tbody></table></div>");
  }

  /** One small form with one button acting on {@code endpoint}; the button's accessible name says which endpoint. */
  private static void button(Html page, Session session, String orgId, WebhookEndpoint endpoint, String action,
      String label, String about, boolean withRequestId) {
    page.form(Links.orgAction(orgId, action), session.csrfToken(), "inline").hidden("endpoint_id", endpoint.getEndpointId());
    if (withRequestId) page.hidden("request_id", Ids.fresh());
    page.raw("<button type=\"submit\" class=\"secondary\" aria-label=\"").text(label + " " + about).raw("\">")
        .text(label).raw("</button></form>");
  }

  private static void createForm(Html page, Session session, String orgId) {
    page.raw("<h3>Add an endpoint</h3>")
        .form(Links.orgAction(orgId, "webhooks"), session.csrfToken(), "stack").hidden("request_id", Ids.fresh())
        .input("webhook-url", "url", "url", "URL (http or https)", "", "required maxlength=\"2048\" placeholder=\"https://\"")
        .input("webhook-description", "description", "text", "Description", "", "maxlength=\"256\"")
        .raw("<fieldset><legend>Events (none ticked: every event, also those added later)</legend><div class=\"choices\">");
    for (WebhookEventType type : eventTypes()) {
      String id = "webhook-event-" + shortName(type).toLowerCase(Locale.ROOT);
      page.raw("<label for=\"").text(id).raw("\"><input type=\"checkbox\" id=\"").text(id).raw("\" name=\"")
          .text(EVENT_FIELD + shortName(type)).raw("\" value=\"on\"> ").text(label(type)).raw("</label>");
    }
    page.raw("</div></fieldset>")
        .raw("<label for=\"webhook-disabled\" class=\"check\"><input type=\"checkbox\" id=\"webhook-disabled\" ")
        .raw("name=\"disabled\" value=\"on\"> Add it disabled (sent nothing until enabled)</label>")
        .button("Add endpoint").raw("</form>");
  }

  /** Every event type an endpoint may subscribe to, in enum order. */
  static List<WebhookEventType> eventTypes() {
    List<WebhookEventType> types = new ArrayList<>();
    for (WebhookEventType type : WebhookEventType.values()) {
      if (type != WebhookEventType.WEBHOOK_EVENT_TYPE_UNSPECIFIED && type != WebhookEventType.UNRECOGNIZED) types.add(type);
    }
    return types;
  }

  private static String shortName(WebhookEventType type) {
    return type.name().substring(TYPE_PREFIX.length());
  }

  /** {@code WEBHOOK_EVENT_TYPE_BALANCE_LOW} → "balance low". */
  static String label(WebhookEventType type) {
    return shortName(type).replace('_', ' ').toLowerCase(Locale.ROOT);
  }

  static String events(List<WebhookEventType> types) {
    if (types.isEmpty()) return "every event";
    List<String> labels = new ArrayList<>();
    for (WebhookEventType type : types) labels.add(label(type));
    return String.join(", ", labels);
  }

  /** Runs one of {@link #ACTIONS}; an {@link IllegalArgumentException} is the form's own refusal. */
  static Notice run(TallyClient tally, String orgId, String action, WebRequest request) throws IOException {
    if (action.equals("webhooks")) return create(tally, orgId, request);
    String endpointId = request.field("endpoint_id");
    if (!endpointId.matches("we_[0-9a-f]{24}")) throw new IllegalArgumentException("That is not an endpoint id.");
    return switch (action) {
      case "webhooks/enable", "webhooks/disable" -> {
        boolean enable = action.equals("webhooks/enable");
        WebhookEndpoint endpoint = tally.accounts().updateWebhookEndpoint(UpdateWebhookEndpointRequest.newBuilder()
            .setOrgId(orgId).setEndpointId(endpointId).setEnabled(enable).build()).getEndpoint();
        yield Notice.done("webhooks", (enable ? "Enabled " : "Disabled ") + endpoint.getUrl() + ".");
      }
      case "webhooks/rotate" -> rotate(tally, orgId, endpointId, request);
      case "webhooks/delete" -> {
        WebhookEndpoint gone = tally.accounts().deleteWebhookEndpoint(DeleteWebhookEndpointRequest.newBuilder()
            .setOrgId(orgId).setEndpointId(endpointId).build()).getEndpoint();
        yield Notice.done("webhooks", "Deleted the endpoint " + gone.getUrl() + ": it is sent nothing more.");
      }
      default -> throw new IllegalStateException("no action " + action);
    };
  }

  private static Notice create(TallyClient tally, String orgId, WebRequest request) throws IOException {
    String url = request.field("url").strip();
    if (url.isEmpty()) throw new IllegalArgumentException("URL: type the address events are sent to.");
    CreateWebhookEndpointRequest.Builder endpoint = CreateWebhookEndpointRequest.newBuilder().setOrgId(orgId)
        .setRequestId(Ids.posted(request.field("request_id"))).setUrl(url)
        .setDescription(request.field("description").strip()).setDisabled(request.field("disabled").equals("on"));
    for (WebhookEventType type : eventTypes()) {
      if (request.field(EVENT_FIELD + shortName(type)).equals("on")) endpoint.addEventTypes(type);
    }
    CreateWebhookEndpointResponse made = tally.accounts().createWebhookEndpoint(endpoint.build());
    if (made.getReplayed()) {
      return Notice.failed("webhooks", "This form added " + made.getEndpoint().getUrl() + " before; its signing secret "
          + "was shown only then. Rotate the secret for a new one.");
    }
    return Notice.secret("webhooks", "Added " + made.getEndpoint().getUrl() + ". Its signing secret:",
        List.of(made.getSecret()));
  }

  private static Notice rotate(TallyClient tally, String orgId, String endpointId, WebRequest request) throws IOException {
    RotateWebhookSecretResponse rotated = tally.accounts().rotateWebhookSecret(RotateWebhookSecretRequest.newBuilder()
        .setOrgId(orgId).setEndpointId(endpointId).setRequestId(Ids.posted(request.field("request_id")))
        .setOverlap(ROTATION_OVERLAP).build());
    if (rotated.getReplayed()) {
      return Notice.failed("webhooks", "This form rotated the secret of " + rotated.getEndpoint().getUrl()
          + " before; the new secret was shown only then.");
    }
    return Notice.secret("webhooks", "New signing secret of " + rotated.getEndpoint().getUrl()
        + ": the old one keeps signing beside it for 24 hours.", List.of(rotated.getSecret()));
  }
}
