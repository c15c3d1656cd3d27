package dev.tally.testkit;

import dev.tally.v1.LedgerEntry;
import dev.tally.v1.TokenUsage;
import dev.tally.v1.UsageSums;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What a usage report must say, recomputed from an org's ledger (ListLedger) the way a reader of it would. */
public final class LedgerUsage {

  private LedgerUsage() {}

  /**
   * The ledger's charges, commits, releases and expiries summed by {@code group} (say, an entry's
   * model and API key id): what GetUsage grouped the same way shows.
   */
  public static Map<String, UsageSums> sums(List<LedgerEntry> ledger, Function<LedgerEntry, String> group) {
    Map<String, UsageSums> sums = new HashMap<>();
    for (LedgerEntry entry : ledger) {
      UsageSums.Builder add = UsageSums.newBuilder();
      TokenUsage tokens = entry.getUsage().getTokens();
      switch (entry.getType()) {
        case "RESERVATION_COMMITTED", "CREDITS_CHARGED" -> add.setCharged(entry.getAmount()).setCalls(1)
            .setInputTokens(tokens.getInputTokens()).setOutputTokens(tokens.getOutputTokens())
            .setCacheReadTokens(tokens.getCacheReadTokens()).setCacheWriteTokens(tokens.getCacheWriteTokens());
        case "RESERVATION_RELEASED" -> add.setReleased(1);
        case "RESERVATION_EXPIRED" -> add.setExpired(1);
        default -> {
          continue;
        }
      }
      sums.merge(group.apply(entry), add.build(), LedgerUsage::plus);
    }
    return sums;
  }

  /** The model a charge is reported under: its token usage's, else its labels'. */
  public static String model(LedgerEntry entry) {
    return entry.getUsage().getTokens().getModel().isEmpty() ? entry.getLabels().getModel()
        : entry.getUsage().getTokens().getModel();
  }

  static UsageSums plus(UsageSums a, UsageSums b) {
    return UsageSums.newBuilder().setCharged(a.getCharged() + b.getCharged())
        .setInputTokens(a.getInputTokens() + b.getInputTokens())
        .setOutputTokens(a.getOutputTokens() + b.getOutputTokens())
        .setCacheReadTokens(a.getCacheReadTokens() + b.getCacheReadTokens())
        .setCacheWriteTokens(a.getCacheWriteTokens() + b.getCacheWriteTokens())
        .setCalls(a.getCalls() + b.getCalls())
        .setReleased(a.getReleased() + b.getReleased())
        .setExpired(a.getExpired() + b.getExpired())
        .build();
  }
}
