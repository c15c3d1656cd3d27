package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;
import static dev.tally.v1.ListOrgsRequest.Status.STATUS_UNSPECIFIED;

import com.google.protobuf.Timestamp;
import dev.tally.node.account.OrgSlices;
import dev.tally.node.account.Period;
import dev.tally.node.usage.DirectoryRow;
import dev.tally.node.usage.OrgDirectory;
import dev.tally.node.usage.OrgDirectory.Position;
import dev.tally.node.usage.OrgDirectory.Rank;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.TopOrgsRequest;
import dev.tally.v1.TopOrgsResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Accounts' calls on the org directory, the read side's list of every org: ListOrgs, in the order
 * the directory keeps or ranked by usage in a month, and TopOrgs, that ranking's first page.
 */
final class DirectoryCalls {

  static final int MAX_PAGE_SIZE = 100;
  static final int MAX_TOP = 100;
  private static final String RANK_TOKEN = "u";

  private final OrgDirectory directory;
  private final Clock clock;

  DirectoryCalls(OrgDirectory directory, Clock clock) {
    this.directory = directory;
    this.clock = clock;
  }

  /** Where a page token says a listing goes on: a position in the directory's order, or a place in a ranking. */
  private record Resume(Optional<Position> position, Optional<Instant> period, Optional<Rank> rank) {
    static final Resume START = new Resume(Optional.of(Position.START), Optional.empty(), Optional.empty());
  }

