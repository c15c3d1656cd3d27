package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import com.google.protobuf.Timestamp;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.GetUsageRequest.Dimension;
import dev.tally.v1.GetUsageRequest.Granularity;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.UsageRow;
import dev.tally.v1.UsageSums;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** An org's usage report, from the read side (a key of the org, or an admin key). */
final class UsageCommands {

  /** What {@code --by} takes: one bucket at most, and any of the dimensions. */
  static final String BY_WORDS = "hour, day, month, model, call-type, project, user, key";

  private UsageCommands() {}

  /** Every page of the report, as a table, JSON or CSV. */
  static void usage(Invocation run) {
    GetUsageRequest.Builder request = GetUsageRequest.newBuilder().setOrgId(run.operand(0))
        .setFrom(run.option("from").map(text -> AccountCommands.timestamp("--from", text)).orElseGet(UsageCommands::monthStart))
        .setTo(run.option("to").map(text -> AccountCommands.timestamp("--to", text)).orElseGet(UsageCommands::nextHour))
        .setTimeZone(run.option("zone").orElse(""))
        .setGranularity(Granularity.WHOLE_RANGE);
    List<Dimension> by = new ArrayList<>();
    for (String word : run.option("by").map(text -> text.split(",")).orElse(new String[0])) {
      switch (word.trim().toLowerCase(Locale.ROOT)) {
        case "hour" -> bucket(request, Granularity.HOUR);
        case "day" -> bucket(request, Granularity.DAY);
        case "month" -> bucket(request, Granularity.MONTH);
        case "model" -> by.add(Dimension.MODEL);
        case "call-type" -> by.add(Dimension.CALL_TYPE);
        case "project" -> by.add(Dimension.PROJECT);
        case "user" -> by.add(Dimension.USER);
        case "key" -> by.add(Dimension.API_KEY);
        default -> throw Failure.usage("--by " + word + " is not one of " + BY_WORDS);
      }
    }
    request.addAllGroupBy(by);
    if (run.out().json && run.arguments().flag("csv")) throw Failure.usage("--json and --csv: choose one");

    List<UsageRow> rows = new ArrayList<>();
    GetUsageResponse last;
    String token = "";
    do {
      GetUsageRequest page = request.setPageToken(token).build();
      last = run.tally().read(run.operand(0), () -> run.tally().accounts().getUsage(page));
      rows.addAll(last.getRowsList());
      token = last.getNextPageToken();
    } while (!token.isEmpty());

    List<String> headers = headers(request.getGranularity(), by);
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("rows", ApiJson.of(rows));
      document.add("totals", ApiJson.of(last.getTotals()));
      document.addProperty("applied_sequence_nr", last.getAppliedSequenceNr());
      run.out().document(document);
    } else if (run.arguments().flag("csv")) {
      csv(run.out(), headers, rows, request.getGranularity(), by);
    } else {
      Table table = new Table(headers.toArray(String[]::new));
      int firstAmount = headers.size() - 8;
      table.alignRight(IntStream.range(firstAmount, headers.size()).toArray());
      for (UsageRow row : rows) table.row(cells(row, request.getGranularity(), by, true).toArray());
      table.row(Stream.concat(Stream.concat(Stream.of("TOTAL"), Stream.generate(() -> "").limit(firstAmount - 1)),
          sums(last.getTotals(), true).stream()).toArray());
      run.out().table(table);
      run.out().line("counted up to the org's event " + last.getAppliedSequenceNr()
          + (last.hasLastEventAt() ? " of " + AccountCommands.time(last.getLastEventAt()) : ""));
    }
  }

  private static void bucket(GetUsageRequest.Builder request, Granularity granularity) {
    if (request.getGranularity() != Granularity.WHOLE_RANGE) throw Failure.usage("--by takes one of hour, day, month");
    request.setGranularity(granularity);
  }

  private static Timestamp monthStart() {
    Instant start = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    return Timestamp.newBuilder().setSeconds(start.getEpochSecond()).build();
  }

  private static Timestamp nextHour() {
    Instant next = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    return Timestamp.newBuilder().setSeconds(next.getEpochSecond()).build();
  }

  private static List<String> headers(Granularity granularity, List<Dimension> by) {
    List<String> headers = new ArrayList<>();
    if (granularity != Granularity.WHOLE_RANGE) headers.add(granularity.name());
    by.forEach(dimension -> headers.add(dimension == Dimension.API_KEY ? "KEY" : dimension.name().replace('_', ' ')));
    headers.addAll(List.of("CREDITS", "CALLS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "RELEASED", "EXPIRED"));
    return headers;
  }

  private static List<String> cells(UsageRow row, Granularity granularity, List<Dimension> by, boolean credits) {
    List<String> cells = new ArrayList<>();
    if (granularity != Granularity.WHOLE_RANGE) cells.add(AccountCommands.time(row.getBucketStart()));
    for (Dimension dimension : by) {
      cells.add(switch (dimension) {
        case MODEL -> row.getModel();
        case CALL_TYPE -> row.getCallType();
        case PROJECT -> row.getProject();
        case USER -> row.getUser();
        default -> row.getApiKeyId();
      });
    }
    cells.addAll(sums(row.getUsage(), credits));
    return cells;
  }

  /** In a table credits as credits; in CSV in µcr, exact and unformatted for a spreadsheet. */
  private static List<String> sums(UsageSums sums, boolean credits) {
    return List.of(credits ? format(sums.getCharged()) : Long.toString(sums.getCharged()),
        Long.toString(sums.getCalls()), Long.toString(sums.getInputTokens()), Long.toString(sums.getOutputTokens()),
        Long.toString(sums.getCacheReadTokens()), Long.toString(sums.getCacheWriteTokens()),
        Long.toString(sums.getReleased()), Long.toString(sums.getExpired()));
  }

  private static void csv(Output out, List<String> headers, List<UsageRow> rows, Granularity granularity,
      List<Dimension> by) {
    List<String> named = new ArrayList<>(headers.stream().map(header -> header.toLowerCase(Locale.ROOT).replace(' ', '_'))
        .toList());
    named.set(named.indexOf("credits"), "charged_micro_credits");
    StringBuilder text = new StringBuilder(csvLine(named));
    for (UsageRow row : rows) text.append(csvLine(cells(row, granularity, by, false)));
    out.raw(text.toString());
  }

  /**
   * One CSV record (RFC 4180, CRLF). Labels are the callers' free text: a cell a spreadsheet would
   * run as a formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe.
   */
  static String csvLine(List<String> cells) {
    return cells.stream().map(UsageCommands::csvCell).collect(Collectors.joining(",")) + "\r\n";
  }

  private static String csvCell(String cell) {
    String safe = !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
    if (safe.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) return safe;
    return '"' + safe.replace("\"", "\"\"") + '"';
  }
}
