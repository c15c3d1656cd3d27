package dev.tally.node.usage;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.terms.Usage;
import java.util.Optional;

/**
 * What the calls counted in one usage row add up to: µcr charged, tokens by kind, calls billed
 * (commits and one-step charges), and holds released by the caller (failed calls) or expired
 * uncommitted. Sums stop at {@link Long#MAX_VALUE} rather than wrap: a report's row counts usage,
 * the ledger keeps every charge exactly.
 */
public record UsageCounts(
    long charged,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheWriteTokens,
    long calls,
    long released,
    long expired) implements CborSerializable {

  public static final UsageCounts ZERO = new UsageCounts(0, 0, 0, 0, 0, 0, 0, 0);

  /** The one place that says how an event counts in the usage rows: its row and what it adds; empty for the others. */
  static Optional<UsageLine> of(OrgEvent event) {
    if (event instanceof OrgEvent.ReservationCommitted e) {
      return Optional.of(new UsageLine(UsageKey.of(e.at(), e.labels().reportedWith(e.usage()), e.apiKeyId()),
          charge(e.charged(), e.usage())));
    }
    if (event instanceof OrgEvent.CreditsCharged e) {
      return Optional.of(new UsageLine(UsageKey.of(e.at(), e.labels().reportedWith(e.usage()), e.apiKeyId()),
          charge(e.charged(), e.usage())));
    }
    if (event instanceof OrgEvent.ReservationReleased e) {
      return Optional.of(new UsageLine(UsageKey.of(e.at(), e.labels(), e.apiKeyId()),
          new UsageCounts(0, 0, 0, 0, 0, 0, 1, 0)));
    }
    if (event instanceof OrgEvent.ReservationExpired e) {
      return Optional.of(new UsageLine(UsageKey.of(e.at(), e.labels(), e.apiKeyId()),
          new UsageCounts(0, 0, 0, 0, 0, 0, 0, 1)));
    }
    return Optional.empty();
  }

  private static UsageCounts charge(long charged, Usage usage) {
    if (usage instanceof Usage.Tokens tokens) {
      return new UsageCounts(charged, tokens.inputTokens(), tokens.outputTokens(), tokens.cacheReadTokens(),
          tokens.cacheWriteTokens(), 1, 0, 0);
    }
    return new UsageCounts(charged, 0, 0, 0, 0, 1, 0, 0);
  }

  public UsageCounts plus(UsageCounts other) {
    return new UsageCounts(sum(charged, other.charged), sum(inputTokens, other.inputTokens),
        sum(outputTokens, other.outputTokens), sum(cacheReadTokens, other.cacheReadTokens),
        sum(cacheWriteTokens, other.cacheWriteTokens), sum(calls, other.calls), sum(released, other.released),
        sum(expired, other.expired));
  }

  /** Both counts are never negative: what is charged, used or counted. */
  private static long sum(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }
}
