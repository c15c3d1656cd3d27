package dev.tally.ops.tallyctl;

import static dev.tally.v1.Credits.format;

import com.google.gson.JsonObject;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.TopOrgsRequest;
import dev.tally.v1.TopOrgsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The org directory: every org, from the read side (admin key). */
final class DirectoryCommands {

  private DirectoryCommands() {}

  /** Every page, or the first {@code --limit} orgs. */
  static void orgs(Invocation run) {
    ListOrgsRequest.Builder request = ListOrgsRequest.newBuilder().setPlan(run.option("plan").orElse(""));
    run.option("status").ifPresent(status -> request.setStatus(status(status)));
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
    Table table = new Table("ORG", "NAME", "PLAN", "BALANCE", "GRANTED", "USED", "EXPIRED", "VOIDED", "LAST EVENT")
        .alignRight(3, 4, 5, 6, 7);
    for (DirectoryEntry org : shown) {
      table.row(org.getOrgId(), org.getDisplayName(), org.getPlan(), format(org.getBalance()), format(org.getGranted()),
          format(org.getUsed()), format(org.getExpired()), format(org.getVoided()),
          org.hasLastEventAt() ? AccountCommands.time(org.getLastEventAt()) : "");
    }
    run.out().table(table);
  }

  /** The orgs that used the most this period. */
  static void top(Invocation run) {
    TopOrgsRequest request = TopOrgsRequest.newBuilder().setPlan(run.option("plan").orElse(""))
        .setLimit(run.option("limit").map(DirectoryCommands::count).orElse(10)).build();
    TopOrgsResponse top = run.tally().read(null, () -> run.tally().accounts().topOrgs(request));
    if (run.out().json) {
      JsonObject document = new JsonObject();
      document.add("orgs", ApiJson.of(top.getOrgsList()));
      run.out().document(document);
      return;
    }
    Table table = new Table("ORG", "NAME", "PLAN", "USED THIS PERIOD", "PERIOD ENDS", "BALANCE").alignRight(3, 5);
    for (DirectoryEntry org : top.getOrgsList()) {
      table.row(org.getOrgId(), org.getDisplayName(), org.getPlan(), format(org.getPeriodUsed()),
          org.hasPeriodEnd() ? AccountCommands.time(org.getPeriodEnd()) : "", format(org.getBalance()));
    }
    run.out().table(table);
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
