package dev.tally.node.auth;

import static dev.tally.node.auth.Role.ADMIN;
import static dev.tally.node.auth.Role.METERING;
import static dev.tally.node.auth.Role.OWNER;
import static dev.tally.node.auth.Role.READER;

import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateWebhookEndpointRequest;
import dev.tally.v1.DeleteWebhookEndpointRequest;
import dev.tally.v1.ListWebhookDeliveriesRequest;
import dev.tally.v1.ListWebhookEndpointsRequest;
import dev.tally.v1.ReplayWebhookEventsRequest;
import dev.tally.v1.RotateWebhookSecretRequest;
import dev.tally.v1.UpdateWebhookEndpointRequest;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetOrgRequest;
import dev.tally.v1.GetReferralRequest;
import dev.tally.v1.GetStatementRequest;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListGrantsRequest;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListStatementsRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.SetPlanRequest;
import dev.tally.v1.VoidGrantRequest;
import dev.tally.v1.WatchAlertsRequest;
import io.grpc.MethodDescriptor;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who may make which call: the one table of every method of {@code tally.v1.Metering} and
 * {@code tally.v1.Accounts}, with the roles allowed and how the org is read from the request. An
 * org-bound key (metering, reader, owner) may only act on its own org; an admin key on any. An owner
 * key may do all its org's metering and reader keys may, and manage its org's keys. A method of
 * those services that is not here is refused to everyone. Other services (health, reflection) are open.
 */
public final class CallRules {

  /** The services whose calls need a key. */
  static final Set<String> GUARDED_SERVICES =
      Set.of(MeteringGrpc.SERVICE_NAME, AccountsGrpc.SERVICE_NAME);

  /** One method's rule: the roles that may call it, and the org its request acts on ("" for none: all orgs). */
  public record Rule(Set<Role> roles, Function<Object, String> orgOf) {
    /** Whether {@code principal} may make a call with this request. */
    boolean allows(Principal principal, Object request) {
      return roles.contains(principal.role()) && principal.mayActOn(orgOf.apply(request));
    }
  }