  void list(ListOrgsRequest request, StreamObserver<ListOrgsResponse> responses) {
    boolean byUsage = request.getOrder() == ListOrgsRequest.Order.USAGE;
    Optional<Resume> from = resume(request.getPageToken());
    RequestChecks checks = new RequestChecks()
        .text("plan", request.getPlan(), RequestChecks.MAX_TEXT_LENGTH)
        .require(request.getStatusValue() >= 0 && request.getStatusValue() <= ListOrgsRequest.Status.IN_DEBT_VALUE,
            "status", "must be DEPLETED, IN_DEBT or unset")
        .require(request.getOrderValue() >= 0 && request.getOrderValue() <= ListOrgsRequest.Order.USAGE_VALUE,
            "order", "must be USAGE or unset")
        .require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE, "page_size",
            "must be between 1 and " + MAX_PAGE_SIZE + " (0 = " + MAX_PAGE_SIZE + ")")
        .require(from.isPresent() && (request.getPageToken().isEmpty() || from.get().rank().isPresent() == byUsage),
            "page_token", "must be a next_page_token of the same listing");
    Instant period = usagePeriod(checks, request.hasUsagePeriod() ? request.getUsagePeriod() : null,
        from.flatMap(Resume::period));
    checks.require(byUsage || !request.hasUsagePeriod(), "usage_period", "is for order USAGE only");
    if (refuseInvalid(checks, responses)) return;
    int size = request.getPageSize() == 0 ? MAX_PAGE_SIZE : request.getPageSize();
    Predicate<DirectoryRow> matching = matching(request.getPlan(), request.getStatus());
    if (byUsage) {
      answer(directory.ranked(period, from.get().rank(), size, matching), responses, ranking -> {
        ListOrgsResponse.Builder response = ListOrgsResponse.newBuilder();
        ranking.rows().forEach(row -> response.addOrgs(entry(row, period)));
        ranking.next().ifPresent(next -> response.setNextPageToken(token(period, next)));
        return response.build();
      });
    } else {
      answer(directory.page(from.get().position().orElseThrow(), size, matching), responses, page -> {
        ListOrgsResponse.Builder response = ListOrgsResponse.newBuilder();
        page.rows().forEach(row -> response.addOrgs(entry(row, null)));
        page.next().ifPresent(next -> response.setNextPageToken(token(next)));
        return response.build();
      });
    }
  }

  void top(TopOrgsRequest request, StreamObserver<TopOrgsResponse> responses) {
    RequestChecks checks = new RequestChecks()
        .text("plan", request.getPlan(), RequestChecks.MAX_TEXT_LENGTH)
        .require(request.getLimit() >= 0 && request.getLimit() <= MAX_TOP, "limit",
            "must be between 1 and " + MAX_TOP + " (0 = 10)");
    Instant period = usagePeriod(checks, request.hasUsagePeriod() ? request.getUsagePeriod() : null, Optional.empty());
    if (refuseInvalid(checks, responses)) return;
    int limit = request.getLimit() == 0 ? 10 : request.getLimit();
    answer(directory.ranked(period, Optional.empty(), limit, matching(request.getPlan(), STATUS_UNSPECIFIED)), responses,
        ranking -> {
          TopOrgsResponse.Builder response = TopOrgsResponse.newBuilder();
          ranking.rows().forEach(row -> response.addOrgs(entry(row, period)));
          return response.build();
        });
  }

  /**
   * The month to rank by: {@code asked}, else the page token's {@code resumed}, else the current
   * month (UTC). Null, and a violation, for another month than the current or the previous one (the
   * directory keeps those two), or one the token was not of.
   */
  private Instant usagePeriod(RequestChecks checks, Timestamp asked, Optional<Instant> resumed) {
    Instant current = Period.monthOf(clock.instant(), 0).start();
    Instant previous = current.atZone(ZoneOffset.UTC).minusMonths(1).toInstant();
    Instant month = asked != null ? checks.instant("usage_period", asked) : resumed.orElse(current);
    if (month == null) return null;
    if (!month.equals(current) && !month.equals(previous)) {
      checks.violation(asked != null ? "usage_period" : "page_token", asked != null
          ? "must be the first instant of the current or the previous month (UTC): " + current + " or " + previous
          : "ranks by " + month + ", a month the directory no longer keeps: start again");
      return null;
    }
    checks.require(resumed.isEmpty() || resumed.get().equals(month), "usage_period",
        "must be the page token's, " + resumed.orElse(month));
    return month;
  }

  /** Answers with what {@code result} gives once {@code read} completes, or the failure that ended it. */
  private static <T, R> void answer(CompletionStage<T> read, StreamObserver<R> responses, Function<T, R> result) {
    read.whenComplete((value, failure) -> {
      try {
        if (failure != null) {
          responses.onError(TallyErrors.failure(failure));
          return;
        }
        responses.onNext(result.apply(value));
        responses.onCompleted();
      } catch (StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      }
    });
  }

  private static Predicate<DirectoryRow> matching(String plan, ListOrgsRequest.Status status) {
    Predicate<DirectoryRow> onPlan = plan.isEmpty() ? row -> true : row -> row.plan().equals(plan);
    return switch (status) {
      case DEPLETED -> onPlan.and(row -> row.balance() <= 0);
      case IN_DEBT -> onPlan.and(row -> row.balance() < 0);
      default -> onPlan;
    };
  }

  /** The org as the API shows it; with its usage in {@code rankedBy} when it is part of a ranking by it (else null). */
  static DirectoryEntry entry(DirectoryRow row, Instant rankedBy) {
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
    if (row.previousPeriod() != null) {
      entry.setPreviousPeriodStart(timestamp(row.previousPeriod().start()))
          .setPreviousPeriodUsed(row.previousPeriod().used());
    }
    if (rankedBy != null) entry.setUsagePeriodUsed(row.usedIn(rankedBy));
    return entry.build();
  }

  private static String token(Position position) {
    return encoded(position.slice() + ":" + position.afterOrgId());
  }

  private static String token(Instant period, Rank after) {
    return encoded(RANK_TOKEN + ":" + period.getEpochSecond() + ":" + after.used() + ":" + after.orgId());
  }

  private static String encoded(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Where a token says to go on; the empty token is the start; empty for anything else. */
  private static Optional<Resume> resume(String token) {
    if (token.isEmpty()) return Optional.of(Resume.START);
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith(RANK_TOKEN + ":")) {
        String[] parts = text.split(":", 4);
        if (parts.length != 4 || parts[3].isEmpty() || parts[3].length() > RequestChecks.MAX_ID_LENGTH) {
          return Optional.empty();
        }
        Instant period = Instant.ofEpochSecond(Long.parseLong(parts[1]));
        return Optional.of(new Resume(Optional.empty(), Optional.of(period),
            Optional.of(new Rank(Long.parseLong(parts[2]), parts[3]))));
      }
      String[] parts = text.split(":", 2);
      int slice = Integer.parseInt(parts[0]);
      if (parts.length != 2 || slice < 0 || slice >= OrgSlices.COUNT || parts[1].length() > RequestChecks.MAX_ID_LENGTH) {
        return Optional.empty();
      }
      return Optional.of(new Resume(Optional.of(new Position(slice, parts[1])), Optional.empty(), Optional.empty()));
    } catch (IllegalArgumentException | DateTimeException notAToken) {
      return Optional.empty();
    }
  }
}
