package dev.tally.ops.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tally.client.TallyException;
import dev.tally.client.TallyUnavailableException;
import dev.tally.client.UnauthenticatedException;
import dev.tally.v1.ErrorReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Every request of the console, in one place: which page or action a path is, who may have it,
 * and the checks every POST passes (same origin, the session's CSRF token). An org key only ever
 * gets pages of its own org: another org's path is refused here with 403 before any call, and the
 * node would refuse the call anyway.
 */
final class Routes implements HttpHandler {

  static final String SESSION_COOKIE = "tally_session";
  /** The sign-in form's own token (no session yet): a cookie and a form field that must match. */
  static final String SIGN_IN_COOKIE = "tally_signin";
  static final String CSRF_FIELD = "csrf";

  private final ConsoleSettings settings;
  private final Sessions sessions;
  private final Assets assets;

  Routes(ConsoleSettings settings, Sessions sessions) throws IOException {
    this.settings = settings;
    this.sessions = sessions;
    this.assets = Assets.load();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      WebRequest request;
      try {
        request = new WebRequest(exchange);
      } catch (WebRequest.BadRequest e) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      Session session = sessions.find(request.cookie(SESSION_COOKIE)).orElse(null);
      try {
        route(request, session);
      } catch (WebRequest.BadRequest e) {
        error(request, session, 400, "Bad request", "The console could not read this request: " + e.getMessage() + ".");
      } catch (UnauthenticatedException e) {
        // The key was revoked or expired while signed in: the session ends with it.
        if (session != null) sessions.end(session);
        request.setCookie(SESSION_COOKIE, "", settings.secureCookie(), true);
        error(request, null, 401, "Signed out", "Your API key is no longer accepted (revoked or expired). Sign in again.");
      } catch (TallyException e) {
        Failures.ErrorPage page = Failures.page(e, settings);
        error(request, session, page.status(), page.title(), page.sentence());
      } catch (RuntimeException e) {
        // The request's fields are not logged: they may hold a key or a code.
        System.err.println("console: " + exchange.getRequestMethod() + " failed: " + e);
        e.printStackTrace();
        error(request, session, 500, "Console error", "Something went wrong in the console. Try again.");
      }
    } finally {
      exchange.close();
    }
  }

  /** Whether a call's failure means the page cannot go on: the key is no longer accepted, or no node answers. */
  static boolean failsThePage(TallyException failure) {
    return failure instanceof UnauthenticatedException
        || (failure instanceof TallyUnavailableException && failure.reason() == ErrorReason.ERROR_REASON_UNSPECIFIED);
  }

  private void route(WebRequest request, Session session) throws IOException {
    List<String> path = request.segments();
    String method = request.method();
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    if (!get && !post) {
      error(request, session, 405, "Not here", "The console takes GET and POST only.");
      return;
    }
    Assets.Asset asset = get ? assets.find(request.path()) : null;
    if (asset != null) {
      request.asset(asset.contentType(), asset.body());
      return;
    }
    if (get && path.equals(List.of("favicon.ico"))) {
      request.send(404, "text/plain; charset=utf-8", new byte[0]);
      return;
    }
    if (post && !sameOrigin(request)) {
      error(request, session, 403, "Refused", "This form was sent from another site.");
      return;
    }
    if (path.equals(List.of("signin"))) {
      if (get) SignInPage.show(request, settings, "", "");
      else SignInPage.submit(request, settings, sessions, session);
      return;
    }
    if (session == null) {
      request.redirect(Links.SIGN_IN);
      return;
    }
    if (post && !tokenMatches(session.csrfToken(), request.field(CSRF_FIELD))) {
      error(request, session, 403, "Refused", "This form has expired or came from elsewhere. Open the page again.");
      return;
    }
    if (path.isEmpty()) {
      request.redirect(session.home());
    } else if (post && path.equals(List.of("signout"))) {
      sessions.end(session);
      request.setCookie(SESSION_COOKIE, "", settings.secureCookie(), true);
      request.redirect(Links.SIGN_IN);
    } else if (path.get(0).equals("orgs") && path.size() >= 2) {
      org(request, session, path, get);
    } else if (path.get(0).equals("operator")) {
      operator(request, session, path, get);
    } else {
      error(request, session, 404, "Not found", "The console has no such page.");
    }
  }

  private void org(WebRequest request, Session session, List<String> path, boolean get) throws IOException {
    String orgId = path.get(1);
    if (!SignIn.ORG_ID.matcher(orgId).matches()) {
      error(request, session, 404, "No such org", "That is not an org id.");
      return;
    }
    if (!session.access().mayOpen(session.orgId(), orgId)) {
      // Not even the id asked for goes into the page.
      error(request, session, 403, "No permission", "Your API key may only see its own org.");
      return;
    }
    String action = String.join("/", path.subList(2, path.size()));
    if (get && action.isEmpty()) {
      request.page(200, OrgView.render(session, orgId, request.query("ledger"), request.query("grants"),
          request.query("alerts")));
    } else if (get && action.equals("usage")) {
      UsagePage.render(request, session, orgId);
    } else if (get && action.equals("usage/csv")) {
      UsageCsv.stream(request, session, orgId, UsagePage.range(request, session, orgId));
    } else if (get && action.equals("statements")) {
      request.page(200, StatementsPage.list(session, orgId, request.query("page")));
    } else if (get && path.size() == 4 && path.get(2).equals("statements")) {
      request.page(200, StatementsPage.one(session, orgId, path.get(3)));
    } else if (path.size() == 5 && path.get(2).equals("webhooks")) {
      webhook(request, session, orgId, path.get(3), path.get(4), get);
    } else if (!get && OrgActions.ACTIONS.contains(action)) {
      session.leave(OrgActions.run(session, orgId, action, request));
      request.redirect(Links.org(orgId) + "#" + OrgActions.section(action));
    } else {
      error(request, session, 404, "Not found", "The console has no such page.");
    }
  }

  private void operator(WebRequest request, Session session, List<String> path, boolean get) throws IOException {
    if (!session.access().isOperator()) {
      error(request, session, 403, "No permission", "The operator pages need an admin key.");
      return;
    }
    String action = String.join("/", path.subList(1, path.size()));
    if (get && action.isEmpty()) {
      request.page(200, OperatorTools.render(session, request.query("batch").strip(), request.query("label").strip()));
    } else if (get && action.equals("cluster")) {
      request.page(200, ClusterPage.render(session));
    } else if (get && action.equals("orgs")) {
      request.page(200, DirectoryPage.render(session, DirectoryPage.Search.of(request)));
    } else if (get && action.equals("open")) {
      String orgId = request.query("org").strip();
      if (!SignIn.ORG_ID.matcher(orgId).matches()) {
        error(request, session, 400, "Not an org id", "Org ids are 1-128 letters, digits and . _ : @ -.");
      } else {
        request.redirect(Links.org(orgId));
      }
    } else if (path.size() == 4 && path.get(1).equals("webhooks")) {
      webhook(request, session, "*", path.get(2), path.get(3), get);
    } else if (!get && OperatorActions.ACTIONS.contains(action)) {
      session.leave(OperatorActions.run(session, action, request));
      request.redirect(Links.OPERATOR + "#" + (action.equals("requests/decide") ? "decide-h" : "codes-h"));
    } else {
      error(request, session, 404, "Not found", "The console has no such page.");
    }
  }

  /**
   * A webhook endpoint's delivery log ({@code deliveries}) or the replay of one of its events
   * ({@code replay}: GET the confirmation, POST the replay), for an org's endpoint or ({@code orgId}
   * "*") the operator's. The org's own key reads its endpoints' logs ({@link #org} let it this far only
   * for its own org); a replay takes an admin key, so an org's key is refused it here, before any call.
   */
  private void webhook(WebRequest request, Session session, String orgId, String endpointId, String page, boolean get)
      throws IOException {
    if (!page.equals("deliveries") && !page.equals("replay") || page.equals("deliveries") && !get
        || !DeliveryLog.ENDPOINT_ID.matcher(endpointId).matches()) {
      error(request, session, 404, "Not found", "The console has no such page.");
      return;
    }
    if (page.equals("replay") && !session.access().isOperator()) {
      error(request, session, 403, "No permission", "Replaying a webhook event is your operator's: it needs an admin key.");
      return;
    }
    dev.tally.v1.WebhookEndpoint endpoint = DeliveryLog.endpoint(session.tally(), orgId, endpointId).orElse(null);
    if (endpoint == null) {
      error(request, session, 404, "No such endpoint", "There is no such webhook endpoint (it may have been deleted).");
    } else if (page.equals("deliveries")) {
      request.page(200, DeliveryLog.render(session, orgId, endpoint, request.query("page")));
    } else if (get) {
      String eventId = request.query("event").strip();
      if (!DeliveryLog.EVENT_ID.matcher(eventId).matches()) {
        error(request, session, 400, "Not an event id", "Event ids are evt_, the event's number, its index and its org.");
      } else {
        request.page(200, DeliveryLog.confirm(session, orgId, endpoint, eventId));
      }
    } else {
      session.leave(DeliveryLog.replay(session, orgId, endpoint, request));
      request.redirect(Links.deliveries(orgId, endpointId, "") + "#deliveries-h");
    }
  }

  /**
   * A POST's Origin (or, without one, its Referer) must be this console: a browser always sends
   * Origin with a form POST, so a form on another site is refused even before its token is checked.
   */
  private static boolean sameOrigin(WebRequest request) {
    String host = request.header("Host");
    String origin = request.header("Origin");
    if (origin == null) origin = request.header("Referer");
    if (origin == null || host == null) return true;  // not a browser: the CSRF token still has to match
    return origin.equals("http://" + host) || origin.equals("https://" + host)
        || origin.startsWith("http://" + host + "/") || origin.startsWith("https://" + host + "/");
  }

  /** Token comparison in constant time. */
  static boolean tokenMatches(String expected, String given) {
    if (expected == null || given == null || given.isEmpty()) return false;
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
  }

  private static void error(WebRequest request, Session session, int status, String title, String sentence) throws IOException {
    Html body = new Html().raw("<p class=\"error-sentence\">").text(sentence).raw("</p><p>");
    if (session == null) body.link(Links.SIGN_IN, "Sign in");
    else body.link(session.home(), "Back to your page");
    request.page(status, Pages.frame(session, title, body.raw("</p>")));
  }
}
