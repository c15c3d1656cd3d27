package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.OrgSlices;
import dev.tally.node.usage.DirectoryRow;
import dev.tally.node.usage.OrgDirectory;
import dev.tally.node.usage.OrgDirectory.Position;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.TopOrgsRequest;
import dev.tally.v1.TopOrgsResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Predicate;

/** Accounts' calls on the org directory, the read side's list of every org (ListOrgs). */
final class DirectoryCalls {

  static final int MAX_PAGE_SIZE = 100;

  private final OrgDirectory directory;

  DirectoryCalls(OrgDirectory directory) {
    this.directory = directory;
  }

  void list(ListOrgsRequest request, StreamObserver<ListOrgsResponse> responses) {
    Optional<Position> from = position(request.getPageToken());
    RequestChecks checks = new RequestChecks()
        .text("plan", request.getPlan(), RequestChecks.MAX_TEXT_LENGTH)
        .require(request.getStatusValue() >= 0 && request.getStatusValue() <= ListOrgsRequest.Status.IN_DEBT_VALUE,
            "status", "must be DEPLETED, IN_DEBT or unset")
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE, "page_size",
            "must be between 1 and " + MAX_PAGE_SIZE + " (0 = " + MAX_PAGE_SIZE + ")")
        .require(from.isPresent(), "page_token", "must be a next_page_token of the same listing");
    if (refuseInvalid(checks, responses)) return;
    int size = request.getPageSize() == 0 ? MAX_PAGE_SIZE : request.getPageSize();
    directory.page(from.get(), size, matching(request)).whenComplete((page, failure) -> {
      try {
        if (failure != null) {
          responses.onError(TallyErrors.failure(failure));
          return;
        }
        ListOrgsResponse.Builder response = ListOrgsResponse.newBuilder();
        page.rows().forEach(row -> response.addOrgs(entry(row)));
        page.next().ifPresent(next -> response.setNextPageToken(token(next)));
        responses.onNext(response.build());
        responses.onCompleted();
      } catch (StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      }
    });
  }

  static final int MAX_TOP = 100;

  void top(TopOrgsRequest request, StreamObserver<TopOrgsResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .text("plan", request.getPlan(), RequestChecks.MAX_TEXT_LENGTH)
        .require(request.getLimit() >= 0 && request.getLimit() <= MAX_TOP, "limit",
            "must be between 1 and " + MAX_TOP + " (0 = 10)");
    if (refuseInvalid(checks, responses)) return;
    Predicate<DirectoryRow> onPlan = request.getPlan().isEmpty() ? row -> true : row -> row.plan().equals(request.getPlan());
    directory.top(request.getLimit() == 0 ? 10 : request.getLimit(), onPlan).whenComplete((top, failure) -> {
      try {
        if (failure != null) {
          responses.onError(TallyErrors.failure(failure));
          return;
        }
        TopOrgsResponse.Builder response = TopOrgsResponse.newBuilder();
        top.forEach(row -> response.addOrgs(entry(row)));
        responses.onNext(response.build());
        responses.onCompleted();
      } catch (StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      }
    });
  }

  private static Predicate<DirectoryRow> matching(ListOrgsRequest request) {
    Predicate<DirectoryRow> onPlan = request.getPlan().isEmpty() ? row -> true : row -> row.plan().equals(request.getPlan());
    return switch (request.getStatus()) {
      case DEPLETED -> onPlan.and(row -> row.balance() <= 0);
      case IN_DEBT -> onPlan.and(row -> row.balance() < 0);
      default -> onPlan;
    };
  }

  static DirectoryEntry entry(DirectoryRow row) {
    DirectoryEntry.Builder entry = DirectoryEntry.newBuilder()
        .setOrgId(row.orgId())
        .setDisplayName(row.displayName())
        .setPlan(row.plan())
        .setGranted(row.granted())
        .setUsed(row.used())
        .setExpired(row.expired())
        .setVoided(row.voided())
        .setBalance(row.balance())
        .setAppliedSequenceNr(row.appliedSeqNr())
        .setPeriodUsed(row.periodUsed())
        .setDebt(row.debt());
    if (row.periodStart() != null) entry.setPeriodStart(timestamp(row.periodStart()));
    if (row.periodEnd() != null) entry.setPeriodEnd(timestamp(row.periodEnd()));
    if (row.createdAt() != null) entry.setCreatedAt(timestamp(row.createdAt()));
    if (row.lastEventAt() != null) entry.setLastEventAt(timestamp(row.lastEventAt()));
    return entry.build();
  }

  private static String token(Position position) {
    String text = position.slice() + ":" + position.afterOrgId();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The position a token names; the empty token is the start; empty for anything else. */
  private static Optional<Position> position(String token) {
    if (token.isEmpty()) return Optional.of(Position.START);
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", 2);
      int slice = Integer.parseInt(parts[0]);
      if (parts.length != 2 || slice < 0 || slice >= OrgSlices.COUNT || parts[1].length() > RequestChecks.MAX_ID_LENGTH) {
        return Optional.empty();
      }
      return Optional.of(new Position(slice, parts[1]));
    } catch (IllegalArgumentException notAToken) {
      return Optional.empty();
    }
  }
}
