package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.balance;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgAccount.AlertNotice;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Outcome.Done;
import dev.tally.node.cluster.Membership;
import dev.tally.node.notify.Deliveries;
import dev.tally.node.notify.EndpointUrls;
import dev.tally.node.notify.WebhookEvent;
import dev.tally.node.code.WrongCodeThrottle;
import dev.tally.node.creditrequest.CreditRequestTable;
import dev.tally.node.usage.OrgDirectory;
import dev.tally.node.usage.OrgJournals;
import dev.tally.node.usage.StatementReports;
import dev.tally.node.usage.UsageReports;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.terms.PackageCatalog;
import dev.tally.node.terms.Terms;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Alert;
import dev.tally.v1.CreateApiKeyRequest;
import dev.tally.v1.CreateApiKeyResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.CreateRedemptionCodesRequest;
import dev.tally.v1.CreateRedemptionCodesResponse;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestResponse;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.FileCreditRequestResponse;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListCreditRequestsResponse;
import dev.tally.v1.GetOrgRequest;
import dev.tally.v1.GetReferralRequest;
import dev.tally.v1.Referral;
import dev.tally.v1.TransferRewardsRequest;
import dev.tally.v1.TransferRewardsResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantCreditsResponse;
import dev.tally.v1.LeaveClusterRequest;
import dev.tally.v1.LeaveClusterResponse;
import dev.tally.v1.ListApiKeysRequest;
import dev.tally.v1.ListApiKeysResponse;
import dev.tally.v1.ListGrantsRequest;
import dev.tally.v1.ListGrantsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.ListPackagesRequest;
import dev.tally.v1.ListPackagesResponse;
import dev.tally.v1.ListPlansRequest;
import dev.tally.v1.ListPlansResponse;
import dev.tally.v1.ListPriceBooksRequest;
import dev.tally.v1.ListPriceBooksResponse;
import dev.tally.v1.Org;
import dev.tally.v1.PurchasePackageRequest;
import dev.tally.v1.PurchasePackageResponse;
import dev.tally.v1.RedeemCodeRequest;
import dev.tally.v1.RedeemCodeResponse;
import dev.tally.v1.RevokeApiKeyRequest;
import dev.tally.v1.RevokeApiKeyResponse;
import dev.tally.v1.RotateApiKeyRequest;
import dev.tally.v1.RotateApiKeyResponse;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.SetPlanRequest;
import dev.tally.v1.VoidGrantRequest;
import dev.tally.v1.VoidGrantResponse;
import dev.tally.v1.WatchAlertsRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** The control plane: open orgs, grant and void credits, sell packages, redeem codes, referrals, take credit requests, register webhook endpoints, read the ledger, make a node leave (accounts.proto). */
public final class AccountsService extends AccountsGrpc.AccountsImplBase {

  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;
  /** Grants per ListGrants page: keeps an entity's reply to a node across the cluster small. */
  static final int MAX_GRANTS_PAGE_SIZE = 100;

  private final OrgCalls calls;
  private final ActorSystem<?> system;
  private final CassandraReadJournal journal;
  /** What a resumed WatchAlerts reads, on the read side's session. */
  private final OrgJournals orgJournals;
  /** ListAlerts: an org's past alerts, newest first, from its journal. */
  private final AlertHistory alertHistory;
  private final Clock clock;
  private final Terms terms;
  private final ActorRef<Topic.Command<AlertNotice>> alerts;
  private final AtomicLong watches = new AtomicLong();
  private final ApiKeyCalls keyCalls;
  private final Membership members;
  private final PackageCalls packages;
  private final CodeCalls codes;
  private final CreditRequestCalls creditRequests;
  private final ReferralCalls referrals;
  private final CodeAdminCalls codeAdmin;
  private final DirectoryCalls directory;
  private final UsageCalls usage;
  private final StatementCalls statements;
  private final WebhookCalls webhooks;

  /** What PurchasePackage needs: the sharding its payment references live in, the package catalog, how long to wait. */
  public record Purchases(ClusterSharding sharding, PackageCatalog catalog, java.time.Duration timeout) {}

