package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.v1.Statement;
import org.junit.jupiter.api.Test;

/** A statement's lines: credits with separators, parts largest first under their amount, callers' labels as text. */
class StatementLinesTest {

  private static String lines(Statement statement) {
    Html page = new Html();
    StatementsPage.lines(page, statement);
    return page.toString();
  }

  @Test
  void everyAmountInCreditsWithItsPartsLargestFirst() {
    String page = lines(Statement.newBuilder().setOpeningBalance(1_000_000_000L).setGranted(1_500_000_000L)
        .putGrantedByKind("PURCHASE", 500_000_000L).putGrantedByKind("SUBSCRIPTION", 1_000_000_000L)
        .setUsed(812_500_000L).putUsedByModel("gpt-4o", 12_500_000L).putUsedByModel("", 800_000_000L)
        .setExpired(1).setClosingBalance(1_687_499_999L).build());

    assertTrue(page.contains("id=\"statement-opening\">1,000</td>"), page);
    assertTrue(page.contains("id=\"statement-closing\">1,687.499999</td>"), page);
    assertTrue(page.indexOf("by kind: subscription") < page.indexOf("by kind: purchase"), "largest first");
    assertTrue(page.indexOf("by model: (none)") < page.indexOf("by model: gpt-4o"), "calls without a model, as (none)");
    assertTrue(page.contains("id=\"statement-expired\">0.000001</td>"), page);
    assertFalse(page.contains("812500000"), "never raw micro-credits");
  }

  @Test
  void modelAndCallTypeLabelsAreText() {
    String page = lines(Statement.newBuilder().setUsed(1).putUsedByModel("<script>alert(1)</script>", 1)
        .putUsedByCallType("<img src=x>", 1).build());

    assertFalse(page.contains("<script>") || page.contains("<img"), page);
    assertTrue(page.contains("by model: &lt;script&gt;alert(1)&lt;/script&gt;"), page);
  }
}