  private static final Map<String, Rule> RULES = Stream.of(
      rule(MeteringGrpc.getReserveMethod(), ReserveRequest::getOrgId, METERING, OWNER, ADMIN),
      rule(MeteringGrpc.getCommitMethod(), CommitRequest::getOrgId, METERING, OWNER, ADMIN),
      rule(MeteringGrpc.getReleaseMethod(), ReleaseRequest::getOrgId, METERING, OWNER, ADMIN),
      rule(MeteringGrpc.getChargeMethod(), ChargeRequest::getOrgId, METERING, OWNER, ADMIN),
      rule(MeteringGrpc.getExtendReservationMethod(), ExtendReservationRequest::getOrgId, METERING, OWNER, ADMIN),
      rule(MeteringGrpc.getGetBalanceMethod(), GetBalanceRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getCreateOrgMethod(), CreateOrgRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getGetOrgMethod(), GetOrgRequest::getOrgId, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getGrantCreditsMethod(), GrantCreditsRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getVoidGrantMethod(), VoidGrantRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getListLedgerMethod(), ListLedgerRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getListGrantsMethod(), ListGrantsRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getSetPlanMethod(), SetPlanRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getSetOverridesMethod(), SetOverridesRequest::getOrgId, ADMIN),
      // The catalog is the same for every org: a reader key of any org may read it.
      rule(AccountsGrpc.getListPlansMethod(), request -> null, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getListPriceBooksMethod(), request -> null, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getListPackagesMethod(), request -> null, READER, OWNER, ADMIN),
      // Credits an org pays for outside Tally: the platform's billing back end, with an admin key.
      rule(AccountsGrpc.getPurchasePackageMethod(), PurchasePackageRequest::getOrgId, ADMIN),
      // Codes are money: only an operator makes them; an org redeems with its own key.
      rule(AccountsGrpc.getCreateRedemptionCodesMethod(), request -> null, ADMIN),
      rule(AccountsGrpc.getListRedemptionCodesMethod(), request -> null, ADMIN),
      rule(AccountsGrpc.getVoidRedemptionCodeMethod(), request -> null, ADMIN),
      rule(AccountsGrpc.getVoidRedemptionBatchMethod(), request -> null, ADMIN),
      rule(AccountsGrpc.getRedeemCodeMethod(), RedeemCodeRequest::getOrgId, METERING, OWNER, ADMIN),
      // An org asks for credits with its own key and sees its own requests; an empty org id lists
      // every org's (admin only). Deciding grants credits: an operator's call.
      rule(AccountsGrpc.getFileCreditRequestMethod(), FileCreditRequestRequest::getOrgId, METERING, OWNER, ADMIN),
      rule(AccountsGrpc.getListCreditRequestsMethod(), ListCreditRequestsRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getDecideCreditRequestMethod(), DecideCreditRequestRequest::getOrgId, ADMIN),
      // An org's referral is its own: no key of another org reads its code or rewards. Moving rewards
      // changes its credits, so a reader key may only look. Rewards are credited by purchases only.
      rule(AccountsGrpc.getGetReferralMethod(), GetReferralRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getTransferRewardsMethod(), TransferRewardsRequest::getOrgId, METERING, OWNER, ADMIN),
      // An empty org id watches every org: only an admin key may.
      rule(AccountsGrpc.getWatchAlertsMethod(), WatchAlertsRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      // An org's past alerts are its own, like its ledger they are read from (issue 20).
      rule(AccountsGrpc.getListAlertsMethod(), dev.tally.v1.ListAlertsRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      // An org's owner key makes keys of its org (an admin key has no org: never one of an owner's); it revokes and
      // rotates only its org's keys, which the call checks (the request names the key, not its org): to an owner,
      // another org's key is not found.
      rule(AccountsGrpc.getCreateApiKeyMethod(), CreateApiKeyRequest::getOrgId, OWNER, ADMIN),
      rule(AccountsGrpc.getRevokeApiKeyMethod(), request -> null, OWNER, ADMIN),
      // A node leaving moves every org it hosts: an operator's call, not an org's.
      rule(AccountsGrpc.getLeaveClusterMethod(), request -> null, ADMIN),
      // Every node's address and state: the operators' view of the cluster, never an org's.
      rule(AccountsGrpc.getListClusterMembersMethod(), request -> null, ADMIN),
      rule(AccountsGrpc.getRotateApiKeyMethod(), request -> null, OWNER, ADMIN),
      // Every org's name, plan and money: the operators' directory, never an org's.
      rule(AccountsGrpc.getListOrgsMethod(), request -> null, ADMIN),
      rule(AccountsGrpc.getTopOrgsMethod(), request -> null, ADMIN),
      // An org's usage and statements are its own: any key of the org reads them (a dashboard's reader key, the
      // platform's metering key); an admin key any org's.
      rule(AccountsGrpc.getGetUsageMethod(), GetUsageRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getListStatementsMethod(), ListStatementsRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getGetStatementMethod(), GetStatementRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      // Webhook endpoints: an endpoint receives the org's events and its URL may carry the receiver's token. There
      // is no org-owner key (metering keys sit in AI services, reader keys in dashboards): the operator registers
      // them, for an org or for every org ("*"), on the org's behalf, and changes them. The org's own keys may look
      // at its endpoints (their URLs without the query, WebhookCalls) and at what was delivered to them, like its
      // ledger; the operator's "*" endpoints carry every org's events, so no org key names them.
      rule(AccountsGrpc.getCreateWebhookEndpointMethod(), CreateWebhookEndpointRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getListWebhookEndpointsMethod(), ListWebhookEndpointsRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getUpdateWebhookEndpointMethod(), UpdateWebhookEndpointRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getDeleteWebhookEndpointMethod(), DeleteWebhookEndpointRequest::getOrgId, ADMIN),
      rule(AccountsGrpc.getRotateWebhookSecretMethod(), RotateWebhookSecretRequest::getOrgId, ADMIN),
      // An endpoint's delivery log shows its org's event ids and its receiver's answers; a replay sends to its URL.
      rule(AccountsGrpc.getListWebhookDeliveriesMethod(), ListWebhookDeliveriesRequest::getOrgId, METERING, READER, OWNER, ADMIN),
      rule(AccountsGrpc.getReplayWebhookEventsMethod(), ReplayWebhookEventsRequest::getOrgId, ADMIN),
      // Keys of one org (its owner's too) or of all (admin): never an org's metering key or dashboard.
      rule(AccountsGrpc.getListApiKeysMethod(), ListApiKeysRequest::getOrgId, OWNER, ADMIN))
      .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

  private CallRules() {}

  /** The rule of a guarded method, by its full name ({@code tally.v1.Metering/Reserve}); empty when it has none. */
  public static Optional<Rule> of(String fullMethodName) {
    return Optional.ofNullable(RULES.get(fullMethodName));
  }

  static boolean guarded(String fullMethodName) {
    return GUARDED_SERVICES.contains(MethodDescriptor.extractFullServiceName(fullMethodName));
  }

  @SuppressWarnings("unchecked")
  private static <Q> Map.Entry<String, Rule> rule(
      MethodDescriptor<Q, ?> method, Function<Q, String> orgOf, Role... roles) {
    Set<Role> allowed = EnumSet.noneOf(Role.class);
    allowed.addAll(Set.of(roles));
    Function<Object, String> org = request -> orgOf.apply((Q) request);
    return Map.entry(method.getFullMethodName(), new Rule(Set.copyOf(allowed), org));
  }
}
