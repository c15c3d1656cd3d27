package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Period;
import dev.tally.node.creditrequest.CreditRequest;
import dev.tally.node.creditrequest.CreditRequestTable;
import dev.tally.node.creditrequest.CreditRequests;
import dev.tally.node.creditrequest.CreditRequests.Reply;
import dev.tally.node.creditrequest.OrgCreditRequests;
import dev.tally.node.groupcommit.OrgBatcher;
import dev.tally.v1.DecideCreditRequestRequest;
import dev.tally.v1.DecideCreditRequestResponse;
import dev.tally.v1.FileCreditRequestRequest;
import dev.tally.v1.FileCreditRequestResponse;
import dev.tally.v1.ListCreditRequestsRequest;
import dev.tally.v1.ListCreditRequestsResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Accounts' credit request calls: each checks its request, then hands it to the org's
 * {@link CreditRequests} entity, the one writer of the org's requests. A filing first reads the org's
 * period from its account, since the threshold is the account's rule ({@link Period#usageReached});
 * a listing of every org reads the operators' table ({@link CreditRequestTable}).
 */
final class CreditRequestCalls {

  /** Requests per ListCreditRequests page. */
  static final int MAX_PAGE_SIZE = 100;

  private final OrgCalls calls;
  private final ClusterSharding sharding;
  private final CreditRequestTable table;
  private final Duration timeout;

  /** @param timeout the longest a call waits for the org's requests' entity, which may wait for the org's account */
  CreditRequestCalls(OrgBatcher batcher, ClusterSharding sharding, CreditRequestTable table, Duration timeout) {
    this.calls = new OrgCalls(batcher);
    this.sharding = sharding;
    this.table = table;
    this.timeout = timeout;
  }

  void file(FileCreditRequestRequest request, StreamObserver<FileCreditRequestResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .id("request_id", request.getRequestId())
        .positiveAmount("amount", request.getAmount())
        .require(!request.getReason().isEmpty(), "reason", "is required")
        .text("reason", request.getReason(), RequestChecks.MAX_TEXT_LENGTH);
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    Deadline deadline = Context.current().getDeadline(); // read on the call's thread: the org answers on another
    calls.runWith(orgId, new Operation.GetBalance(), responses, done -> {
      Period period = ((Outcome.Statement) done.result()).period();
      ask(orgId, replyTo -> CreditRequests.filing(
          request.getRequestId(), request.getAmount(), request.getReason(), period, replyTo), deadline)
          .thenApply(reply -> filed(orgId, reply))
          .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
    });
  }

