package dev.tally.ops.console;

import com.google.protobuf.Timestamp;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.Credits;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.FileCreditRequestResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantCreditsResponse;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;
import dev.tally.v1.SetPlanRequest;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.TransferRewardsResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The forms of an org's page, each one call with the user's key: redeem a code, move rewards, ask
 * for credits; for the org's owner key and operators also API keys; for operators plan, grants, own terms
 * ({@link OverridesForm}) and webhook endpoints ({@link WebhookEndpoints}). Each answers a {@link Notice} for the
 * form it came from; a refusal of the node is a notice too (the page stays usable), except that a
 * key the node no longer accepts or a node out of reach fails the whole request.
 */
final class OrgActions {

  /** The actions, by the last segment(s) of {@code /orgs/{org}/...}. */
  static final Set<String> ACTIONS = actions();
  /** Roles an operator or the org's owner may give a new org key. */
  private static final Set<String> KEY_ROLES = Set.of("metering", "reader", "owner");

  private OrgActions() {}

  private static Set<String> actions() {
    Set<String> actions = new java.util.HashSet<>(Set.of("redeem", "transfer", "requests", "keys", "keys/revoke", "plan",
        "grant", OverridesForm.ACTION));
    actions.addAll(WebhookEndpoints.ACTIONS);
    return Set.copyOf(actions);
  }

  /** The form (section) an action's notice belongs to. */
  static String form(String action) {
    if (WebhookEndpoints.ACTIONS.contains(action)) return "webhooks";
    return action.equals("keys/revoke") ? "keys" : action;
  }

  /** The heading of the page section an action's form is in: where the page opens after it. */
  static String section(String action) {
    return switch (action) {
      case "transfer" -> "referral-h";
      case "plan", "grant" -> "operate-h";
      case "keys/revoke" -> "keys-h";
      default -> form(action) + "-h";
    };
  }

  static Notice run(Session session, String orgId, String action, WebRequest request) throws IOException {
    TallyClient tally = session.tally();
    String form = form(action);
    try {
      return switch (action) {
        case "redeem" -> redeem(tally, orgId, request);
        case "transfer" -> transfer(tally, orgId, request);
        case "requests" -> fileRequest(tally, orgId, request);
        case "keys" -> createKey(tally, orgId, request);
        case "keys/revoke" -> revokeKey(tally, request);
        case "plan" -> setPlan(tally, orgId, request);
        case "grant" -> grant(tally, orgId, request);
        case OverridesForm.ACTION -> OverridesForm.run(tally, orgId, request);
        default -> {
          if (!WebhookEndpoints.ACTIONS.contains(action)) throw new IllegalStateException("no action " + action);
          yield WebhookEndpoints.run(tally, orgId, action, request);
        }
      };
    } catch (IllegalArgumentException e) {
      return Notice.failed(form, e.getMessage());
    } catch (TallyException e) {
      if (Routes.failsThePage(e)) throw e;
      return Notice.failed(form, Failures.forForm(e));
    }
  }

  private static Notice redeem(TallyClient tally, String orgId, WebRequest request) throws IOException {
    String code = request.field("code").strip();
    if (code.isEmpty()) throw new IllegalArgumentException("Type the code.");
    RedeemCodeResponse redeemed = tally.accounts().redeemCode(RedeemCodeRequest.newBuilder()
        .setOrgId(orgId).setCode(code).setRequestId(Ids.posted(request.field("request_id"))).build());
    if (redeemed.getReplayed()) {
      return Notice.done("redeem", "Code " + redeemed.getHint() + " was redeemed by this org before: nothing new.");
    }
    return Notice.done("redeem", "Redeemed " + redeemed.getHint() + ": " + Credits.withSeparators(redeemed.getAmount())
        + " credits added.");
  }

  private static Notice transfer(TallyClient tally, String orgId, WebRequest request) throws IOException {
    TransferRewardsResponse moved = tally.accounts().transferRewards(TransferRewardsRequest.newBuilder()
        .setOrgId(orgId).setRequestId(Ids.posted(request.field("request_id"))).build());
    return Notice.done("transfer", Credits.withSeparators(moved.getGrant().getAmount()) + " credits moved to the balance.");
  }

