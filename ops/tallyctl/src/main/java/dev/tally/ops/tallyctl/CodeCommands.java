package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;

/** Redemption codes: generating a batch (admin key; the codes are printed once) and redeeming one for an org. */
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

  /** A whole number operand or option; the node checks its range. */
  private static int count(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw Failure.usage("not a whole number: " + text);
    }
  }
}
