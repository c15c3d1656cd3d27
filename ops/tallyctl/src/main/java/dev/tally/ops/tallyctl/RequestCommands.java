package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.v1.CreditRequest;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestResponse;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.FileCreditRequestResponse;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListCreditRequestsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Credit requests: an org files one past its usage threshold; an operator lists them and approves or denies. */
final class RequestCommands {

  private RequestCommands() {}

  static void file(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    FileCreditRequestRequest request = FileCreditRequestRequest.newBuilder()
        .setOrgId(org)
        .setRequestId(requestId)
        .setAmount(CreditAmount.parse(run.operand(1)))
        .setReason(run.option("reason").orElseThrow())
        .build();
    FileCreditRequestResponse filed = run.tally().change(org, requestId,
        () -> run.tally().accounts().fileCreditRequest(request));
    if (run.out().json) {
      JsonObject document = ApiJson.of(filed);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    run.out().line(filed.getReplayed()
        ? "request " + requestId + " had filed credit request " + filed.getRequest().getNumber() + " of " + org + "; nothing filed now"
        : "filed credit request " + filed.getRequest().getNumber() + " of " + org);
    run.out().table(details(filed.getRequest()));
  }

  /** Every page, or the first {@code --limit} requests. */
  static void list(Invocation run) {
    String org = run.option("org").orElse("");
    ListCreditRequestsRequest.Builder request = ListCreditRequestsRequest.newBuilder().setOrgId(org);
    run.option("status").ifPresent(status -> request.setStatus(status(status)));
    int limit = run.option("limit").map(RequestCommands::count).orElse(Integer.MAX_VALUE);
    List<CreditRequest> requests = new ArrayList<>();
    String token = "";
    do {
      ListCreditRequestsRequest page = request.setPageToken(token).build();
      ListCreditRequestsResponse listed = run.tally().read(org.isEmpty() ? null : org,
          () -> run.tally().accounts().listCreditRequests(page));
      requests.addAll(listed.getRequestsList());
      token = listed.getNextPageToken();
    } while (!token.isEmpty() && requests.size() < limit);
    List<CreditRequest> shown = requests.subList(0, Math.min(limit, requests.size()));
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("requests", ApiJson.of(shown));
      run.out().document(document);
      return;
    }
    Table table = new Table("ORG", "NUMBER", "STATUS", "CREDITS", "USED WHEN FILED", "FILED AT", "REASON", "NOTE").alignRight(1, 3);
    for (CreditRequest listed : shown) {
      table.row(listed.getOrgId(), Long.toString(listed.getNumber()), listed.getStatus().name(), format(listed.getAmount()),
          format(listed.getChargedWhenFiled()) + " of " + format(listed.getBaseWhenFiled()),
          AccountCommands.time(listed.getFiledAt()), listed.getReason(), listed.getNote());
    }
    run.out().table(table);
  }

  static void approve(Invocation run) {
    decide(run, DecideCreditRequestRequest.Decision.APPROVE);
  }

  static void deny(Invocation run) {
    decide(run, DecideCreditRequestRequest.Decision.DENY);
  }

  /** A decision is its own idempotency key: deciding again the same way is safe, so it needs no request id. */
  private static void decide(Invocation run, DecideCreditRequestRequest.Decision decision) {
    String org = run.operand(0);
    DecideCreditRequestRequest.Builder request = DecideCreditRequestRequest.newBuilder()
        .setOrgId(org)
        .setNumber(number(run.operand(1)))
        .setDecision(decision);
    run.option("note").ifPresent(request::setNote);
    DecideCreditRequestResponse decided = run.tally().change(org, null,
        () -> run.tally().accounts().decideCreditRequest(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(decided));
      return;
    }
    String what = decided.getRequest().getStatus().name().toLowerCase(Locale.ROOT);
    run.out().line(decided.getReplayed()
        ? "credit request " + request.getNumber() + " of " + org + " was " + what + " before; nothing changed now"
        : "credit request " + request.getNumber() + " of " + org + " " + what);
    run.out().table(details(decided.getRequest()));
  }

  private static Table details(CreditRequest request) {
    Table table = new Table()
        .row("number", Long.toString(request.getNumber()))
        .row("status", request.getStatus().name())
        .row("credits", format(request.getAmount()))
        .row("reason", request.getReason())
        .row("used when filed", format(request.getChargedWhenFiled()) + " of " + format(request.getBaseWhenFiled()))
        .row("filed at", AccountCommands.time(request.getFiledAt()));
    if (request.hasDecidedAt()) table.row("decided at", AccountCommands.time(request.getDecidedAt())).row("note", request.getNote());
    if (request.getStatus() == CreditRequest.Status.APPROVED) table.row("grant", request.getGrantId());
    return table;
  }

  private static CreditRequest.Status status(String text) {
    try {
      CreditRequest.Status status = CreditRequest.Status.valueOf(text.toUpperCase(Locale.ROOT));
      if (status != CreditRequest.Status.UNRECOGNIZED && status != CreditRequest.Status.STATUS_UNSPECIFIED) return status;
    } catch (IllegalArgumentException unknown) {
      // said below
    }
    throw Failure.usage("not a status: " + text + " (open, granting, approved or denied)");
  }

  private static long number(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw Failure.usage("not a request number: " + text);
    }
  }

  private static int count(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw Failure.usage("not a whole number: " + text);
    }
  }
}
