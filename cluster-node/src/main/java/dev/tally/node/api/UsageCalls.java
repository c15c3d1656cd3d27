package dev.tally.node.api;

import static dev.tally.node.api.OrgCalls.refuseInvalid;
import static dev.tally.node.api.ProtoMapping.timestamp;

import com.google.rpc.BadRequest;
import dev.tally.node.account.Fingerprint;
import dev.tally.node.usage.UsageCounts;
import dev.tally.node.usage.UsageLine;
import dev.tally.node.usage.UsageReports;
import dev.tally.node.usage.UsageReports.Bucket;
import dev.tally.node.usage.UsageReports.Dimension;
import dev.tally.node.usage.UsageReports.Query;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.UsageRow;
import dev.tally.v1.UsageSums;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Accounts' usage report of one org (GetUsage), from the read side's usage rows. */
final class UsageCalls {

  static final int MAX_PAGE_SIZE = 1_000;

  private final UsageReports reports;

  UsageCalls(UsageReports reports) {
    this.reports = reports;
  }

  void get(GetUsageRequest request, StreamObserver<GetUsageResponse> responses) {
    RequestChecks checks = new RequestChecks().orgId(request.getOrgId());
    Instant from = wholeHour(checks, "from", request.hasFrom(), request.getFrom());
    Instant to = wholeHour(checks, "to", request.hasTo(), request.getTo());
    Bucket bucket = switch (request.getGranularity()) {
      case HOUR -> Bucket.HOUR;
      case DAY -> Bucket.DAY;
      case MONTH -> Bucket.MONTH;
      case WHOLE_RANGE -> Bucket.WHOLE_RANGE;
      default -> null;
    };
    checks.require(bucket != null, "granularity", "must be HOUR, DAY, MONTH or WHOLE_RANGE");
    if (from != null && to != null) {
      checks.require(to.isAfter(from), "to", "must be after from");
      if (bucket != null && to.isAfter(from.plus(UsageReports.longest(bucket)))) {
        checks.violation("to", "must be at most " + UsageReports.longest(bucket).toDays() + " days after from by "
            + request.getGranularity());
      }
    }
    ZoneId zone = zone(checks, request.getTimeZone(), from, to);
    Set<Dimension> groupBy = groupBy(checks, request.getGroupByValueList());
    checks.require(request.getPageSize() >= 0 && request.getPageSize() <= MAX_PAGE_SIZE, "page_size",
        "must be between 1 and " + MAX_PAGE_SIZE + " (0 = " + MAX_PAGE_SIZE + ")");
    if (refuseInvalid(checks, responses)) return;
    Query query = new Query(request.getOrgId(), from, to, bucket, zone, groupBy);
    String queryId = Fingerprint.of(query);
    Optional<Integer> offset = offset(request.getPageToken(), queryId);
    if (offset.isEmpty()) {
      refuseInvalid(new RequestChecks().violation("page_token", "must be a next_page_token of the same query"), responses);
      return;
    }
    int size = request.getPageSize() == 0 ? MAX_PAGE_SIZE : request.getPageSize();
    reports.report(query).whenComplete((report, failure) -> {
      try {
        if (failure != null) {
          responses.onError(tooMany(failure) ? TallyErrors.invalid(List.of(BadRequest.FieldViolation.newBuilder()
              .setField("group_by").setDescription("the range and grouping give more than " + UsageReports.MOST_ROWS
                  + " rows: narrow the range, the granularity or the grouping").build()))
              : TallyErrors.failure(failure));
          return;
        }
        GetUsageResponse.Builder response = GetUsageResponse.newBuilder()
            .setTotals(sums(report.totals()))
            .setAppliedSequenceNr(report.counted().appliedSeqNr());
        if (report.counted().lastEventAt() != null) response.setLastEventAt(timestamp(report.counted().lastEventAt()));
        int end = (int) Math.min(report.rows().size(), (long) offset.get() + size);
        for (UsageLine line : report.rows().subList(Math.min(offset.get(), end), end)) response.addRows(row(line));
        if (end < report.rows().size()) response.setNextPageToken(token(end, queryId));
        responses.onNext(response.build());
        responses.onCompleted();
      } catch (StatusRuntimeException cancelled) {
        // the caller went away; nothing to tell it
      }
    });
  }