  /** What the redemption code calls need besides the purchases' sharding and timeout: the throttle of wrong guesses. */
  public record Codes(WrongCodeThrottle throttle) {}

  /** @param clock the accounts' clock, against which a grant's expiry must lie in the future */
  public AccountsService(OrgBatcher batcher, ActorSystem<?> system, Terms terms,
      ActorRef<Topic.Command<AlertNotice>> alerts, Clock clock, ApiKeyRegistry keys, Membership members,
      Purchases purchases, Codes codes, CreditRequestTable creditRequestTable, OrgDirectory directory,
      UsageReports usage, StatementReports statements, EndpointUrls webhookUrls, Deliveries deliveries) {
    this.calls = new OrgCalls(batcher);
    this.packages = new PackageCalls(batcher, purchases.sharding(), purchases.catalog(), purchases.timeout());
    this.codes = new CodeCalls(purchases.sharding(), codes.throttle(), clock, purchases.timeout());
    this.creditRequests = new CreditRequestCalls(batcher, purchases.sharding(), creditRequestTable, purchases.timeout());
    this.referrals = new ReferralCalls(batcher, purchases.sharding(), purchases.timeout());
    this.codeAdmin = new CodeAdminCalls(purchases.sharding(), purchases.timeout());
    this.directory = new DirectoryCalls(directory, clock);
    this.usage = new UsageCalls(usage);
    this.statements = new StatementCalls(statements);
    this.webhooks = new WebhookCalls(batcher, purchases.sharding(), webhookUrls, purchases.timeout(), clock, deliveries);
    this.keyCalls = new ApiKeyCalls(keys, clock);
    this.members = members;
    this.clock = clock;
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    this.orgJournals = OrgJournals.of(system);
    this.alertHistory = new AlertHistory(calls, system, journal);
    this.terms = terms;
    this.alerts = alerts;
  }

  @Override
  public void createOrg(CreateOrgRequest request, StreamObserver<Org> responses) {
    String plan = request.getPlan().isEmpty() ? terms.plans().defaultPlan() : request.getPlan();
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .text("display_name", request.getDisplayName(), RequestChecks.MAX_TEXT_LENGTH)
        .require(terms.plans().has(plan), "plan", "must be one of " + terms.plans().plans().keySet())
        .require(request.getReferralCode().length() <= ReferralCalls.MAX_CODE_LENGTH, "referral_code",
            "must be at most " + ReferralCalls.MAX_CODE_LENGTH + " characters");
    if (refuseInvalid(checks, responses)) return;
    if (request.getReferralCode().isEmpty()) {
      createOrg(request, plan, null, responses);
      return;
    }
    io.grpc.Context call = io.grpc.Context.current(); // the batcher reads the caller's deadline from it
    referrals.referrerOf(request.getReferralCode()).whenComplete((referrer, failure) -> {
      try {
        if (failure != null) responses.onError(TallyErrors.failure(failure));
        else if (referrer == null) responses.onError(TallyErrors.referralCodeNotFound());
        else if (referrer.equals(request.getOrgId())) responses.onError(TallyErrors.selfReferral());
        else call.run(() -> createOrg(request, plan, referrer, responses));
      } catch (io.grpc.StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      }
    });
  }

  /** {@code referrer}: the org whose referral code the request carried, resolved; null for none. */
  private void createOrg(CreateOrgRequest request, String plan, String referrer, StreamObserver<Org> responses) {
    calls.run(request.getOrgId(),
        new Operation.CreateOrg(request.getRequestId(), request.getOrgId(), request.getDisplayName(), plan, referrer),
        responses, AccountsService::org);
  }

  @Override
  public void setPlan(SetPlanRequest request, StreamObserver<Org> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .require(terms.plans().has(request.getPlan()), "plan", "must be one of " + terms.plans().plans().keySet());
    if (refuseInvalid(checks, responses)) return;
    changeTerms(request.getOrgId(), new Operation.SetPlan(request.getRequestId(), request.getPlan()), responses);
  }

