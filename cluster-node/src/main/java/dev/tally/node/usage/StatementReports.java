package dev.tally.node.usage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The statements as the API shows them: as stored, each {@linkplain StatementRow#asOf as of} the org's
 * directory row, so an open statement says it counts every event the read side has applied.
 */
public final class StatementReports {

  private final StatementTable statements;
  private final SliceRows.Rows directory;

  public StatementReports(StatementTable statements, OrgDirectory directory) {
    this.statements = statements;
    this.directory = directory;
  }

  /** The org's statement of the period that starts at {@code periodStart}; empty when there is none. */
  public CompletionStage<Optional<StatementRow>> statement(String orgId, Instant periodStart) {
    return statements.statement(orgId, periodStart)
        .thenCombine(directory.row(orgId), (found, row) -> found.map(statement -> statement.asOf(row)));
  }

  /** Up to {@code limit} of the org's statements, newest first, of periods that start before {@code before} (null: all). */
  public CompletionStage<List<StatementRow>> newestFirst(String orgId, Instant before, int limit) {
    return statements.newestFirst(orgId, before, limit)
        .thenCombine(directory.row(orgId), (found, row) -> found.stream().map(statement -> statement.asOf(row)).toList());
  }
}
