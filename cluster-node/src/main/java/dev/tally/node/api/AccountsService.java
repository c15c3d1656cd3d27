package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.balance;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.GrantKind;
import dev.tally.node.account.Operation;
import dev.tally.node.account.OrgAccount;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Outcome.Done;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetOrgRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantCreditsResponse;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.Org;
import dev.tally.v1.VoidGrantRequest;
import dev.tally.v1.VoidGrantResponse;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** The control plane: open orgs, grant and void credits, read the ledger (accounts.proto). */
public final class AccountsService extends AccountsGrpc.AccountsImplBase {

  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;

  private final OrgCalls calls;
  private final ActorSystem<?> system;
  private final CassandraReadJournal journal;

  public AccountsService(OrgBatcher batcher, ActorSystem<?> system) {
    this.calls = new OrgCalls(batcher);
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
  }

  @Override
  public void createOrg(CreateOrgRequest request, StreamObserver<Org> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .text("display_name", request.getDisplayName(), RequestChecks.MAX_TEXT_LENGTH);
    if (refuseInvalid(checks, responses)) return;
    calls.run(request.getOrgId(), new Operation.CreateOrg(request.getOrgId(), request.getDisplayName()), responses,
        AccountsService::org);
  }

  @Override
  public void getOrg(GetOrgRequest request, StreamObserver<Org> responses) {
    if (refuseInvalid(new RequestChecks().orgId(request.getOrgId()), responses)) return;
    calls.run(request.getOrgId(), new Operation.GetOrg(), responses, AccountsService::org);
  }

  private static Org org(Done done) {
    Outcome.OrgInfo info = (Outcome.OrgInfo) done.result();
    return Org.newBuilder()
        .setOrgId(info.orgId())
        .setDisplayName(info.displayName())
        .setCreatedAt(timestamp(info.createdAt()))
        .setBalance(balance(done.balance()))
        .build();
  }

  @Override
  public void grantCredits(GrantCreditsRequest request, StreamObserver<GrantCreditsResponse> responses) {
    GrantKind kind = ProtoMapping.kind(request.getKind());
    Instant effectiveAt = request.hasEffectiveAt() ? ProtoMapping.instant(request.getEffectiveAt()) : null;
    Instant expiresAt = request.hasExpiresAt() ? ProtoMapping.instant(request.getExpiresAt()) : null;
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .optionalId("grant_id", request.getGrantId())
        .require(kind != null, "kind", "must be one of TRIAL, SUBSCRIPTION, PURCHASE, PROMOTION, REDEMPTION, REFERRAL, ADJUSTMENT")
        .positiveAmount("amount", request.getAmount())
        .require(!request.hasPriority() || (request.getPriority() >= 0 && request.getPriority() <= 1000),
            "priority", "must be between 0 and 1000")
        .require(expiresAt == null || expiresAt.isAfter(effectiveAt != null ? effectiveAt : Instant.now()),
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
    calls.run(request.getOrgId(), new Operation.GetOrg(), new StreamObserver<Org>() {
      @Override
      public void onNext(Org org) {
        readPage(request.getOrgId(), fromSequenceNr, pageSize, responses);
      }

      @Override
      public void onError(Throwable failure) {
        responses.onError(failure);
      }

      @Override
      public void onCompleted() {}
    }, AccountsService::org);
  }

  private void readPage(String orgId, long fromSequenceNr, int pageSize, StreamObserver<ListLedgerResponse> responses) {
    String persistenceId = OrgAccount.persistenceId(orgId).id();
    journal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, Long.MAX_VALUE)
        .take(pageSize + 1L)
        .runWith(Sink.seq(), system)
        .whenComplete((envelopes, failure) -> {
          if (failure != null) {
            responses.onError(TallyErrors.failure(failure));
            return;
          }
          ListLedgerResponse.Builder page = ListLedgerResponse.newBuilder();
          for (EventEnvelope envelope : envelopes.subList(0, Math.min(pageSize, envelopes.size()))) {
            page.addEntries(LedgerEntries.of(envelope.sequenceNr(), (OrgEvent) envelope.event()));
          }
          if (envelopes.size() > pageSize) page.setNextPageToken(Long.toString(envelopes.get(pageSize).sequenceNr()));
          responses.onNext(page.build());
          responses.onCompleted();
        });
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
}
