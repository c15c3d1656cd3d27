package dev.tally.ops.console;

import dev.tally.client.TallyException;
import dev.tally.client.TallyUnavailableException;
import java.io.IOException;

/**
 * Sign in with a pasted API key (and the org's id for an org key), and its refusals. The key goes
 * to the node in the sign-in probe, then lives only in the session's client: it is never put into
 * a page, a URL, a cookie or a log. A successful sign-in starts a new session under a new id and
 * ends the one the browser had.
 */
final class SignInPage {

  private SignInPage() {}

  static void show(WebRequest request, ConsoleSettings settings, String orgId, String refusal) throws IOException {
    // The browser's token when it has one: a second tab (or a favicon's redirect here) must not
    // replace the cookie under a form that is already open.
    String token = request.cookie(Routes.SIGN_IN_COOKIE);
    if (token == null || !Sessions.isToken(token)) {
      token = Sessions.randomToken();
      request.setCookie(Routes.SIGN_IN_COOKIE, token, settings.secureCookie(), false);
    }
    Html body = new Html().raw("<p>Paste an API key of Tally. An org's metering or reader key shows that org; ")
        .raw("an admin key opens the operator pages.</p>");
    if (!refusal.isEmpty()) body.raw("<p class=\"notice error\" role=\"alert\" id=\"signin-refused\">").text(refusal).raw("</p>");
    body.raw("<form method=\"post\" class=\"stack\" action=\"" + Links.SIGN_IN + "\">")
        .hidden(Routes.CSRF_FIELD, token)
        .input("signin-org", "org", "text", "Org id (empty for an admin key)", orgId, "maxlength=\"128\" autocomplete=\"username\"")
        .input("signin-key", "key", "password", "API key", "", "required maxlength=\"256\" autocomplete=\"current-password\"")
        .button("Sign in").raw("</form>");
    request.page(refusal.isEmpty() ? 200 : 401, Pages.frame(null, "Sign in", body));
  }

  static void submit(WebRequest request, ConsoleSettings settings, Sessions sessions, Session current) throws IOException {
    String orgId = request.field("org").strip();
    if (!Routes.tokenMatches(request.cookie(Routes.SIGN_IN_COOKIE), request.field(Routes.CSRF_FIELD))) {
      show(request, settings, "", "The sign-in form expired. Try again.");
      return;
    }
    SignIn.Signed signed;
    try {
      signed = SignIn.probe(settings, request.field("key").strip(), orgId);
    } catch (SignIn.Refused e) {
      show(request, settings, safeOrg(orgId), e.getMessage());
      return;
    } catch (TallyUnavailableException e) {
      Failures.ErrorPage page = Failures.unreachable(settings);
      request.page(page.status(), Pages.frame(null, page.title(), new Html().raw("<p class=\"error-sentence\">")
          .text(page.sentence()).raw("</p><p>").link(Links.SIGN_IN, "Sign in").raw("</p>")));
      return;
    } catch (TallyException e) {
      show(request, settings, safeOrg(orgId), SignIn.keyRefused(e)
          ? "Tally does not accept this key: it is unknown, revoked or expired."
          : Failures.forForm(e));
      return;
    }
    if (current != null) sessions.end(current);
    Session session;
    try {
      session = sessions.start(signed.access(), signed.orgId(), signed.tally());
    } catch (Sessions.Full e) {
      signed.tally().close();
      request.page(503, Pages.frame(null, "Console busy", new Html()
          .raw("<p class=\"error-sentence\">Too many people are signed in. Try again later.</p>")));
      return;
    }
    request.setCookie(Routes.SIGN_IN_COOKIE, "", settings.secureCookie(), true);
    request.setCookie(Routes.SESSION_COOKIE, session.id(), settings.secureCookie(), false);
    request.redirect(session.home());
  }

  /** The org id typed, to fill the form again, when it is one. */
  private static String safeOrg(String orgId) {
    return SignIn.ORG_ID.matcher(orgId).matches() ? orgId : "";
  }
}
