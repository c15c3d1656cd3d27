package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.balance;
import static dev.tally.node.api.ProtoMapping.draws;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.Operation;
import dev.tally.node.auth.Principal;
import dev.tally.node.account.Outcome;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.Usage;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReleaseResponse;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;

/** The data plane: reserve, commit, release, charge, extend and read balances (metering.proto). */
public final class MeteringService extends MeteringGrpc.MeteringImplBase {

  private final OrgCalls calls;
  private final Duration defaultTtl;
  private final Duration maxTtl;
  private final PriceBook prices;

  public MeteringService(OrgBatcher batcher, Duration defaultTtl, Duration maxTtl, PriceBook prices) {
    this.calls = new OrgCalls(batcher);
    this.defaultTtl = defaultTtl;
    this.maxTtl = maxTtl;
    this.prices = prices;
  }

  @Override
  public void reserve(ReserveRequest request, StreamObserver<ReserveResponse> responses) {
    RequestChecks checks = new RequestChecks();
    Duration ttl = request.hasTtl() ? checks.duration("ttl", request.getTtl()) : defaultTtl;
    checks.orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .ttl("ttl", ttl, maxTtl);
    Usage estimate = null;
    switch (request.getSizeCase()) {
      case AMOUNT -> checks.positiveAmount("amount", request.getAmount());
      case ESTIMATE -> checks.usage("estimate", estimate = ProtoMapping.usage(request.getEstimate()), prices);
      default -> checks.violation("amount", "an amount or an estimate is required");
    }
    checkLabels(checks, request.getLabels());
    if (refuseInvalid(checks, responses)) return;
    Operation operation = new Operation.Reserve(
        request.getRequestId(), request.getAmount(), estimate, ttl, ProtoMapping.labels(request.getLabels()),
        Principal.currentKeyId());
    calls.run(request.getOrgId(), operation, responses, done -> {
      Outcome.Reserved reserved = (Outcome.Reserved) done.result();
      return ReserveResponse.newBuilder()
          .setReservationId(reserved.reservationId())
          .setHeld(reserved.held())
          .setExpiresAt(timestamp(reserved.expiresAt()))
          .setBalance(balance(done.balance()))
          .build();
    });
  }

  @Override
  public void commit(CommitRequest request, StreamObserver<CommitResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .id("reservation_id", request.getReservationId());
    Usage usage = null;
    switch (request.getActualCase()) {
      case AMOUNT -> checks.nonNegativeAmount("amount", request.getAmount());
      case USAGE -> checks.usage("usage", usage = ProtoMapping.usage(request.getUsage()), prices);
      default -> checks.violation("amount", "an amount or a usage is required");
    }
    if (refuseInvalid(checks, responses)) return;
    Operation operation =
        new Operation.Commit(request.getRequestId(), request.getReservationId(), request.getAmount(), usage);
    calls.run(request.getOrgId(), operation, responses, done -> {
      Outcome.Committed committed = (Outcome.Committed) done.result();
      return CommitResponse.newBuilder()
          .setCharged(committed.charged())
          .setReleased(committed.released())
          .setDebtIncurred(committed.debtIncurred())
          .addAllDraws(draws(committed.draws()))
          .setBalance(balance(done.balance()))
          .setCost(ProtoMapping.cost(committed.cost()))
          .build();
    });
  }

  @Override
  public void release(ReleaseRequest request, StreamObserver<ReleaseResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .id("reservation_id", request.getReservationId());
    if (refuseInvalid(checks, responses)) return;
    Operation operation = new Operation.Release(request.getRequestId(), request.getReservationId());
    calls.run(request.getOrgId(), operation, responses, done -> ReleaseResponse.newBuilder()
        .setReleased(((Outcome.Released) done.result()).released())
        .setBalance(balance(done.balance()))
        .build());
  }

  @Override
  public void charge(ChargeRequest request, StreamObserver<ChargeResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId());
    Usage usage = null;
    switch (request.getPriceCase()) {
      case AMOUNT -> checks.positiveAmount("amount", request.getAmount());
      case USAGE -> checks.usage("usage", usage = ProtoMapping.usage(request.getUsage()), prices);
      default -> checks.violation("amount", "an amount or a usage is required");
    }
    checkLabels(checks, request.getLabels());
    if (refuseInvalid(checks, responses)) return;
    Operation operation = new Operation.Charge(
        request.getRequestId(), request.getAmount(), usage, ProtoMapping.labels(request.getLabels()),
        Principal.currentKeyId());
    calls.run(request.getOrgId(), operation, responses, done -> {
      Outcome.Charged charged = (Outcome.Charged) done.result();
      return ChargeResponse.newBuilder()
          .setCharged(charged.charged())
          .addAllDraws(draws(charged.draws()))
          .setBalance(balance(done.balance()))
          .setCost(ProtoMapping.cost(charged.cost()))
          .build();
    });
  }

  @Override
  public void extendReservation(ExtendReservationRequest request, StreamObserver<ExtendReservationResponse> responses) {
    RequestChecks checks = new RequestChecks();
    Duration ttl = request.hasTtl() ? checks.duration("ttl", request.getTtl()) : defaultTtl;
    checks.orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .id("reservation_id", request.getReservationId())
        .nonNegativeAmount("additional_amount", request.getAdditionalAmount())
        .ttl("ttl", ttl, maxTtl);
    if (refuseInvalid(checks, responses)) return;
    Operation operation = new Operation.Extend(
        request.getRequestId(), request.getReservationId(), ttl, request.getAdditionalAmount());
    calls.run(request.getOrgId(), operation, responses, done -> {
      Outcome.Extended extended = (Outcome.Extended) done.result();
      return ExtendReservationResponse.newBuilder()
          .setHeld(extended.held())
          .setExpiresAt(timestamp(extended.expiresAt()))
          .setBalance(balance(done.balance()))
          .build();
    });
  }

  @Override
  public void getBalance(GetBalanceRequest request, StreamObserver<GetBalanceResponse> responses) {
    if (refuseInvalid(new RequestChecks().orgId(request.getOrgId()), responses)) return;
    calls.run(request.getOrgId(), new Operation.GetBalance(), responses, done -> {
      Outcome.Statement statement = (Outcome.Statement) done.result();
      GetBalanceResponse.Builder response = GetBalanceResponse.newBuilder()
          .setBalance(balance(done.balance()))
          .addAllGrants(statement.grants().stream().map(ProtoMapping::grant).toList())
          .setPlan(statement.plan())
          .setLimits(ProtoMapping.limits(statement.terms().limits()))
          .setPeriod(ProtoMapping.period(statement.period()))
          .setPriceMultiplierPermille(statement.terms().priceMultiplierPermille());
      if (statement.nextPlan() != null) {
        response.setNextPlan(statement.nextPlan().plan()).setNextPlanAt(timestamp(statement.nextPlan().at()));
      }
      return response.build();
    });
  }

  private static void checkLabels(RequestChecks checks, dev.tally.v1.Labels labels) {
    checks.text("labels.model", labels.getModel(), RequestChecks.MAX_ID_LENGTH)
        .text("labels.project", labels.getProject(), RequestChecks.MAX_ID_LENGTH)
        .text("labels.user", labels.getUser(), RequestChecks.MAX_ID_LENGTH)
        .text("labels.call_type", labels.getCallType(), RequestChecks.MAX_ID_LENGTH);
  }
}
