package dev.tally.node.usage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The statements as the API shows them: the current period's from the org's directory row, where it
 * is kept up to date (it counts every event the row counts), the others from the statements table.
 */
public final class StatementReports {

  private final StatementTable statements;
  private final SliceRows.Rows directory;

  public StatementReports(StatementTable statements, SliceRows.Rows directory) {
    this.statements = statements;
    this.directory = directory;
  }

  /** The org's statement of the period that starts at {@code periodStart}; empty when there is none. */
  public CompletionStage<Optional<StatementRow>> statement(String orgId, Instant periodStart) {
    return directory.row(orgId).thenCompose(row -> {
      StatementRow current = row.statement();
      if (current != null && current.periodStart().equals(periodStart)) {
        return CompletableFuture.completedFuture(Optional.of(current));
      }
      return statements.statement(orgId, periodStart);
    });
  }

  /** Up to {@code limit} of the org's statements, newest first, of periods that start before {@code before} (null: all). */
  public CompletionStage<List<StatementRow>> newestFirst(String orgId, Instant before, int limit) {
    return statements.newestFirst(orgId, before, limit).thenCombine(directory.row(orgId), (stored, row) -> {
      StatementRow current = row.statement();
      if (current == null || (before != null && !current.periodStart().isBefore(before))) return stored;
      List<StatementRow> shown = new ArrayList<>(stored.size() + 1);
      shown.add(current);
      stored.stream().filter(statement -> !statement.periodStart().equals(current.periodStart())).forEach(shown::add);
      shown.sort(Comparator.comparing(StatementRow::periodStart).reversed());
      return shown.subList(0, Math.min(limit, shown.size()));
    });
  }
}