  @Override
  public void setOverrides(SetOverridesRequest request, StreamObserver<Org> responses) {
    if (refuseInvalid(OverridesRequest.checks(request), responses)) return;
    changeTerms(request.getOrgId(), new Operation.SetOverrides(request.getRequestId(), OverridesRequest.overrides(request)),
        responses);
  }

  /** Applies a change of terms, then answers with the org as it is now. */
  private void changeTerms(String orgId, Operation change, StreamObserver<Org> responses) {
    calls.runThen(orgId, change, responses,
        () -> calls.run(orgId, new Operation.GetOrg(), responses, AccountsService::org));
  }

  @Override
  public void listPlans(ListPlansRequest request, StreamObserver<ListPlansResponse> responses) {
    responses.onNext(ListPlansResponse.newBuilder()
        .addAllPlans(terms.plans().plans().values().stream()
            .sorted(java.util.Comparator.comparing(dev.tally.node.terms.Plan::name))
            .map(ProtoMapping::plan)
            .toList())
        .setDefaultPlan(terms.plans().defaultPlan())
        .build());
    responses.onCompleted();
  }

  @Override
  public void listPriceBooks(ListPriceBooksRequest request, StreamObserver<ListPriceBooksResponse> responses) {
    responses.onNext(ListPriceBooksResponse.newBuilder().addPriceBooks(ProtoMapping.priceBook(terms.prices())).build());
    responses.onCompleted();
  }

  @Override
  public void watchAlerts(WatchAlertsRequest request, StreamObserver<Alert> responses) {
    String orgId = request.getOrgId();
    RequestChecks checks = new RequestChecks();
    if (!orgId.isEmpty()) checks.orgId(orgId);
    WebhookEvent.Source after = null;
    if (!request.getAfterEventId().isEmpty()) {
      after = WebhookEvent.source(request.getAfterEventId()).orElse(null);
      checks.require(!orgId.isEmpty(), "after_event_id", "needs org_id: a watch of every org cannot resume")
          .require(after != null, "after_event_id", "must be an Alert's event_id: evt_<sequence number>_<index>_<org id>");
      if (after != null && !orgId.isEmpty()) checks.require(after.orgId().equals(orgId), "after_event_id", "must be an event of org_id " + orgId);
    }
    if (refuseInvalid(checks, responses)) return;
    ServerCallStreamObserver<Alert> stream = (ServerCallStreamObserver<Alert>) responses;
    Behavior<AlertWatch.Message> behavior = after == null
        ? AlertWatch.create(alerts, orgId, stream)
        : AlertWatch.resume(alerts, orgJournals, orgId, after.seqNr(), stream);
    ActorRef<AlertWatch.Message> watch = system.systemActorOf(behavior, "alert-watch-" + watches.incrementAndGet(), Props.empty());
    stream.setOnCancelHandler(() -> watch.tell(new AlertWatch.End()));
    stream.setOnReadyHandler(() -> watch.tell(new AlertWatch.Ready()));
  }

  @Override
  public void getOrg(GetOrgRequest request, StreamObserver<Org> responses) {
    if (refuseInvalid(new RequestChecks().orgId(request.getOrgId()), responses)) return;
    calls.run(request.getOrgId(), new Operation.GetOrg(), responses, AccountsService::org);
  }

  private static Org org(Done done) {
    Outcome.OrgInfo info = (Outcome.OrgInfo) done.result();
    Org org = Org.newBuilder()
        .setOrgId(info.orgId())
        .setDisplayName(info.displayName())
        .setCreatedAt(timestamp(info.createdAt()))
        .setBalance(balance(done.balance()))
        .setPlan(info.plan())
        .setNextPlan(info.nextPlan() == null ? "" : info.nextPlan().plan())
        .build();
    return info.nextPlan() == null ? org : org.toBuilder().setNextPlanAt(timestamp(info.nextPlan().at())).build();
  }

  @Override
  public void createApiKey(CreateApiKeyRequest request, StreamObserver<CreateApiKeyResponse> responses) {
    keyCalls.create(request, responses);
  }

  @Override
  public void revokeApiKey(RevokeApiKeyRequest request, StreamObserver<RevokeApiKeyResponse> responses) {
    keyCalls.revoke(request, responses);
  }

