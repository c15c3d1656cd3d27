package dev.tally.ops.console;

import com.google.protobuf.Timestamp;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.Credits;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestResponse;
import dev.tally.v1.VoidRedemptionBatchRequest;
import dev.tally.v1.VoidRedemptionBatchResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.Set;

/** The operator page's forms: decide a credit request, make a batch of codes, void a batch. */
final class OperatorActions {

  static final Set<String> ACTIONS = Set.of("requests/decide", "codes", "codes/void");
  /**
   * Pages of 100 codes voided by one click: a batch has at most 1,000 codes, so 10 pages void any
   * batch; the bound keeps one request from looping on a token that never ends.
   */
  static final int MAX_VOID_PAGES = 10;

  private OperatorActions() {}

  static String form(String action) {
    return switch (action) {
      case "requests/decide" -> "decide";
      case "codes/void" -> "void";
      default -> action;
    };
  }

  static Notice run(Session session, String action, WebRequest request) throws IOException {
    TallyClient tally = session.tally();
    try {
      return switch (action) {
        case "requests/decide" -> decide(tally, request);
        case "codes" -> makeCodes(tally, request);
        case "codes/void" -> voidBatch(tally, request);
        default -> throw new IllegalStateException("no action " + action);
      };
    } catch (IllegalArgumentException e) {
      return Notice.failed(form(action), e.getMessage());
    } catch (TallyException e) {
      if (Routes.failsThePage(e)) throw e;
      return Notice.failed(form(action), Failures.forForm(e));
    }
  }

  private static Notice decide(TallyClient tally, WebRequest request) throws IOException {
    String org = request.field("org");
    long number;
    try {
      number = Long.parseLong(request.field("number"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("That is not a request number.");
    }
    var decision = switch (request.field("decision")) {
      case "approve" -> DecideCreditRequestRequest.Decision.APPROVE;
      case "deny" -> DecideCreditRequestRequest.Decision.DENY;
      default -> throw new IllegalArgumentException("Approve or deny.");
    };
    DecideCreditRequestResponse decided = tally.accounts().decideCreditRequest(DecideCreditRequestRequest.newBuilder()
        .setOrgId(org).setNumber(number).setDecision(decision).setNote(request.field("note").strip()).build());
    var decidedRequest = decided.getRequest();
    return Notice.done("decide", "Request " + decidedRequest.getNumber() + " of " + decidedRequest.getOrgId() + " for "
        + Credits.withSeparators(decidedRequest.getAmount()) + " credits: "
        + decidedRequest.getStatus().name().toLowerCase(java.util.Locale.ROOT) + (decided.getReplayed() ? " (before)." : "."));
  }

  private static Notice makeCodes(TallyClient tally, WebRequest request) throws IOException {
    int count = wholeNumber(request.field("count"), "How many codes");
    String uses = request.field("max_redemptions");
    CreateRedemptionCodesRequest.Builder batch = CreateRedemptionCodesRequest.newBuilder()
        .setRequestId(Ids.posted(request.field("request_id"))).setCount(count)
        .setCredits(OrgActions.positiveCredits(request.field("credits")))
        .setMaxRedemptions(uses.isBlank() ? 1 : wholeNumber(uses, "Redemptions per code"))
        .setLabel(request.field("label").strip());
    Instant expires = OrgActions.afterDays(request.field("days"));
    if (expires != null) batch.setExpiresAt(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()));
    CreateRedemptionCodesResponse made = tally.accounts().createRedemptionCodes(batch.build());
    if (made.getReplayed()) {
      return Notice.failed("codes", "This form made batch " + made.getBatchId() + " before; its codes were shown only then.");
    }
    return Notice.secret("codes", "Made batch " + made.getBatchId() + " of " + made.getCodesCount() + " codes.",
        OperatorTools.shownOnce(made));
  }

  private static Notice voidBatch(TallyClient tally, WebRequest request) throws IOException {
    String batch = request.field("batch");
    String token = "";
    int voided = 0;
    for (int page = 0; page < MAX_VOID_PAGES; page++) {
      VoidRedemptionBatchResponse response = tally.accounts().voidRedemptionBatch(VoidRedemptionBatchRequest.newBuilder()
          .setBatchId(batch).setPageToken(token).build());
      voided += response.getVoided();  // at most 100 a page, 10 pages
      token = response.getNextPageToken();
      if (token.isEmpty()) return Notice.done("void", "Voided the " + voided + " codes of batch " + batch + ".");
    }
    return Notice.failed("void", "Voided " + voided + " codes of batch " + batch + "; void again for the rest.");
  }

  private static int wholeNumber(String typed, String what) {
    try {
      return Integer.parseInt(typed.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a whole number.");
    }
  }
}
