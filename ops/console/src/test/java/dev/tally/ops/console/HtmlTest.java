package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class HtmlTest {

  @Test
  void valuesAreTextNeverMarkup() {
    String name = "<img src=x onerror=alert(1)> & \"quoted\" 'single'";
    String page = new Html().raw("<p title=\"").text(name).raw("\">").text(name).raw("</p>").toString();
    assertFalse(page.contains("<img"), page);
    assertEquals("<p title=\"&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;single&#39;\">"
        + "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;single&#39;</p>", page);
  }

  @Test
  void linksEncodeTheirPartsAndEscapeTheAttribute() {
    String page = new Html().link(Links.org("a\"b<c>:d"), "x").toString();
    assertEquals("<a href=\"/orgs/a%22b%3Cc%3E%3Ad\">x</a>", page);
  }

  @Test
  void aNullValueIsEmptyText() {
    assertEquals("", Html.escape(null));
  }
}
