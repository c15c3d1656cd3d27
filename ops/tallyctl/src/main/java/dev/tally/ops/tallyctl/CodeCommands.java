package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.ListRedemptionCodesRequest;
import dev.tally.v1.ListRedemptionCodesResponse;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;
import dev.tally.v1.RedemptionCodeInfo;
import dev.tally.v1.VoidRedemptionBatchRequest;
import dev.tally.v1.VoidRedemptionBatchResponse;
import dev.tally.v1.VoidRedemptionCodeRequest;
import dev.tally.v1.VoidRedemptionCodeResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Redemption codes: generating a batch (admin key; the codes are printed once), listing and voiding
 * them (admin key; ids and hints only), and redeeming one for an org.
 */
final class CodeCommands {

  private CodeCommands() {}

  static void generate(Invocation run) {
    String requestId = run.requestId();
    CreateRedemptionCodesRequest.Builder request = CreateRedemptionCodesRequest.newBuilder()
        .setRequestId(requestId)
        .setCount(count(run.operand(0)))
        .setCredits(CreditAmount.parse(run.option("credits").orElseThrow()));
    run.option("label").ifPresent(request::setLabel);
    run.option("expires").ifPresent(time -> request.setExpiresAt(AccountCommands.timestamp("--expires", time)));
    run.option("max-redemptions").ifPresent(max -> request.setMaxRedemptions(count(max)));
    CreateRedemptionCodesResponse made = run.tally().change(null, requestId,
        () -> run.tally().accounts().createRedemptionCodes(request.build()));
    if (run.out().json) {
      JsonObject document = ApiJson.of(made);
      document.addProperty("request_id", requestId);
      run.out().document(document);
      return;
    }
    if (made.getReplayed()) {
      run.out().line("request " + requestId + " already made batch " + made.getBatchId()
          + "; its codes were printed by that run only");
      made.getHintsList().forEach(run.out()::line);
      return;
    }
    run.out().line("made batch " + made.getBatchId() + " of " + made.getCodesCount() + " codes of "
        + format(request.getCredits()) + " credits; the codes are printed only now:");
    made.getCodesList().forEach(run.out()::line);
  }

  static void redeem(Invocation run) {
    String org = run.operand(0);
    String requestId = run.requestId();
    RedeemCodeRequest request = RedeemCodeRequest.newBuilder()
        .setOrgId(org).setCode(run.operand(1)).setRequestId(requestId).build();
    RedeemCodeResponse redeemed = run.tally().change(org, requestId, () -> run.tally().accounts().redeemCode(request));
    if (run.out().json) {
      run.out().document(ApiJson.of(redeemed));
      return;
    }
    run.out().line(redeemed.getReplayed()
        ? org + " had redeemed " + redeemed.getHint() + " before; nothing granted now"
        : "redeemed " + redeemed.getHint() + " for " + org);
    run.out().table(new Table()
        .row("grant", redeemed.getGrantId())
        .row("credits", format(redeemed.getAmount()))
        .row("effective at", AccountCommands.time(redeemed.getEffectiveAt())));
  }

  /** At most this many codes are listed unless --max says otherwise: a label may hold millions. */
  static final int DEFAULT_MAX_LISTED = 1000;

  /** The codes of a batch or a label, page by page: hints and ids, never the codes. */
  static void list(Invocation run) {
    String batch = run.option("batch").orElse("");
    String label = run.option("label").orElse("");
    if (batch.isEmpty() == label.isEmpty()) throw Failure.usage("code list needs either --batch or --label");
    int max = run.option("max").map(CodeCommands::count).orElse(DEFAULT_MAX_LISTED);
    List<RedemptionCodeInfo> codes = new ArrayList<>();
    String token = "";
    do {
      ListRedemptionCodesRequest request = ListRedemptionCodesRequest.newBuilder()
          .setBatchId(batch).setLabel(label).setPageSize(Math.max(1, Math.min(100, max - codes.size()))).setPageToken(token).build();
      ListRedemptionCodesResponse page = run.tally().read(null, () -> run.tally().accounts().listRedemptionCodes(request));
      codes.addAll(page.getCodesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty() && codes.size() < max);
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("codes", ApiJson.of(codes));
      document.addProperty("more", !token.isEmpty());
      run.out().document(document);
      return;
    }
    Table table = new Table("CODE ID", "HINT", "BATCH", "LABEL", "CREDITS", "REDEEMED", "EXPIRES AT", "VOIDED AT")
        .alignRight(4);
    for (RedemptionCodeInfo code : codes) {
      table.row(code.getCodeId(), code.getHint(), code.getBatchId(), code.getLabel(), format(code.getCredits()),
          code.getRedemptions() + "/" + code.getMaxRedemptions(),
          code.hasExpiresAt() ? AccountCommands.time(code.getExpiresAt()) : "never",
          code.hasVoidedAt() ? AccountCommands.time(code.getVoidedAt()) : "");
    }
    run.out().table(table);
    if (!token.isEmpty()) run.out().line("more codes follow: list them with a higher --max");
  }

  /** Voids one code (by --id or --code) or every code of a batch, a page per call until the last. */
  static void voidCodes(Invocation run) {
    List<String> given = java.util.stream.Stream.of("id", "code", "batch").filter(name -> run.option(name).isPresent()).toList();
    if (given.size() != 1) throw Failure.usage("code void needs exactly one of --id, --code and --batch");
    if (run.option("batch").isPresent()) {
      voidBatch(run, run.option("batch").get());
      return;
    }
    VoidRedemptionCodeRequest.Builder request = VoidRedemptionCodeRequest.newBuilder();
    run.option("id").ifPresent(request::setCodeId);
    run.option("code").ifPresent(request::setCode);
    VoidRedemptionCodeResponse voided = run.tally().change(null, null, () -> run.tally().accounts().voidRedemptionCode(request.build()));
    if (run.out().json) {
      run.out().document(ApiJson.of(voided));
      return;
    }
    run.out().line("voided code " + voided.getCodeId() + " at " + AccountCommands.time(voided.getVoidedAt()));
  }

  private static void voidBatch(Invocation run, String batch) {
    int voided = 0;
    int total = 0;
    String token = "";
    do {
      VoidRedemptionBatchRequest request = VoidRedemptionBatchRequest.newBuilder().setBatchId(batch).setPageToken(token).build();
      VoidRedemptionBatchResponse page = run.tally().change(null, null, () -> run.tally().accounts().voidRedemptionBatch(request));
      voided += page.getVoided();
      total = page.getBatchCodes();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.addProperty("batch_id", batch);
      document.addProperty("voided", voided);
      document.addProperty("batch_codes", total);
      run.out().document(document);
      return;
    }
    run.out().line("voided " + voided + " of the " + total + " codes of batch " + batch);
  }

  /** A whole number operand or option; the node checks its range. */
  private static int count(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw Failure.usage("not a whole number: " + text);
    }
  }
}