  @Override
  public void rotateApiKey(RotateApiKeyRequest request, StreamObserver<RotateApiKeyResponse> responses) {
    keyCalls.rotate(request, responses);
  }

  @Override
  public void listApiKeys(ListApiKeysRequest request, StreamObserver<ListApiKeysResponse> responses) {
    keyCalls.list(request, responses);
  }

  @Override
  public void listPackages(ListPackagesRequest request, StreamObserver<ListPackagesResponse> responses) {
    packages.list(request, responses);
  }

  @Override
  public void purchasePackage(PurchasePackageRequest request, StreamObserver<PurchasePackageResponse> responses) {
    packages.purchase(request, responses);
  }

  @Override
  public void createRedemptionCodes(CreateRedemptionCodesRequest request, StreamObserver<CreateRedemptionCodesResponse> responses) {
    codes.create(request, responses);
  }

  @Override
  public void redeemCode(RedeemCodeRequest request, StreamObserver<RedeemCodeResponse> responses) {
    codes.redeem(request, responses);
  }

  @Override
  public void fileCreditRequest(FileCreditRequestRequest request, StreamObserver<FileCreditRequestResponse> responses) {
    creditRequests.file(request, responses);
  }

  @Override
  public void listCreditRequests(ListCreditRequestsRequest request, StreamObserver<ListCreditRequestsResponse> responses) {
    creditRequests.list(request, responses);
  }

  @Override
  public void decideCreditRequest(DecideCreditRequestRequest request, StreamObserver<DecideCreditRequestResponse> responses) {
    creditRequests.decide(request, responses);
  }

  @Override
  public void getReferral(GetReferralRequest request, StreamObserver<Referral> responses) {
    referrals.show(request, responses);
  }

  @Override
  public void transferRewards(TransferRewardsRequest request, StreamObserver<TransferRewardsResponse> responses) {
    referrals.transfer(request, responses);
  }

  @Override
  public void listOrgs(dev.tally.v1.ListOrgsRequest request, StreamObserver<dev.tally.v1.ListOrgsResponse> responses) {
    directory.list(request, responses);
  }

  @Override
  public void topOrgs(dev.tally.v1.TopOrgsRequest request, StreamObserver<dev.tally.v1.TopOrgsResponse> responses) {
    directory.top(request, responses);
  }

  @Override
  public void getUsage(dev.tally.v1.GetUsageRequest request, StreamObserver<dev.tally.v1.GetUsageResponse> responses) {
    usage.get(request, responses);
  }

  @Override
  public void listStatements(dev.tally.v1.ListStatementsRequest request,
      StreamObserver<dev.tally.v1.ListStatementsResponse> responses) {
    statements.list(request, responses);
  }

  @Override
  public void getStatement(dev.tally.v1.GetStatementRequest request, StreamObserver<dev.tally.v1.Statement> responses) {
    statements.get(request, responses);
  }

  @Override
  public void listRedemptionCodes(
      dev.tally.v1.ListRedemptionCodesRequest request, StreamObserver<dev.tally.v1.ListRedemptionCodesResponse> responses) {
    codeAdmin.list(request, responses);
  }

  @Override
  public void voidRedemptionCode(
      dev.tally.v1.VoidRedemptionCodeRequest request, StreamObserver<dev.tally.v1.VoidRedemptionCodeResponse> responses) {
    codeAdmin.voidCode(request, responses);
  }

  @Override
  public void voidRedemptionBatch(
      dev.tally.v1.VoidRedemptionBatchRequest request, StreamObserver<dev.tally.v1.VoidRedemptionBatchResponse> responses) {
    codeAdmin.voidBatch(request, responses);
  }

  @Override
  public void leaveCluster(LeaveClusterRequest request, StreamObserver<LeaveClusterResponse> responses) {
    if (refuseInvalid(new RequestChecks().id("member", request.getMember()), responses)) return;
    members.leave(request.getMember()).ifPresentOrElse(
        address -> {
          responses.onNext(LeaveClusterResponse.newBuilder().setMember(address.toString()).build());
          responses.onCompleted();
        },
        () -> responses.onError(TallyErrors.memberNotFound(request.getMember())));
  }

