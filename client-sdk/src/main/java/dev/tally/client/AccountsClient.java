package dev.tally.client;

import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetOrgRequest;
import dev.tally.v1.GetReferralRequest;
import dev.tally.v1.Referral;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.TransferRewardsResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantCreditsResponse;
import dev.tally.v1.LeaveClusterRequest;
import dev.tally.v1.LeaveClusterResponse;
import dev.tally.v1.ListClusterMembersRequest;
import dev.tally.v1.ListClusterMembersResponse;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListApiKeysResponse;
import dev.tally.v1.ListGrantsRequest;
import dev.tally.v1.ListGrantsResponse;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.ListPackagesRequest;
import dev.tally.v1.ListPackagesResponse;
import dev.tally.v1.ListPlansRequest;
import dev.tally.v1.ListPlansResponse;
import dev.tally.v1.ListPriceBooksRequest;
import dev.tally.v1.ListPriceBooksResponse;
import dev.tally.v1.Org;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestResponse;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.FileCreditRequestResponse;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListCreditRequestsResponse;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;
import dev.tally.v1.PurchasePackageResponse;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RevokeApiKeyResponse;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.SetPlanRequest;
import dev.tally.v1.VoidGrantRequest;
import dev.tally.v1.VoidGrantResponse;
import dev.tally.v1.WatchAlertsRequest;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The control plane (the {@code Accounts} service): orgs, grants, packages, plans, overrides, the
 * ledger and alerts, for operators and billing back ends. Get it from {@link TallyClient#accounts()}; it shares
 * the client's channel, balancing, retries, deadline and credentials. Like the metering calls, every
 * call has a blocking and an {@code ...Async} form, fails with a typed {@link TallyException}, and
 * every mutation gets a fresh {@code request_id} unless the request carries one.
 */
public final class AccountsClient {

  /** A running {@link #watchAlerts} stream; closing it ends the stream. */
  public interface AlertWatch extends AutoCloseable {
    @Override
    void close();
  }

  private final Calls calls;

  AccountsClient(Calls calls) {
    this.calls = calls;
  }

  /**
   * Opens an org's account; creating one that exists with the same name, plan and referral code
   * returns it. A {@code referral_code} (another org's, from {@link #getReferral}) records that org as
   * this one's referrer for good; an unknown code fails with reason REFERRAL_CODE_NOT_FOUND, the
   * org's own with SELF_REFERRAL.
   */
  public Org createOrg(CreateOrgRequest request) {
    return calls.blocking(AccountsGrpc.getCreateOrgMethod(), Calls.identified(request));
  }

  /** Async form of {@link #createOrg}. */
  public CompletableFuture<Org> createOrgAsync(CreateOrgRequest request) {
    return calls.async(AccountsGrpc.getCreateOrgMethod(), Calls.identified(request));
  }

  /** Reads an org. */
  public Org getOrg(String orgId) {
    return calls.blocking(AccountsGrpc.getGetOrgMethod(), GetOrgRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Async form of {@link #getOrg}. */
  public CompletableFuture<Org> getOrgAsync(String orgId) {
    return calls.async(AccountsGrpc.getGetOrgMethod(), GetOrgRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Gives credits to an org. */
  public GrantCreditsResponse grantCredits(GrantCreditsRequest request) {
    return calls.blocking(AccountsGrpc.getGrantCreditsMethod(), Calls.identified(request));
  }

  /** Async form of {@link #grantCredits}. */
  public CompletableFuture<GrantCreditsResponse> grantCreditsAsync(GrantCreditsRequest request) {
    return calls.async(AccountsGrpc.getGrantCreditsMethod(), Calls.identified(request));
  }

  /** Takes back the remaining credits of a grant. */
  public VoidGrantResponse voidGrant(VoidGrantRequest request) {
    return calls.blocking(AccountsGrpc.getVoidGrantMethod(), Calls.identified(request));
  }

  /** Async form of {@link #voidGrant}. */
  public CompletableFuture<VoidGrantResponse> voidGrantAsync(VoidGrantRequest request) {
    return calls.async(AccountsGrpc.getVoidGrantMethod(), Calls.identified(request));
  }

  /** One page of an org's ledger, oldest first. */
  public ListLedgerResponse listLedger(ListLedgerRequest request) {
    return calls.blocking(AccountsGrpc.getListLedgerMethod(), request);
  }

  /** Async form of {@link #listLedger}. */
  public CompletableFuture<ListLedgerResponse> listLedgerAsync(ListLedgerRequest request) {
    return calls.async(AccountsGrpc.getListLedgerMethod(), request);
  }

  /**
   * Every entry of an org's ledger, oldest first: pages of {@link #LEDGER_PAGE} entries are read as the
   * stream is consumed, each with a blocking {@link #listLedger} call, so a long ledger is never held at once.
   */
  public Stream<LedgerEntry> ledger(String orgId) {
    return Stream.iterate(ledgerPage(orgId, ""), page -> page != null,
            page -> page.getNextPageToken().isEmpty() ? null : ledgerPage(orgId, page.getNextPageToken()))
        .flatMap(page -> page.getEntriesList().stream());
  }

  /** The largest page ListLedger returns. */
  public static final int LEDGER_PAGE = 1000;

  private ListLedgerResponse ledgerPage(String orgId, String token) {
    return listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(LEDGER_PAGE).setPageToken(token).build());
  }

  /**
   * One page of an org's past alerts, newest first (optionally of some kinds only). A page may hold
   * fewer alerts than asked for, even none, and still have a next page token: one call reads at most
   * 10,000 of the org's events.
   */
  public dev.tally.v1.ListAlertsResponse listAlerts(dev.tally.v1.ListAlertsRequest request) {
    return calls.blocking(AccountsGrpc.getListAlertsMethod(), request);
  }

  /** Async form of {@link #listAlerts}. */
  public CompletableFuture<dev.tally.v1.ListAlertsResponse> listAlertsAsync(dev.tally.v1.ListAlertsRequest request) {
    return calls.async(AccountsGrpc.getListAlertsMethod(), request);
  }

  /**
   * One page of an org's grants, active and finished (used up, expired, voided), in the order they
   * were given, each with what was used, remaining, expired and voided.
   */
  public ListGrantsResponse listGrants(ListGrantsRequest request) {
    return calls.blocking(AccountsGrpc.getListGrantsMethod(), request);
  }

  /** Async form of {@link #listGrants}. */
  public CompletableFuture<ListGrantsResponse> listGrantsAsync(ListGrantsRequest request) {
    return calls.async(AccountsGrpc.getListGrantsMethod(), request);
  }

  /** Moves an org to another plan. */
  public Org setPlan(SetPlanRequest request) {
    return calls.blocking(AccountsGrpc.getSetPlanMethod(), Calls.identified(request));
  }

  /** Async form of {@link #setPlan}. */
  public CompletableFuture<Org> setPlanAsync(SetPlanRequest request) {
    return calls.async(AccountsGrpc.getSetPlanMethod(), Calls.identified(request));
  }

  /** Sets or clears an org's own limits, price multiplier and alert settings. */
  public Org setOverrides(SetOverridesRequest request) {
    return calls.blocking(AccountsGrpc.getSetOverridesMethod(), Calls.identified(request));
  }

  /** Async form of {@link #setOverrides}. */
  public CompletableFuture<Org> setOverridesAsync(SetOverridesRequest request) {
    return calls.async(AccountsGrpc.getSetOverridesMethod(), Calls.identified(request));
  }

  /**
   * Makes an API key (needs an admin key). The response holds the key itself, its hint and its key id
   * (for {@link #revokeApiKey}, {@link #rotateApiKey}). The request gets a fresh {@code request_id}
   * unless it carries one, and retries repeat it, so a retry makes no second key; but the key is
   * shown once: a response to a retry whose first answer was lost has {@code replayed} set and no
   * key. Revoke that key id and make another key then.
   */
  public CreateApiKeyResponse createApiKey(CreateApiKeyRequest request) {
    return calls.blocking(AccountsGrpc.getCreateApiKeyMethod(), Calls.identified(request));
  }

  /** Async form of {@link #createApiKey}. */
  public CompletableFuture<CreateApiKeyResponse> createApiKeyAsync(CreateApiKeyRequest request) {
    return calls.async(AccountsGrpc.getCreateApiKeyMethod(), Calls.identified(request));
  }

  /** Revokes the API key with this id (needs an admin key); every node refuses it within the node's key cache TTL. */
  public void revokeApiKey(String keyId) {
    calls.blocking(AccountsGrpc.getRevokeApiKeyMethod(), RevokeApiKeyRequest.newBuilder().setKeyId(keyId).build());
  }

  /** Async form of {@link #revokeApiKey}. */
  public CompletableFuture<RevokeApiKeyResponse> revokeApiKeyAsync(String keyId) {
    return calls.async(AccountsGrpc.getRevokeApiKeyMethod(), RevokeApiKeyRequest.newBuilder().setKeyId(keyId).build());
  }

  /**
   * Makes a cluster member leave (needs an admin key): its orgs move to the other nodes, then it stops.
   * {@code member} is its address ({@code pekko://tally@host:port}), {@code tally@host:port} or
   * {@code host:port}; the answer has its full address. Fails with reason MEMBER_NOT_FOUND when the
   * cluster has no such member.
   */
  public LeaveClusterResponse leaveCluster(String member) {
    return calls.blocking(AccountsGrpc.getLeaveClusterMethod(), LeaveClusterRequest.newBuilder().setMember(member).build());
  }

  /** Async form of {@link #leaveCluster}. */
  public CompletableFuture<LeaveClusterResponse> leaveClusterAsync(String member) {
    return calls.async(AccountsGrpc.getLeaveClusterMethod(), LeaveClusterRequest.newBuilder().setMember(member).build());
  }

  /**
   * The cluster's members as the node that answers sees them (needs an admin key): address, status,
   * reachability, roles, and readiness as far as that node knows (its own, exactly; the others', from
   * the cluster's view).
   */
  public ListClusterMembersResponse listClusterMembers() {
    return calls.blocking(AccountsGrpc.getListClusterMembersMethod(), ListClusterMembersRequest.getDefaultInstance());
  }

  /** Async form of {@link #listClusterMembers}. */
  public CompletableFuture<ListClusterMembersResponse> listClusterMembersAsync() {
    return calls.async(AccountsGrpc.getListClusterMembersMethod(), ListClusterMembersRequest.getDefaultInstance());
  }

  /**
   * Replaces an API key (needs an admin key): a new key with the same role, org, label and expiry,
   * shown once as in {@link #createApiKey}, while the old one keeps working until the end of the
   * request's {@code grace_period} (24 h when unset). Same {@code request_id} handling as
   * {@link #createApiKey}.
   */
  public RotateApiKeyResponse rotateApiKey(RotateApiKeyRequest request) {
    return calls.blocking(AccountsGrpc.getRotateApiKeyMethod(), Calls.identified(request));
  }

  /** Async form of {@link #rotateApiKey}. */
  public CompletableFuture<RotateApiKeyResponse> rotateApiKeyAsync(RotateApiKeyRequest request) {
    return calls.async(AccountsGrpc.getRotateApiKeyMethod(), Calls.identified(request));
  }

  /** One page of API keys, of one org or all (needs an admin key): ids, hints, roles and times, never the keys. */
  public ListApiKeysResponse listApiKeys(ListApiKeysRequest request) {
    return calls.blocking(AccountsGrpc.getListApiKeysMethod(), request);
  }

  /** Async form of {@link #listApiKeys}. */
  public CompletableFuture<ListApiKeysResponse> listApiKeysAsync(ListApiKeysRequest request) {
    return calls.async(AccountsGrpc.getListApiKeysMethod(), request);
  }

  /** The plan catalog. */
  public ListPlansResponse listPlans() {
    return calls.blocking(AccountsGrpc.getListPlansMethod(), ListPlansRequest.getDefaultInstance());
  }

  /** Async form of {@link #listPlans}. */
  public CompletableFuture<ListPlansResponse> listPlansAsync() {
    return calls.async(AccountsGrpc.getListPlansMethod(), ListPlansRequest.getDefaultInstance());
  }

  /** The credit package catalog: what {@link #purchasePackage} sells. */
  public ListPackagesResponse listPackages() {
    return calls.blocking(AccountsGrpc.getListPackagesMethod(), ListPackagesRequest.getDefaultInstance());
  }

  /** Async form of {@link #listPackages}. */
  public CompletableFuture<ListPackagesResponse> listPackagesAsync() {
    return calls.async(AccountsGrpc.getListPackagesMethod(), ListPackagesRequest.getDefaultInstance());
  }

  /**
   * Grants a paid package's credits to an org (needs an admin key), once per payment reference:
   * call it for every payment notification, duplicates and late resends included; a resend answers
   * the recorded grant with {@code replayed} set and grants nothing. The payment reference is the
   * idempotency key (there is no request id), so retries are safe. Fails with
   * {@link PaymentReferenceReusedException} when the reference was used for another org, package or
   * amount, and with reason PACKAGE_NOT_FOUND or PACKAGE_NOT_ELIGIBLE when the catalog or the org's
   * plan does not allow the purchase.
   */
  public PurchasePackageResponse purchasePackage(PurchasePackageRequest request) {
    return calls.blocking(AccountsGrpc.getPurchasePackageMethod(), request);
  }

  /** Async form of {@link #purchasePackage}. */
  public CompletableFuture<PurchasePackageResponse> purchasePackageAsync(PurchasePackageRequest request) {
    return calls.async(AccountsGrpc.getPurchasePackageMethod(), request);
  }

  /**
   * Generates a batch of redemption codes (needs an admin key). The codes are in this answer only:
   * Tally keeps their hashes. A retry with the same request id makes no second batch and shows no codes
   * ({@code replayed} set, hints only).
   */
  public CreateRedemptionCodesResponse createRedemptionCodes(CreateRedemptionCodesRequest request) {
    return calls.blocking(AccountsGrpc.getCreateRedemptionCodesMethod(), request);
  }

  /** Async form of {@link #createRedemptionCodes}. */
  public CompletableFuture<CreateRedemptionCodesResponse> createRedemptionCodesAsync(CreateRedemptionCodesRequest request) {
    return calls.async(AccountsGrpc.getCreateRedemptionCodesMethod(), request);
  }

  /**
   * Redeems a code for an org (its metering key, or an admin key): a REDEMPTION grant, once per code
   * and org; redeeming again answers the recorded redemption with {@code replayed} set. Fails with
   * {@link RedemptionCodeNotFoundException}, {@link RedemptionCodeExpiredException},
   * {@link RedemptionCodeUsedUpException} or {@link RedemptionCodeVoidedException}, and with
   * {@link RateLimitedException} after too many wrong codes from the org.
   */
  public RedeemCodeResponse redeemCode(RedeemCodeRequest request) {
    return calls.blocking(AccountsGrpc.getRedeemCodeMethod(), request);
  }

  /** Async form of {@link #redeemCode}. */
  public CompletableFuture<RedeemCodeResponse> redeemCodeAsync(RedeemCodeRequest request) {
    return calls.async(AccountsGrpc.getRedeemCodeMethod(), request);
  }

  /**
   * Files a credit request for an org (its metering key, or an admin key): allowed once the org has
   * used 80 % of its period's alert base, at most 3 open at a time. Resending the same request id with
   * the same amount and reason answers the filed request with {@code replayed} set. Fails with reason
   * CREDIT_REQUEST_BELOW_THRESHOLD or CREDIT_REQUESTS_OPEN_LIMIT ({@link TallyException#reason()}),
   * and with {@link IdempotencyMismatchException} for a request id that filed another request.
   */
  public FileCreditRequestResponse fileCreditRequest(FileCreditRequestRequest request) {
    return calls.blocking(AccountsGrpc.getFileCreditRequestMethod(), request);
  }

  /** Async form of {@link #fileCreditRequest}. */
  public CompletableFuture<FileCreditRequestResponse> fileCreditRequestAsync(FileCreditRequestRequest request) {
    return calls.async(AccountsGrpc.getFileCreditRequestMethod(), request);
  }

  /**
   * A page of credit requests: one org's, newest first (its own keys, or an admin key), or with no
   * org id every org's, open ones first (admin key).
   */
  public ListCreditRequestsResponse listCreditRequests(ListCreditRequestsRequest request) {
    return calls.blocking(AccountsGrpc.getListCreditRequestsMethod(), request);
  }

  /** Async form of {@link #listCreditRequests}. */
  public CompletableFuture<ListCreditRequestsResponse> listCreditRequestsAsync(ListCreditRequestsRequest request) {
    return calls.async(AccountsGrpc.getListCreditRequestsMethod(), request);
  }

  /**
   * Approves (a PROMOTION grant of the amount asked for, exactly once) or denies an org's credit
   * request (needs an admin key). Deciding again the same way answers the decision with
   * {@code replayed} set and grants nothing more, so a retry is safe. Fails with reason
   * CREDIT_REQUEST_NOT_FOUND, or CREDIT_REQUEST_DECIDED when it was decided the other way.
   */
  public DecideCreditRequestResponse decideCreditRequest(DecideCreditRequestRequest request) {
    return calls.blocking(AccountsGrpc.getDecideCreditRequestMethod(), request);
  }

  /** Async form of {@link #decideCreditRequest}. */
  public CompletableFuture<DecideCreditRequestResponse> decideCreditRequestAsync(DecideCreditRequestRequest request) {
    return calls.async(AccountsGrpc.getDecideCreditRequestMethod(), request);
  }

  /**
   * An org's referral (its own metering or reader key, or an admin key): its referral code, which
   * another org's {@link #createOrg} may carry ({@code referral_code}) to record this org as its
   * referrer, whether it was referred itself, and its rewards. The reward balance is not spendable
   * until {@link #transferRewards}.
   */
  public Referral getReferral(String orgId) {
    return calls.blocking(AccountsGrpc.getGetReferralMethod(), GetReferralRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Async form of {@link #getReferral}. */
  public CompletableFuture<Referral> getReferralAsync(String orgId) {
    return calls.async(AccountsGrpc.getGetReferralMethod(), GetReferralRequest.newBuilder().setOrgId(orgId).build());
  }

  /**
   * Moves an org's whole reward balance into a REFERRAL grant (its metering key, or an admin key),
   * once per request id: retries of the call answer the same grant. Fails with reason
   * NO_REWARDS_TO_TRANSFER ({@link TallyException#reason()}) when the balance is empty.
   */
  public TransferRewardsResponse transferRewards(String orgId) {
    return transferRewards(TransferRewardsRequest.newBuilder().setOrgId(orgId).build());
  }

  /** {@link #transferRewards(String)} with the caller's request id, when it has one to reuse across runs. */
  public TransferRewardsResponse transferRewards(TransferRewardsRequest request) {
    return calls.blocking(AccountsGrpc.getTransferRewardsMethod(), Calls.identified(request));
  }

  /** Async form of {@link #transferRewards(String)}. */
  public CompletableFuture<TransferRewardsResponse> transferRewardsAsync(String orgId) {
    return calls.async(AccountsGrpc.getTransferRewardsMethod(),
        Calls.identified(TransferRewardsRequest.newBuilder().setOrgId(orgId).build()));
  }

  /**
   * A page of redemption codes of a batch or a label (needs an admin key): ids and hints, never the
   * codes. {@link RedemptionBatchNotFoundException} for an unknown batch.
   */
  public dev.tally.v1.ListRedemptionCodesResponse listRedemptionCodes(dev.tally.v1.ListRedemptionCodesRequest request) {
    return calls.blocking(AccountsGrpc.getListRedemptionCodesMethod(), request);
  }

  /** Async form of {@link #listRedemptionCodes}. */
  public CompletableFuture<dev.tally.v1.ListRedemptionCodesResponse> listRedemptionCodesAsync(
      dev.tally.v1.ListRedemptionCodesRequest request) {
    return calls.async(AccountsGrpc.getListRedemptionCodesMethod(), request);
  }

  /**
   * A page of the org directory (needs an admin key): every org with its plan and credits, from the
   * read side, a few seconds behind the ledger. Filter by plan or state; read on with the page token.
   */
  public dev.tally.v1.ListOrgsResponse listOrgs(dev.tally.v1.ListOrgsRequest request) {
    return calls.blocking(AccountsGrpc.getListOrgsMethod(), request);
  }

  /** Async form of {@link #listOrgs}. */
  public CompletableFuture<dev.tally.v1.ListOrgsResponse> listOrgsAsync(dev.tally.v1.ListOrgsRequest request) {
    return calls.async(AccountsGrpc.getListOrgsMethod(), request);
  }

  /** The orgs that used the most in their current period, most first (needs an admin key), from the read side. */
  public dev.tally.v1.TopOrgsResponse topOrgs(dev.tally.v1.TopOrgsRequest request) {
    return calls.blocking(AccountsGrpc.getTopOrgsMethod(), request);
  }

  /** Async form of {@link #topOrgs}. */
  public CompletableFuture<dev.tally.v1.TopOrgsResponse> topOrgsAsync(dev.tally.v1.TopOrgsRequest request) {
    return calls.async(AccountsGrpc.getTopOrgsMethod(), request);
  }

  /**
   * A page of one org's usage report (a metering or reader key of the org, or an admin key): charged
   * credits, tokens and calls by hour, day or month and by model, call type, project, user or API
   * key, from the read side, a few seconds behind the ledger. Read on with the page token.
   */
  public dev.tally.v1.GetUsageResponse getUsage(dev.tally.v1.GetUsageRequest request) {
    return calls.blocking(AccountsGrpc.getGetUsageMethod(), request);
  }

  /** Async form of {@link #getUsage}. */
  public CompletableFuture<dev.tally.v1.GetUsageResponse> getUsageAsync(dev.tally.v1.GetUsageRequest request) {
    return calls.async(AccountsGrpc.getGetUsageMethod(), request);
  }

  /**
   * A page of one org's statements, newest period first (a metering or reader key of the org, or an
   * admin key): per billing period the opening and closing balance, grants by kind, usage by model
   * and call type, expiries, voids and debt. The current period's is open. Read on with the page token.
   */
  public dev.tally.v1.ListStatementsResponse listStatements(dev.tally.v1.ListStatementsRequest request) {
    return calls.blocking(AccountsGrpc.getListStatementsMethod(), request);
  }

  /** Async form of {@link #listStatements}. */
  public CompletableFuture<dev.tally.v1.ListStatementsResponse> listStatementsAsync(
      dev.tally.v1.ListStatementsRequest request) {
    return calls.async(AccountsGrpc.getListStatementsMethod(), request);
  }

  /** One statement by its period's start; a {@link TallyException} with reason STATEMENT_NOT_FOUND when there is none. */
  public dev.tally.v1.Statement getStatement(dev.tally.v1.GetStatementRequest request) {
    return calls.blocking(AccountsGrpc.getGetStatementMethod(), request);
  }

  /** Async form of {@link #getStatement}. */
  public CompletableFuture<dev.tally.v1.Statement> getStatementAsync(dev.tally.v1.GetStatementRequest request) {
    return calls.async(AccountsGrpc.getGetStatementMethod(), request);
  }

  /**
   * Voids one redemption code by its id or text (needs an admin key); voiding it again changes
   * nothing. {@link RedemptionCodeNotFoundException} for an unknown code.
   */
  public dev.tally.v1.VoidRedemptionCodeResponse voidRedemptionCode(dev.tally.v1.VoidRedemptionCodeRequest request) {
    return calls.blocking(AccountsGrpc.getVoidRedemptionCodeMethod(), request);
  }

  /** Async form of {@link #voidRedemptionCode}. */
  public CompletableFuture<dev.tally.v1.VoidRedemptionCodeResponse> voidRedemptionCodeAsync(
      dev.tally.v1.VoidRedemptionCodeRequest request) {
    return calls.async(AccountsGrpc.getVoidRedemptionCodeMethod(), request);
  }

  /**
   * Voids one page (at most 100) of a batch's codes (needs an admin key); call again with
   * {@code next_page_token} until it is empty. {@link RedemptionBatchNotFoundException} for an unknown batch.
   */
  public dev.tally.v1.VoidRedemptionBatchResponse voidRedemptionBatch(dev.tally.v1.VoidRedemptionBatchRequest request) {
    return calls.blocking(AccountsGrpc.getVoidRedemptionBatchMethod(), request);
  }

  /** Async form of {@link #voidRedemptionBatch}. */
  public CompletableFuture<dev.tally.v1.VoidRedemptionBatchResponse> voidRedemptionBatchAsync(
      dev.tally.v1.VoidRedemptionBatchRequest request) {
    return calls.async(AccountsGrpc.getVoidRedemptionBatchMethod(), request);
  }

  /** The price books the nodes price with. */
  public ListPriceBooksResponse listPriceBooks() {
    return calls.blocking(AccountsGrpc.getListPriceBooksMethod(), ListPriceBooksRequest.getDefaultInstance());
  }

  /** Async form of {@link #listPriceBooks}. */
  public CompletableFuture<ListPriceBooksResponse> listPriceBooksAsync() {
    return calls.async(AccountsGrpc.getListPriceBooksMethod(), ListPriceBooksRequest.getDefaultInstance());
  }

  /**
   * Streams the alerts of one org ({@code request.org_id}), or of all orgs, raised anywhere in the
   * cluster while the stream is open. {@code alerts} gets them on gRPC's threads, and a
   * {@link TallyException} if the stream fails.
   */
  public AlertWatch watchAlerts(WatchAlertsRequest request, StreamObserver<Alert> alerts) {
    Runnable cancel = calls.stream(AccountsGrpc.getWatchAlertsMethod(), request, alerts);
    return cancel::run;
  }

  /**
   * Resumes a watch of {@code orgId} after a disconnect: {@code alerts} gets the org's alerts raised
   * after the one whose {@link Alert#getEventId() event id} is {@code afterEventId} (the last one it
   * received), each once and in order, then the live ones. Keep the event id of each alert handled to
   * resume from it. An empty {@code afterEventId} watches live alerts only.
   */
  public AlertWatch watchAlerts(String orgId, String afterEventId, StreamObserver<Alert> alerts) {
    return watchAlerts(WatchAlertsRequest.newBuilder().setOrgId(orgId).setAfterEventId(afterEventId).build(), alerts);
  }
  // ---- Webhook endpoints (issue 19 item 1): admin keys only; org id "*" for the operator's endpoints for every org.

  /**
   * Registers a webhook endpoint; the response's secret ({@code whsec_...}) is shown this once. Check
   * the requests it receives with {@link Webhooks#verify}.
   */
  public dev.tally.v1.CreateWebhookEndpointResponse createWebhookEndpoint(dev.tally.v1.CreateWebhookEndpointRequest request) {
    return calls.blocking(AccountsGrpc.getCreateWebhookEndpointMethod(), request);
  }

  /** Async form of {@link #createWebhookEndpoint}. */
  public CompletableFuture<dev.tally.v1.CreateWebhookEndpointResponse> createWebhookEndpointAsync(
      dev.tally.v1.CreateWebhookEndpointRequest request) {
    return calls.async(AccountsGrpc.getCreateWebhookEndpointMethod(), request);
  }

  /** An org's webhook endpoints (or the operator's, org id "*"), without secrets. */
  public dev.tally.v1.ListWebhookEndpointsResponse listWebhookEndpoints(String orgId) {
    return calls.blocking(AccountsGrpc.getListWebhookEndpointsMethod(),
        dev.tally.v1.ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Async form of {@link #listWebhookEndpoints}. */
  public CompletableFuture<dev.tally.v1.ListWebhookEndpointsResponse> listWebhookEndpointsAsync(String orgId) {
    return calls.async(AccountsGrpc.getListWebhookEndpointsMethod(),
        dev.tally.v1.ListWebhookEndpointsRequest.newBuilder().setOrgId(orgId).build());
  }

  /** Changes what the request sets of an endpoint: URL, event types, description, enabled. */
  public dev.tally.v1.UpdateWebhookEndpointResponse updateWebhookEndpoint(dev.tally.v1.UpdateWebhookEndpointRequest request) {
    return calls.blocking(AccountsGrpc.getUpdateWebhookEndpointMethod(), request);
  }

  /** Async form of {@link #updateWebhookEndpoint}. */
  public CompletableFuture<dev.tally.v1.UpdateWebhookEndpointResponse> updateWebhookEndpointAsync(
      dev.tally.v1.UpdateWebhookEndpointRequest request) {
    return calls.async(AccountsGrpc.getUpdateWebhookEndpointMethod(), request);
  }

  /** Removes an endpoint. */
  public dev.tally.v1.DeleteWebhookEndpointResponse deleteWebhookEndpoint(dev.tally.v1.DeleteWebhookEndpointRequest request) {
    return calls.blocking(AccountsGrpc.getDeleteWebhookEndpointMethod(), request);
  }

  /** Async form of {@link #deleteWebhookEndpoint}. */
  public CompletableFuture<dev.tally.v1.DeleteWebhookEndpointResponse> deleteWebhookEndpointAsync(
      dev.tally.v1.DeleteWebhookEndpointRequest request) {
    return calls.async(AccountsGrpc.getDeleteWebhookEndpointMethod(), request);
  }

  /** Makes a new signing secret (shown this once); the old one keeps signing beside it for the overlap. */
  public dev.tally.v1.RotateWebhookSecretResponse rotateWebhookSecret(dev.tally.v1.RotateWebhookSecretRequest request) {
    return calls.blocking(AccountsGrpc.getRotateWebhookSecretMethod(), request);
  }

  /** Async form of {@link #rotateWebhookSecret}. */
  public CompletableFuture<dev.tally.v1.RotateWebhookSecretResponse> rotateWebhookSecretAsync(
      dev.tally.v1.RotateWebhookSecretRequest request) {
    return calls.async(AccountsGrpc.getRotateWebhookSecretMethod(), request);
  }

  /** An endpoint's delivery log, newest first: each attempt's time, HTTP status, latency and error (kept 7 days). */
  public dev.tally.v1.ListWebhookDeliveriesResponse listWebhookDeliveries(dev.tally.v1.ListWebhookDeliveriesRequest request) {
    return calls.blocking(AccountsGrpc.getListWebhookDeliveriesMethod(), request);
  }

  /** Async form of {@link #listWebhookDeliveries}. */
  public CompletableFuture<dev.tally.v1.ListWebhookDeliveriesResponse> listWebhookDeliveriesAsync(
      dev.tally.v1.ListWebhookDeliveriesRequest request) {
    return calls.async(AccountsGrpc.getListWebhookDeliveriesMethod(), request);
  }

  /** Sends one event, or an org's events of a time range, to an endpoint again, with their ids. */
  public dev.tally.v1.ReplayWebhookEventsResponse replayWebhookEvents(dev.tally.v1.ReplayWebhookEventsRequest request) {
    return calls.blocking(AccountsGrpc.getReplayWebhookEventsMethod(), request);
  }

  /** Async form of {@link #replayWebhookEvents}. */
  public CompletableFuture<dev.tally.v1.ReplayWebhookEventsResponse> replayWebhookEventsAsync(
      dev.tally.v1.ReplayWebhookEventsRequest request) {
    return calls.async(AccountsGrpc.getReplayWebhookEventsMethod(), request);
  }
}
