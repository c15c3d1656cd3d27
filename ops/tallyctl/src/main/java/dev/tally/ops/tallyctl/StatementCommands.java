package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.v1.GetStatementRequest;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.ListStatementsResponse;
import dev.tally.v1.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An org's statements, one per billing period, from the read side (a key of the org, or an admin key). */
final class StatementCommands {

  private StatementCommands() {}

  /** The newest {@code --limit} statements (default 12), one line each. */
  static void list(Invocation run) {
    String org = run.operand(0);
    int limit = run.option("limit").map(text -> AccountCommands.number("--limit", text)).orElse(12);
    if (limit < 1) throw Failure.usage("--limit must be at least 1");
    List<Statement> statements = new ArrayList<>();
    String token = "";
    do {
      ListStatementsRequest page = ListStatementsRequest.newBuilder().setOrgId(org).setPageToken(token)
          .setPageSize(Math.min(100, limit - statements.size())).build();
      ListStatementsResponse listed = run.tally().read(org, () -> run.tally().accounts().listStatements(page));
      statements.addAll(listed.getStatementsList());
      token = listed.getNextPageToken();
    } while (!token.isEmpty() && statements.size() < limit);
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("statements", ApiJson.of(statements));
      run.out().document(document);
      return;
    }
    Table table = new Table("PERIOD", "CLOSED", "OPENING", "GRANTED", "USED", "EXPIRED", "VOIDED", "CLOSING", "DEBT")
        .alignRight(2, 3, 4, 5, 6, 7, 8);
    for (Statement statement : statements) {
      table.row(AccountCommands.time(statement.getPeriodStart()),
          statement.hasClosedAt() ? AccountCommands.time(statement.getClosedAt()) : "open",
          format(statement.getOpeningBalance()), format(statement.getGranted()), format(statement.getUsed()),
          format(statement.getExpired()), format(statement.getVoided()), format(statement.getClosingBalance()),
          format(statement.getDebt()));
    }
    run.out().table(table);
  }

  /** One statement in full: the sums, and the grants by kind and usage by model and call type. */
  static void show(Invocation run) {
    String org = run.operand(0);
    GetStatementRequest request = GetStatementRequest.newBuilder().setOrgId(org)
        .setPeriodStart(AccountCommands.timestamp("PERIOD_START", run.operand(1))).build();
    Statement statement = run.tally().read(org, () -> run.tally().accounts().getStatement(request));
    if (run.out().json) {
      run.out().document(ApiJson.of(statement));
      return;
    }
    Table sums = new Table()
        .row("org", statement.getOrgId())
        .row("period", AccountCommands.time(statement.getPeriodStart()) + " to " + AccountCommands.time(statement.getPeriodEnd()))
        .row("closed", statement.hasClosedAt() ? AccountCommands.time(statement.getClosedAt()) : "no: the period is open")
        .row("opening balance", format(statement.getOpeningBalance()))
        .row("granted", format(statement.getGranted()))
        .row("used", format(statement.getUsed()))
        .row("expired", format(statement.getExpired()))
        .row("voided", format(statement.getVoided()))
        .row("closing balance", format(statement.getClosingBalance()))
        .row("debt", format(statement.getDebt()));
    run.out().table(sums);
    lines(run, "GRANT KIND", statement.getGrantedByKindMap());
    lines(run, "MODEL", statement.getUsedByModelMap());
    lines(run, "CALL TYPE", statement.getUsedByCallTypeMap());
  }

  private static void lines(Invocation run, String header, Map<String, Long> amounts) {
    if (amounts.isEmpty()) return;
    run.out().line("");
    Table table = new Table(header, "CREDITS").alignRight(1);
    amounts.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(amount -> table.row(amount.getKey().isEmpty() ? "(none)" : amount.getKey(), format(amount.getValue())));
    run.out().table(table);
  }
}
