package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.v1.Credits;
import dev.tally.v1.GetUsageRequest;
import dev.tally.v1.GetUsageRequest.Dimension;
import dev.tally.v1.GetUsageRequest.Granularity;
import dev.tally.v1.GetUsageResponse;
import dev.tally.v1.UsageRow;
import dev.tally.v1.UsageSums;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The usage page's table by project and model as CSV, streamed a GetUsage page at a time. The first
 * page is read before anything is sent, so a refusal (another org, a bad range) is an error page
 * with its status like the usage page's, never a partial file.
 */
final class UsageCsv {

  static final List<String> HEADER = List.of("project", "model", "credits", "calls", "input_tokens", "output_tokens",
      "cache_read_tokens", "cache_write_tokens", "released", "expired");

  private UsageCsv() {}

  static void stream(WebRequest request, Session session, String orgId, UsageRange range) throws IOException {
    TallyClient tally = session.tally();
    GetUsageRequest.Builder query = UsagePage.query(orgId, range, Granularity.WHOLE_RANGE, Dimension.PROJECT, Dimension.MODEL);
    GetUsageResponse page = tally.accounts().getUsage(query.build());
    try (OutputStream out = request.download("text/csv; charset=utf-8", fileName(orgId, range))) {
      out.write(line(HEADER).getBytes(StandardCharsets.UTF_8));
      while (true) {
        StringBuilder text = new StringBuilder();
        for (UsageRow row : page.getRowsList()) text.append(line(cells(row)));
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        if (page.getNextPageToken().isEmpty()) return;
        try {
          page = tally.accounts().getUsage(query.setPageToken(page.getNextPageToken()).build());
        } catch (TallyException e) {
          // The status went out with the first page: say in the file that it stops short.
          out.write(line(List.of("(incomplete: Tally stopped answering; download again)")).getBytes(StandardCharsets.UTF_8));
          return;
        }
      }
    }
  }

  /** {@code usage-<org>-<from>-<to>.csv}, with any character of the org id but {@code [A-Za-z0-9._-]} as {@code _}. */
  static String fileName(String orgId, UsageRange range) {
    return "usage-" + orgId.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + range.from() + "-" + range.to() + ".csv";
  }

  static List<String> cells(UsageRow row) {
    UsageSums usage = row.getUsage();
    return List.of(row.getProject(), row.getModel(), Credits.format(usage.getCharged()), Long.toString(usage.getCalls()),
        Long.toString(usage.getInputTokens()), Long.toString(usage.getOutputTokens()),
        Long.toString(usage.getCacheReadTokens()), Long.toString(usage.getCacheWriteTokens()),
        Long.toString(usage.getReleased()), Long.toString(usage.getExpired()));
  }

  /**
   * One CSV record (RFC 4180, CRLF). Labels are the callers' free text: a cell a spreadsheet would run
   * as a formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe, as tallyctl's CSV does.
   */
  static String line(List<String> cells) {
    return cells.stream().map(UsageCsv::cell).collect(Collectors.joining(",")) + "\r\n";
  }

  private static String cell(String cell) {
    String safe = !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0 ? "'" + cell : cell;
    if (safe.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r')) return safe;
    return '"' + safe.replace("\"", "\"\"") + '"';
  }
}
