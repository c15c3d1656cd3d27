package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.usage.StatementRow;
import dev.tally.node.usage.StatementReports;
import dev.tally.v1.GetStatementRequest;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.ListStatementsResponse;
import dev.tally.v1.Statement;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** Accounts' calls on an org's statements (ListStatements, GetStatement), from the read side. */
final class StatementCalls {

  static final int MAX_PAGE_SIZE = 100;
  static final int DEFAULT_PAGE_SIZE = 12;

  private final StatementReports statements;

  StatementCalls(StatementReports statements) {
    this.statements = statements;
  }

  void list(ListStatementsRequest request, StreamObserver<ListStatementsResponse> responses) {
    Optional<Optional<Instant>> before = before(request.getPageToken());
    RequestChecks checks = new RequestChecks().orgId(request.getOrgId())
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE, "page_size",
            "must be between 1 and " + MAX_PAGE_SIZE + " (0 = " + DEFAULT_PAGE_SIZE + ")")
        .require(before.isPresent(), "page_token", "must be a next_page_token of the same org's statements");
    if (refuseInvalid(checks, responses)) return;
    int size = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
    // One more than asked: whether there is a next page.
    answer(statements.newestFirst(request.getOrgId(), before.get().orElse(null), size + 1), responses, found -> {
      ListStatementsResponse.Builder response = ListStatementsResponse.newBuilder();
      found.stream().limit(size).forEach(row -> response.addStatements(statement(row)));
      if (found.size() > size) response.setNextPageToken(token(found.get(size - 1).periodStart()));
      return response.build();
    });
  }

  void get(GetStatementRequest request, StreamObserver<Statement> responses) {
    RequestChecks checks = new RequestChecks().orgId(request.getOrgId())
        .require(request.hasPeriodStart(), "period_start", "is required");
    Instant start = request.hasPeriodStart() ? checks.instant("period_start", request.getPeriodStart()) : null;
    if (refuseInvalid(checks, responses)) return;
    answer(statements.statement(request.getOrgId(), start), responses, found -> statement(
        found.orElseThrow(() -> TallyErrors.statementNotFound(start))));
  }

  private static <T, R> void answer(CompletionStage<T> read, StreamObserver<R> responses, Function<T, R> response) {
    read.whenComplete((found, failure) -> {
      try {
        if (failure != null) {
          responses.onError(TallyErrors.failure(failure));
          return;
        }
        R answer;
        try {
          answer = response.apply(found);
        } catch (StatusRuntimeException refused) {
          responses.onError(refused);
          return;
        }
        responses.onNext(answer);
        responses.onCompleted();
      } catch (StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      }
    });
  }

  static Statement statement(StatementRow row) {
    Statement.Builder statement = Statement.newBuilder()
        .setOrgId(row.orgId())
        .setPeriodStart(timestamp(row.periodStart()))
        .setPeriodEnd(timestamp(row.periodEnd()))
        .setOpeningBalance(row.openingBalance())
        .setGranted(row.granted())
        .putAllGrantedByKind(row.grantedByKind())
        .setUsed(row.used())
        .putAllUsedByModel(row.usedByModel())
        .putAllUsedByCallType(row.usedByCallType())
        .setExpired(row.expired())
        .setVoided(row.voided())
        .setClosingBalance(row.closingBalance())
        .setDebt(row.debt())
        .setAppliedSequenceNr(row.appliedSeqNr());
    if (row.closedAt() != null) statement.setClosedAt(timestamp(row.closedAt()));
    return statement.build();
  }

  private static String token(Instant periodStart) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Long.toString(periodStart.toEpochMilli()).getBytes(StandardCharsets.UTF_8));
  }

  /** Where a page token goes on: before that period's start; empty inside for the first page; empty for no token of ours. */
  private static Optional<Optional<Instant>> before(String token) {
    if (token.isEmpty()) return Optional.of(Optional.empty());
    try {
      long millis = Long.parseLong(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
      return Optional.of(Optional.of(Instant.ofEpochMilli(millis)));
    } catch (IllegalArgumentException | java.time.DateTimeException notAToken) {
      return Optional.empty();
    }
  }
}