  private static boolean tooMany(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UsageReports.TooManyRows) return true;
    }
    return false;
  }

  private static Instant wholeHour(RequestChecks checks, String field, boolean present, com.google.protobuf.Timestamp at) {
    if (!present) {
      checks.violation(field, "is required");
      return null;
    }
    Instant instant = checks.instant(field, at);
    if (instant == null) return null;
    if (instant.getEpochSecond() % 3600 != 0 || instant.getNano() != 0) {
      checks.violation(field, "must be a whole hour (UTC): usage is kept by the hour");
      return null;
    }
    return instant;
  }

  private static ZoneId zone(RequestChecks checks, String name, Instant from, Instant to) {
    if (name.isEmpty()) return ZoneOffset.UTC;
    ZoneId zone;
    try {
      checks.text("time_zone", name, RequestChecks.MAX_ID_LENGTH);
      zone = ZoneId.of(name);
    } catch (DateTimeException unknown) {
      checks.violation("time_zone", "must be an IANA time zone id, e.g. Europe/Berlin");
      return null;
    }
    if (from != null && to != null && !UsageReports.wholeHoursOff(zone, from, to)) {
      checks.violation("time_zone", name + " is not a whole number of hours off UTC throughout the range;"
          + " usage is kept by the hour");
    }
    return zone;
  }

  private static Set<Dimension> groupBy(RequestChecks checks, List<Integer> values) {
    Set<Dimension> by = EnumSet.noneOf(Dimension.class);
    for (int value : values) {
      Dimension dimension = switch (value) {
        case GetUsageRequest.Dimension.MODEL_VALUE -> Dimension.MODEL;
        case GetUsageRequest.Dimension.CALL_TYPE_VALUE -> Dimension.CALL_TYPE;
        case GetUsageRequest.Dimension.PROJECT_VALUE -> Dimension.PROJECT;
        case GetUsageRequest.Dimension.USER_VALUE -> Dimension.USER;
        case GetUsageRequest.Dimension.API_KEY_VALUE -> Dimension.API_KEY;
        default -> null;
      };
      if (dimension == null) {
        checks.violation("group_by", "must be MODEL, CALL_TYPE, PROJECT, USER or API_KEY");
        return by;
      }
      if (!by.add(dimension)) {
        checks.violation("group_by", dimension + " is given twice");
        return by;
      }
    }
    return by;
  }

  private static UsageRow row(UsageLine line) {
    return UsageRow.newBuilder()
        .setBucketStart(timestamp(line.key().hour()))
        .setModel(line.key().model())
        .setCallType(line.key().callType())
        .setProject(line.key().project())
        .setUser(line.key().user())
        .setApiKeyId(line.key().apiKeyId())
        .setUsage(sums(line.counts()))
        .build();
  }

  static UsageSums sums(UsageCounts counts) {
    return UsageSums.newBuilder()
        .setCharged(counts.charged())
        .setInputTokens(counts.inputTokens())
        .setOutputTokens(counts.outputTokens())
        .setCacheReadTokens(counts.cacheReadTokens())
        .setCacheWriteTokens(counts.cacheWriteTokens())
        .setCalls(counts.calls())
        .setReleased(counts.released())
        .setExpired(counts.expired())
        .build();
  }

  private static String token(int offset, String queryId) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((offset + ":" + queryId).getBytes(StandardCharsets.UTF_8));
  }

  /** Where a page token of {@code queryId} goes on; 0 for the empty token; empty for anything else. */
  private static Optional<Integer> offset(String token, String queryId) {
    if (token.isEmpty()) return Optional.of(0);
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":", 2);
      int offset = Integer.parseInt(parts[0]);
      return parts.length == 2 && offset > 0 && parts[1].equals(queryId) ? Optional.of(offset) : Optional.empty();
    } catch (IllegalArgumentException notAToken) {
      return Optional.empty();
    }
  }
}