  @Override
  public void listClusterMembers(dev.tally.v1.ListClusterMembersRequest request,
      StreamObserver<dev.tally.v1.ListClusterMembersResponse> responses) {
    responses.onNext(members.list());
    responses.onCompleted();
  }

  @Override
  public void grantCredits(GrantCreditsRequest request, StreamObserver<GrantCreditsResponse> responses) {
    GrantKind kind = ProtoMapping.kind(request.getKind());
    RequestChecks checks = new RequestChecks();
    Instant effectiveAt = request.hasEffectiveAt() ? checks.instant("effective_at", request.getEffectiveAt()) : null;
    Instant expiresAt = request.hasExpiresAt() ? checks.instant("expires_at", request.getExpiresAt()) : null;
    checks.orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .optionalId("grant_id", request.getGrantId())
        .require(kind != null, "kind", "must be one of TRIAL, SUBSCRIPTION, PURCHASE, PROMOTION, REDEMPTION, REFERRAL, ADJUSTMENT")
        .positiveAmount("amount", request.getAmount())
        .require(!request.hasPriority() || (request.getPriority() >= 0 && request.getPriority() <= 1000),
            "priority", "must be between 0 and 1000")
        .require(expiresAt == null || expiresAt.isAfter(effectiveAt != null ? effectiveAt : clock.instant()),
            "expires_at", "must be after effective_at (or now)");
    if (refuseInvalid(checks, responses)) return;
    String grantId = request.getGrantId().isEmpty() ? "grant-" + request.getRequestId() : request.getGrantId();
    Operation operation = new Operation.GrantCredits(
        request.getRequestId(), grantId, kind, request.getAmount(),
        request.hasPriority() ? request.getPriority() : null, effectiveAt, expiresAt);
    calls.run(request.getOrgId(), operation, responses, done -> GrantCreditsResponse.newBuilder()
        .setGrant(ProtoMapping.grant(((Outcome.Granted) done.result()).grant()))
        .setBalance(balance(done.balance()))
        .build());
  }

  @Override
  public void voidGrant(VoidGrantRequest request, StreamObserver<VoidGrantResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .id("grant_id", request.getGrantId())
        .text("reason", request.getReason(), RequestChecks.MAX_TEXT_LENGTH);
    if (refuseInvalid(checks, responses)) return;
    Operation operation = new Operation.VoidGrant(request.getRequestId(), request.getGrantId(), request.getReason());
    calls.run(request.getOrgId(), operation, responses, done -> VoidGrantResponse.newBuilder()
        .setVoided(((Outcome.Voided) done.result()).voided())
        .setBalance(balance(done.balance()))
        .build());
  }