  private static Notice fileRequest(TallyClient tally, String orgId, WebRequest request) throws IOException {
    long amount = positiveCredits(request.field("amount"));
    FileCreditRequestResponse filed = tally.accounts().fileCreditRequest(FileCreditRequestRequest.newBuilder()
        .setOrgId(orgId).setRequestId(Ids.posted(request.field("request_id"))).setAmount(amount)
        .setReason(request.field("reason").strip()).build());
    return Notice.done("requests", (filed.getReplayed() ? "Already filed: request " : "Filed request ")
        + filed.getRequest().getNumber() + " for " + Credits.withSeparators(filed.getRequest().getAmount()) + " credits.");
  }

  private static Notice createKey(TallyClient tally, String orgId, WebRequest request) throws IOException {
    String role = request.field("role");
    if (!KEY_ROLES.contains(role)) throw new IllegalArgumentException("Pick metering, reader or owner.");
    CreateApiKeyResponse made = tally.accounts().createApiKey(CreateApiKeyRequest.newBuilder()
        .setRole(role).setOrgId(orgId).setLabel(request.field("label").strip())
        .setRequestId(Ids.posted(request.field("request_id"))).build());
    if (made.getReplayed()) {
      return Notice.failed("keys", "This form made key " + made.getHint() + " before; it is shown only once. "
          + "Revoke it and make another if it was not copied.");
    }
    return Notice.secret("keys", "Made " + role + " key " + made.getHint() + ".", List.of(made.getKey()));
  }

  private static Notice revokeKey(TallyClient tally, WebRequest request) throws IOException {
    String keyId = request.field("key_id");
    if (!keyId.matches("key_[0-9a-f]{1,64}")) throw new IllegalArgumentException("That is not a key id.");
    tally.accounts().revokeApiKey(keyId);
    return Notice.done("keys", "Revoked key " + keyId + ".");
  }

  private static Notice setPlan(TallyClient tally, String orgId, WebRequest request) throws IOException {
    var org = tally.accounts().setPlan(SetPlanRequest.newBuilder()
        .setOrgId(orgId).setPlan(request.field("plan")).setRequestId(Ids.posted(request.field("request_id"))).build());
    return Notice.done("plan", org.getNextPlan().isEmpty()
        ? "The org is on plan " + org.getPlan() + "."
        : "The org moves to plan " + org.getNextPlan() + " at the end of its billing period.");
  }

  private static Notice grant(TallyClient tally, String orgId, WebRequest request) throws IOException {
    long amount = positiveCredits(request.field("amount"));
    GrantCreditsRequest.Builder grant = GrantCreditsRequest.newBuilder().setOrgId(orgId)
        .setRequestId(Ids.posted(request.field("request_id"))).setKind(OperatorTools.grantKind(request.field("kind")))
        .setAmount(amount);
    Instant expires = afterDays(request.field("days"));
    if (expires != null) grant.setExpiresAt(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()));
    GrantCreditsResponse granted = tally.accounts().grantCredits(grant.build());
    return Notice.done("grant", "Granted " + Credits.withSeparators(granted.getGrant().getAmount()) + " credits as grant "
        + granted.getGrant().getGrantId() + ".");
  }

  /** More than 0 credits, as typed. */
  static long positiveCredits(String typed) {
    long amount = Credits.parse(typed);
    if (amount <= 0) throw new IllegalArgumentException("Give more than 0 credits.");
    return amount;
  }

  /** Now plus a number of whole days typed in a form (1 to 3650), or null when left empty. */
  static Instant afterDays(String typed) {
    if (typed.isBlank()) return null;
    int days;
    try {
      days = Integer.parseInt(typed.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Days must be a whole number.");
    }
    if (days < 1 || days > 3650) throw new IllegalArgumentException("Days must be 1 to 3650.");
    return Instant.now().plus(Duration.ofDays(days));
  }
}