  void list(ListCreditRequestsRequest request, StreamObserver<ListCreditRequestsResponse> responses) {
    CreditRequest.Status status = status(request.getStatus());
    RequestChecks checks = new RequestChecks()
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE,
            "page_size", "must be between 1 and " + MAX_PAGE_SIZE)
        .require(request.getStatusValue() >= 0 && request.getStatusValue() <= CreditRequest.Status.values().length,
            "status", "must be one of OPEN, GRANTING, APPROVED, DENIED, or unset");
    int pageSize = request.getPageSize() == 0 ? MAX_PAGE_SIZE : request.getPageSize();
    if (request.getOrgId().isEmpty()) {
      Optional<CreditRequestTable.Position> after = request.getPageToken().isEmpty()
          ? Optional.empty() : CreditRequestTable.Position.of(request.getPageToken());
      checks.require(request.getPageToken().isEmpty() || after.isPresent(), "page_token", "is not a token this service gave out");
      if (refuseInvalid(checks, responses)) return;
      table.page(status, after, pageSize)
          .thenApply(page -> {
            ListCreditRequestsResponse.Builder response = ListCreditRequestsResponse.newBuilder();
            page.requests().forEach(listed -> response.addRequests(proto(listed.orgId(), listed.request())));
            page.next().ifPresent(next -> response.setNextPageToken(next.token()));
            return response.build();
          })
          .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
      return;
    }
    long before = pageToken(request.getPageToken());
    checks.orgId(request.getOrgId()).require(before >= 0, "page_token", "is not a token this service gave out");
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    Deadline deadline = Context.current().getDeadline();
    // The org's account first: an unknown org is ORG_NOT_FOUND, not an empty list.
    calls.runThen(orgId, new Operation.GetOrg(), responses, () ->
        ask(orgId, replyTo -> new CreditRequests.ListRequests(status, before, pageSize, replyTo), deadline)
            .thenApply(reply -> {
              OrgCreditRequests.Page page = ((Reply.Listed) reply).page();
              ListCreditRequestsResponse.Builder response = ListCreditRequestsResponse.newBuilder();
              page.requests().forEach(listed -> response.addRequests(proto(orgId, listed)));
              if (page.more()) {
                response.setNextPageToken(Long.toString(page.requests().get(page.requests().size() - 1).number()));
              }
              return response.build();
            })
            .whenComplete((response, failure) -> Replies.complete(responses, response, failure)));
  }

  void decide(DecideCreditRequestRequest request, StreamObserver<DecideCreditRequestResponse> responses) {
    DecideCreditRequestRequest.Decision decision = request.getDecision();
    RequestChecks checks = new RequestChecks()
        .orgId(request.getOrgId())
        .require(request.getNumber() >= 1, "number", "must be a request's number, 1 or more")
        .require(decision == DecideCreditRequestRequest.Decision.APPROVE || decision == DecideCreditRequestRequest.Decision.DENY,
            "decision", "must be APPROVE or DENY")
        .text("note", request.getNote(), RequestChecks.MAX_TEXT_LENGTH);
    if (refuseInvalid(checks, responses)) return;
    String orgId = request.getOrgId();
    boolean approve = decision == DecideCreditRequestRequest.Decision.APPROVE;
    ask(orgId, replyTo -> new CreditRequests.Decide(request.getNumber(), approve, request.getNote(), replyTo),
            Context.current().getDeadline())
        .thenApply(reply -> decided(orgId, reply))
        .whenComplete((response, failure) -> Replies.complete(responses, response, failure));
  }

  private static FileCreditRequestResponse filed(String orgId, Reply reply) {
    if (reply instanceof Reply.Filed filed) {
      return FileCreditRequestResponse.newBuilder()
          .setRequest(proto(orgId, filed.request())).setReplayed(filed.replayed()).build();
    }
    if (reply instanceof Reply.BelowThreshold below) {
      throw TallyErrors.creditRequestBelowThreshold(below.usage().charged(), below.usage().base(), below.percent());
    }
    if (reply instanceof Reply.TooManyOpen tooMany) throw TallyErrors.creditRequestsOpenLimit(tooMany.max());
    if (reply instanceof Reply.RequestIdReused reused) throw TallyErrors.creditRequestIdReused(reused.recorded().number());
    throw new IllegalStateException("a filing was answered " + reply);
  }

  private static DecideCreditRequestResponse decided(String orgId, Reply reply) {
    if (reply instanceof Reply.Decided decided) {
      return DecideCreditRequestResponse.newBuilder()
          .setRequest(proto(orgId, decided.request())).setReplayed(decided.replayed()).build();
    }
    if (reply instanceof Reply.NotFound notFound) throw TallyErrors.creditRequestNotFound(notFound.number());
    if (reply instanceof Reply.AlreadyDecided already) {
      throw TallyErrors.creditRequestDecided(already.request().status().name(), already.request().decidedAt());
    }
    if (reply instanceof Reply.Refused refused) throw TallyErrors.rejected(refused.refusal());
    if (reply instanceof Reply.Pending pending) {
      // The grant may be done: approving again completes it, once.
      throw TallyErrors.failure(new TimeoutException(pending.why()));
    }
    throw new IllegalStateException("a decision was answered " + reply);
  }

  private CompletableFuture<Reply> ask(String orgId, Function<ActorRef<Reply>, CreditRequests.Command> command, Deadline deadline) {
    CompletionStage<Reply> asked = sharding.entityRefFor(CreditRequests.ENTITY_TYPE, orgId).ask(command::apply, timeout);
    CompletableFuture<Reply> reply = asked.toCompletableFuture();
    return Replies.withinDeadline(reply, deadline);
  }

  /** Null for unset (every status) and for values this build does not know (refused by the checks). */
  private static CreditRequest.Status status(dev.tally.v1.CreditRequest.Status status) {
    return switch (status) {
      case OPEN -> CreditRequest.Status.OPEN;
      case GRANTING -> CreditRequest.Status.GRANTING;
      case APPROVED -> CreditRequest.Status.APPROVED;
      case DENIED -> CreditRequest.Status.DENIED;
      case STATUS_UNSPECIFIED, UNRECOGNIZED -> null;
    };
  }

  /** The number to list below; none means from the newest. Invalid: -1. */
  private static long pageToken(String token) {
    if (token.isEmpty()) return 0;
    try {
      long number = Long.parseLong(token);
      return number >= 1 ? number : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static dev.tally.v1.CreditRequest proto(String orgId, CreditRequest request) {
    dev.tally.v1.CreditRequest.Builder proto = dev.tally.v1.CreditRequest.newBuilder()
        .setOrgId(orgId)
        .setNumber(request.number())
        .setRequestId(request.requestId())
        .setAmount(request.amount())
        .setReason(request.reason())
        .setStatus(dev.tally.v1.CreditRequest.Status.valueOf(request.status().name()))
        .setFiledAt(timestamp(request.filedAt()))
        .setNote(request.note())
        .setChargedWhenFiled(request.usage().charged())
        .setBaseWhenFiled(request.usage().base())
        .setGrantId(request.grantId());
    if (request.decidedAt() != null) proto.setDecidedAt(timestamp(request.decidedAt()));
    return proto.build();
  }
}