  /** A page of the org's grants, active and finished; the page token is the last grant's place in the order given. */
  @Override
  public void listGrants(ListGrantsRequest request, StreamObserver<ListGrantsResponse> responses) {
    long after = parseGrantsPageToken(request.getPageToken());
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_GRANTS_PAGE_SIZE,
            "page_size", "must be between 1 and " + MAX_GRANTS_PAGE_SIZE)
        .require(after >= 0, "page_token", "is not a token this service gave out");
    if (refuseInvalid(checks, responses)) return;
    int pageSize = request.getPageSize() == 0 ? MAX_GRANTS_PAGE_SIZE : request.getPageSize();
    calls.run(request.getOrgId(), new Operation.ListGrants(after, pageSize), responses, done -> {
      Outcome.GrantList list = (Outcome.GrantList) done.result();
      ListGrantsResponse.Builder page = ListGrantsResponse.newBuilder()
          .addAllGrants(list.grants().stream().map(ProtoMapping::grantStatement).toList());
      if (list.more()) page.setNextPageToken(Long.toString(list.grants().get(list.grants().size() - 1).grant().sequence()));
      return page.build();
    });
  }

  /** The place of the last grant listed; none means before the first. Invalid: -1. */
  private static long parseGrantsPageToken(String token) {
    if (token.isEmpty()) return 0;
    try {
      return Math.max(-1, Long.parseLong(token));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Reads a page of the org's journal. The org's account is asked first, so an unknown org gets
   * NOT_FOUND and expiries that fell due while it was out of memory are in the journal before it is read.
   */
  @Override
  public void listLedger(ListLedgerRequest request, StreamObserver<ListLedgerResponse> responses) {
    long fromSequenceNr = parsePageToken(request.getPageToken());
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE,
            "page_size", "must be between 1 and " + MAX_PAGE_SIZE)
        .require(fromSequenceNr > 0, "page_token", "is not a token this service gave out");
    if (refuseInvalid(checks, responses)) return;
    int pageSize = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
    calls.runThen(request.getOrgId(), new Operation.GetOrg(), responses,
        () -> readPage(request.getOrgId(), fromSequenceNr, pageSize, responses));
  }

  private void readPage(String orgId, long fromSequenceNr, int pageSize, StreamObserver<ListLedgerResponse> responses) {
    String persistenceId = OrgAccount.persistenceId(orgId).id();
    journal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, Long.MAX_VALUE)
        .take(pageSize + 1L)
        .runWith(Sink.seq(), system)
        .whenCompleteAsync((envelopes, failure) -> {
          if (failure != null) {
            responses.onError(TallyErrors.failure(failure));
            return;
          }
          ListLedgerResponse.Builder page = ListLedgerResponse.newBuilder();
          for (EventEnvelope envelope : envelopes.subList(0, Math.min(pageSize, envelopes.size()))) {
            page.addEntries(LedgerEntries.of(orgId, envelope.sequenceNr(), (OrgEvent) envelope.event()));
          }
          if (envelopes.size() > pageSize) page.setNextPageToken(Long.toString(envelopes.get(pageSize).sequenceNr()));
          responses.onNext(page.build());
          responses.onCompleted();
        }, system.executionContext());
  }

  @Override
  public void listAlerts(dev.tally.v1.ListAlertsRequest request, StreamObserver<dev.tally.v1.ListAlertsResponse> responses) {
    alertHistory.list(request, responses);
  }

  /** The page token is the sequence number to read from; none means the first entry. Invalid: 0. */
  private static long parsePageToken(String token) {
    if (token.isEmpty()) return 1;
    try {
      return Long.parseLong(token);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
  @Override
  public void createWebhookEndpoint(dev.tally.v1.CreateWebhookEndpointRequest request,
      StreamObserver<dev.tally.v1.CreateWebhookEndpointResponse> responses) {
    webhooks.create(request, responses);
  }

  @Override
  public void listWebhookEndpoints(dev.tally.v1.ListWebhookEndpointsRequest request,
      StreamObserver<dev.tally.v1.ListWebhookEndpointsResponse> responses) {
    webhooks.list(request, responses);
  }

  @Override
  public void updateWebhookEndpoint(dev.tally.v1.UpdateWebhookEndpointRequest request,
      StreamObserver<dev.tally.v1.UpdateWebhookEndpointResponse> responses) {
    webhooks.update(request, responses);
  }

  @Override
  public void deleteWebhookEndpoint(dev.tally.v1.DeleteWebhookEndpointRequest request,
      StreamObserver<dev.tally.v1.DeleteWebhookEndpointResponse> responses) {
    webhooks.delete(request, responses);
  }

  @Override
  public void rotateWebhookSecret(dev.tally.v1.RotateWebhookSecretRequest request,
      StreamObserver<dev.tally.v1.RotateWebhookSecretResponse> responses) {
    webhooks.rotate(request, responses);
  }

  @Override
  public void listWebhookDeliveries(dev.tally.v1.ListWebhookDeliveriesRequest request,
      StreamObserver<dev.tally.v1.ListWebhookDeliveriesResponse> responses) {
    webhooks.deliveries(request, responses);
  }

  @Override
  public void replayWebhookEvents(dev.tally.v1.ReplayWebhookEventsRequest request,
      StreamObserver<dev.tally.v1.ReplayWebhookEventsResponse> responses) {
    webhooks.replay(request, responses);
  }
}
