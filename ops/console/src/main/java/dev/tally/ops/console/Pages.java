package dev.tally.ops.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import com.google.protobuf.Timestamp;

/** The frame every page shares: head, header with the signed-in key and sign out, and readable times. */
final class Pages {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private Pages() {}

  /**
   * A whole page: {@code session} null before sign-in; {@code main} is already escaped markup;
   * {@code scripts} the console's own script files to run after it (constants of {@link Links}).
   */
  static String frame(Session session, String title, Html main, String... scripts) {
    Html page = new Html()
        .raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .raw("<title>").text(title).raw(" · Tally console</title>")
        .raw("<link rel=\"stylesheet\" href=\"" + Links.STYLE + "\"></head><body>")
        .raw("<a class=\"skip\" href=\"#main\">Skip to content</a>")
        .raw("<header><span class=\"brand\">Tally console</span>");
    if (session != null) {
      page.raw("<nav aria-label=\"Main\">");
      if (session.access().isOperator()) {
        page.link(Links.OPERATOR, "Operator").link(Links.DIRECTORY, "Orgs").link(Links.CLUSTER, "Cluster");
      } else {
        page.link(Links.org(session.orgId()), "Org " + session.orgId());
      }
      page.raw("<span class=\"who\">").text(session.access().label()).raw("</span>")
          .form(Links.SIGN_OUT, session.csrfToken(), "inline").button("Sign out").raw("</form></nav>");
    }
    page.raw("</header><main id=\"main\">").raw("<h1>").text(title).raw("</h1>").raw(main.toString()).raw("</main>");
    for (String script : scripts) page.raw("<script src=\"").text(script).raw("\"></script>");
    page.raw("</body></html>");
    return page.toString();
  }

  /** The links between an org's pages, {@code current} ({@code org}, {@code usage}, {@code statements}) marked. */
  static void orgTabs(Html page, String orgId, String current) {
    page.raw("<nav class=\"tabs\" aria-label=\"Org pages\">");
    tab(page, Links.org(orgId), "Overview", current.equals("org"));
    tab(page, Links.usage(orgId), "Usage", current.equals("usage"));
    tab(page, Links.statements(orgId, ""), "Statements", current.equals("statements"));
    page.raw("</nav>");
  }

  private static void tab(Html page, String href, String label, boolean current) {
    page.raw("<a href=\"").text(href).raw(current ? "\" aria-current=\"page\">" : "\">").text(label).raw("</a>");
  }

  /** A timestamp of the API as people read it; "—" when unset. */
  static String time(Timestamp timestamp) {
    if (timestamp == null || (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0)) return "—";
    return TIME.format(Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()));
  }

  /** The notice left for {@code form}, if it is that form's: its message, and what is shown once. */
  static void notice(Html page, Notice notice, String form) {
    if (notice == null || !notice.form().equals(form)) return;
    page.raw(notice.failed() ? "<p class=\"notice error\" role=\"alert\">" : "<p class=\"notice ok\" role=\"status\">")
        .text(notice.message()).raw("</p>");
    if (!notice.shownOnce().isEmpty()) {
      page.raw("<p class=\"once\">Shown only now: copy it before you leave this page.</p><ul class=\"secrets\">");
      for (String secret : notice.shownOnce()) page.raw("<li><code>").text(secret).raw("</code></li>");
      page.raw("</ul>");
    }
  }
}
