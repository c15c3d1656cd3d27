package dev.tally.ops.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A page being written. Markup comes only from string constants of the console ({@link #raw});
 * every value that came from a user, a key's org or the node goes through {@link #text} or an
 * attribute method, which escape it: display names, labels, ledger fields and error messages can
 * hold {@code <script>} and must stay text.
 */
final class Html {

  private final StringBuilder out = new StringBuilder(8192);

  /** The one escaping rule, for element text and double-quoted attribute values alike. */
  static String escape(String value) {
    if (value == null) return "";
    StringBuilder escaped = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /** A path segment or query value, percent-encoded (then still escaped where it lands in an attribute). */
  static String urlPart(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Markup of the console's own: a constant, never a value. */
  Html raw(String markup) {
    out.append(markup);
    return this;
  }

  /** A value as text. */
  Html text(String value) {
    out.append(escape(value));
    return this;
  }

  /** {@code <tag>value</tag>} with the value as text; {@code tag} is a constant of the console. */
  Html element(String tag, String value) {
    return raw("<" + tag + ">").text(value).raw("</" + tag + ">");
  }

  /** A link; {@code href} is built by {@link Links} from encoded parts. */
  Html link(String href, String label) {
    return raw("<a href=\"").text(href).raw("\">").text(label).raw("</a>");
  }

  /** Starts a POST form with the session's CSRF token. */
  Html form(String action, String csrfToken, String cssClass) {
    raw("<form method=\"post\" class=\"").text(cssClass).raw("\" action=\"").text(action).raw("\">");
    return hidden(Routes.CSRF_FIELD, csrfToken);
  }

  Html hidden(String name, String value) {
    return raw("<input type=\"hidden\" name=\"").text(name).raw("\" value=\"").text(value).raw("\">");
  }

  /** A labelled input; {@code id} ties the label to it for screen readers. */
  Html input(String id, String name, String type, String label, String value, String extra) {
    raw("<label for=\"").text(id).raw("\">").text(label).raw("</label>");
    raw("<input id=\"").text(id).raw("\" name=\"").text(name).raw("\" type=\"").text(type)
        .raw("\" value=\"").text(value).raw("\" ").raw(extra).raw(">");
    return this;
  }

  /** A labelled choice of constant options, {@code selected} preselected. */
  Html select(String id, String name, String label, Iterable<String> options, String selected) {
    raw("<label for=\"").text(id).raw("\">").text(label).raw("</label>");
    raw("<select id=\"").text(id).raw("\" name=\"").text(name).raw("\">");
    for (String option : options) {
      raw("<option value=\"").text(option).raw(option.equals(selected) ? "\" selected>" : "\">").text(option).raw("</option>");
    }
    return raw("</select>");
  }

  Html button(String label) {
    return raw("<button type=\"submit\">").text(label).raw("</button>");
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
