package dev.tally.ops.console;

import com.google.protobuf.Timestamp;
import dev.tally.v1.Credits;
import dev.tally.v1.GetStatementRequest;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.ListStatementsResponse;
import dev.tally.v1.Statement;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An org's billing history: its statements, newest period first, and one statement as a page to
 * print (the header, tabs and links are left off paper by the stylesheet's print rules). Read with
 * the user's key through ListStatements and GetStatement.
 */
final class StatementsPage {

  /** Statements per page: a year of monthly periods. */
  static final int PAGE = 12;

  private StatementsPage() {}

  static String list(Session session, String orgId, String pageToken) {
    ListStatementsResponse response = session.tally().accounts().listStatements(ListStatementsRequest.newBuilder()
        .setOrgId(orgId).setPageSize(PAGE).setPageToken(pageToken).build());
    Html page = new Html();
    Pages.orgTabs(page, orgId, "statements");
    page.raw("<section aria-labelledby=\"history-h\"><h2 id=\"history-h\">Billing history</h2>")
        .raw("<p>One statement per billing period, newest first; the open one holds the period so far. Amounts in credits.</p>");
    if (response.getStatementsCount() == 0) {
      page.raw("<p>No statements").raw(pageToken.isEmpty() ? " yet: the first shows a few seconds after the org's first event."
          : " after this point.").raw("</p></section>");
      return Pages.frame(session, "Statements of " + orgId, page);
    }
    page.raw("<div class=\"scroll\"><table id=\"statements\"><thead><tr><th scope=\"col\">Period</th><th scope=\"col\">State</th>")
        .raw("<th scope=\"col\" class=\"num\">Opening</th><th scope=\"col\" class=\"num\">Granted</th>")
        .raw("<th scope=\"col\" class=\"num\">Used</th><th scope=\"col\" class=\"num\">Expired</th>")
        .raw("<th scope=\"col\" class=\"num\">Voided</th><th scope=\"col\" class=\"num\">Closing</th>")
        .raw("<th scope=\"col\" class=\"num\">Debt</th></tr></thead><tbody>");
    for (Statement statement : response.getStatementsList()) {
      page.raw("<tr data-period-start=\"").text(instant(statement.getPeriodStart()).toString()).raw("\"><td>")
          .link(Links.statement(orgId, instant(statement.getPeriodStart())), period(statement)).raw("</td>")
          .element("td", statement.hasClosedAt() ? "closed" : "open");
      for (long amount : List.of(statement.getOpeningBalance(), statement.getGranted(), statement.getUsed(),
          statement.getExpired(), statement.getVoided(), statement.getClosingBalance(), statement.getDebt())) {
        page.raw("<td class=\"num\">").text(Credits.withSeparators(amount)).raw("</td>");
      }
      page.raw("</tr>");
    }
    page.raw("</tbody></table></div>");
    if (!response.getNextPageToken().isEmpty()) {
      page.raw("<p>").link(Links.statements(orgId, response.getNextPageToken()), "Older statements").raw("</p>");
    }
    page.raw("</section>");
    return Pages.frame(session, "Statements of " + orgId, page);
  }

  /** The statement of the period starting at {@code periodStart} (an ISO instant, as {@link Links#statement} writes it). */
  static String one(Session session, String orgId, String periodStart) {
    Instant start;
    try {
      start = Instant.parse(periodStart);
    } catch (DateTimeParseException e) {
      throw new WebRequest.BadRequest("the statement's period start is not a time like 2026-12-01T00:00:00Z");
    }
    Statement statement = session.tally().accounts().getStatement(GetStatementRequest.newBuilder().setOrgId(orgId)
        .setPeriodStart(Timestamp.newBuilder().setSeconds(start.getEpochSecond()).setNanos(start.getNano())).build());
    Html page = new Html();
    Pages.orgTabs(page, orgId, "statements");
    page.raw("<article class=\"statement\" aria-labelledby=\"statement-h\"><h2 id=\"statement-h\">Statement</h2>")
        .raw("<dl class=\"facts\"><dt>Org</dt><dd>").text(orgId).raw("</dd><dt>Period</dt><dd>").text(period(statement))
        .raw("</dd><dt>State</dt><dd id=\"statement-state\">")
        .text(statement.hasClosedAt() ? "closed " + Pages.time(statement.getClosedAt()) : "open: the period so far")
        .raw("</dd><dt>Counts the org's events up to</dt><dd>").text(Long.toString(statement.getAppliedSequenceNr()))
        .raw("</dd></dl>");
    lines(page, statement);
    page.raw("<p class=\"unit\">Opening balance + granted − used − expired − voided = closing balance. ")
        .raw("A balance is what the org's grants hold less its debt.</p><p class=\"no-print\">")
        .link(Links.statements(orgId, ""), "Back to the billing history")
        .raw(" · Print this page with your browser's Print (Ctrl+P or ⌘P): only the statement is printed.</p></article>");
    return Pages.frame(session, "Statement " + period(statement), page);
  }

  /** A statement's account as a table: each amount in credits, its parts (by kind, model, call type) largest first under it. */
  static void lines(Html page, Statement statement) {
    page.raw("<table id=\"statement-lines\"><caption>In credits</caption><tbody>");
    line(page, "Opening balance", statement.getOpeningBalance(), "total", "opening");
    line(page, "+ Granted", statement.getGranted(), "", "granted");
    parts(page, statement.getGrantedByKindMap(), "granted");
    line(page, "− Used", statement.getUsed(), "", "used");
    parts(page, "by model", statement.getUsedByModelMap(), "used");
    parts(page, "by call type", statement.getUsedByCallTypeMap(), "used");
    line(page, "− Expired", statement.getExpired(), "", "expired");
    line(page, "− Voided", statement.getVoided(), "", "voided");
    line(page, "= Closing balance", statement.getClosingBalance(), "total", "closing");
    line(page, "of which debt", statement.getDebt(), "part", "debt");
    page.raw("</tbody></table>");
  }

  private static void line(Html page, String label, long amount, String cssClass, String id) {
    page.raw("<tr class=\"").text(cssClass).raw("\"><th scope=\"row\">").text(label).raw("</th><td class=\"num\" id=\"statement-")
        .text(id).raw("\">").text(Credits.withSeparators(amount)).raw("</td></tr>");
  }

  private static void parts(Html page, Map<String, Long> byKind, String of) {
    parts(page, "by kind", lowerCase(byKind), of);
  }

  /** The lines making up one amount, largest first, each under its label ({@code ""}: none). */
  private static void parts(Html page, String heading, Map<String, Long> parts, String of) {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(parts.entrySet());
    sorted.removeIf(entry -> entry.getValue() == 0);
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    for (Map.Entry<String, Long> part : sorted) {
      page.raw("<tr class=\"part\"><th scope=\"row\">").text(heading + ": " + UsagePage.label(part.getKey()))
          .raw("</th><td class=\"num\" data-of=\"").text(of).raw("\">").text(Credits.withSeparators(part.getValue()))
          .raw("</td></tr>");
    }
  }

  private static Map<String, Long> lowerCase(Map<String, Long> byKind) {
    Map<String, Long> lower = new java.util.TreeMap<>();
    byKind.forEach((kind, amount) -> lower.put(kind.toLowerCase(java.util.Locale.ROOT), amount));
    return lower;
  }

  private static String period(Statement statement) {
    return Pages.time(statement.getPeriodStart()) + " to " + Pages.time(statement.getPeriodEnd());
  }

  private static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
