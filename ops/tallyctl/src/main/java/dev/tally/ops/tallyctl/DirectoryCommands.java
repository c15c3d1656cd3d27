package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import com.google.protobuf.Timestamp;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.TopOrgsRequest;
import dev.tally.v1.TopOrgsResponse;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The org directory: every org, from the read side (admin key). */
final class DirectoryCommands {

  private DirectoryCommands() {}

  /** Every page, or the first {@code --limit} orgs; in the directory's order or by usage in a month. */
  static void orgs(Invocation run) {
    ListOrgsRequest.Builder request = ListOrgsRequest.newBuilder().setPlan(run.option("plan").orElse(""));
    run.option("status").ifPresent(status -> request.setStatus(status(status)));
    boolean byUsage = run.option("sort").map(DirectoryCommands::byUsage).orElse(false);
    if (byUsage) request.setOrder(ListOrgsRequest.Order.USAGE);
    Optional<YearMonth> month = run.option("month").map(DirectoryCommands::month);
    if (month.isPresent() && !byUsage) throw Failure.usage("--month ranks by usage: add --sort usage");
    month.ifPresent(start -> request.setUsagePeriod(firstInstant(start)));
    int limit = run.option("limit").map(DirectoryCommands::count).orElse(Integer.MAX_VALUE);
    List<DirectoryEntry> orgs = new ArrayList<>();
    String token = "";
    do {
      ListOrgsRequest page = request.setPageToken(token).build();
      ListOrgsResponse listed = run.tally().read(null, () -> run.tally().accounts().listOrgs(page));
      orgs.addAll(listed.getOrgsList());
      token = listed.getNextPageToken();
    } while (!token.isEmpty() && orgs.size() < limit);
    List<DirectoryEntry> shown = orgs.subList(0, Math.min(limit, orgs.size()));
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("orgs", ApiJson.of(shown));
      run.out().document(document);
      return;
    }
    List<String> columns = new ArrayList<>(List.of("ORG", "NAME", "PLAN", "BALANCE", "GRANTED", "USED", "EXPIRED",
        "VOIDED", "LAST EVENT"));
    if (byUsage) columns.add(3, usedIn(month));
    Table table = new Table(columns.toArray(String[]::new)).alignRight(byUsage ? new int[] {3, 4, 5, 6, 7, 8}
        : new int[] {3, 4, 5, 6, 7});
    for (DirectoryEntry org : shown) {
      List<String> row = new ArrayList<>(List.of(org.getOrgId(), org.getDisplayName(), org.getPlan(),
          format(org.getBalance()), format(org.getGranted()), format(org.getUsed()), format(org.getExpired()),
          format(org.getVoided()), org.hasLastEventAt() ? AccountCommands.time(org.getLastEventAt()) : ""));
      if (byUsage) row.add(3, format(org.getUsagePeriodUsed()));
      table.row(row.toArray(String[]::new));
    }
    run.out().table(table);
  }

  /** The orgs that used the most in a month. */
  static void top(Invocation run) {
    Optional<YearMonth> month = run.option("month").map(DirectoryCommands::month);
    TopOrgsRequest.Builder asked = TopOrgsRequest.newBuilder().setPlan(run.option("plan").orElse(""))
        .setLimit(run.option("limit").map(DirectoryCommands::count).orElse(10));
    month.ifPresent(start -> asked.setUsagePeriod(firstInstant(start)));
    TopOrgsRequest request = asked.build();
    TopOrgsResponse top = run.tally().read(null, () -> run.tally().accounts().topOrgs(request));
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("orgs", ApiJson.of(top.getOrgsList()));
      run.out().document(document);
      return;
    }
    Table table = new Table("ORG", "NAME", "PLAN", usedIn(month), "BALANCE").alignRight(3, 4);
    for (DirectoryEntry org : top.getOrgsList()) {
      table.row(org.getOrgId(), org.getDisplayName(), org.getPlan(), format(org.getUsagePeriodUsed()),
          format(org.getBalance()));
    }
    run.out().table(table);
  }

  private static String usedIn(Optional<YearMonth> month) {
    return month.map(start -> "USED IN " + start).orElse("USED THIS MONTH");
  }

  private static boolean byUsage(String order) {
    if (order.equalsIgnoreCase("usage")) return true;
    throw Failure.usage("not an order: " + order + " (usage)");
  }

  private static YearMonth month(String text) {
    try {
      return YearMonth.parse(text);
    } catch (DateTimeParseException notAMonth) {
      throw Failure.usage("not a month: " + text + " (YYYY-MM, e.g. 2026-11)");
    }
  }

  private static Timestamp firstInstant(YearMonth month) {
    return Timestamp.newBuilder().setSeconds(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond()).build();
  }

  private static ListOrgsRequest.Status status(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "depleted" -> ListOrgsRequest.Status.DEPLETED;
      case "in-debt" -> ListOrgsRequest.Status.IN_DEBT;
      default -> throw Failure.usage("not a status: " + text + " (depleted or in-debt)");
    };
  }

  private static int count(String text) {
    try {
      int count = Integer.parseInt(text);
      if (count > 0) return count;
    } catch (NumberFormatException notANumber) {
      // said below
    }
    throw Failure.usage("not a positive number: " + text);
  }
}
