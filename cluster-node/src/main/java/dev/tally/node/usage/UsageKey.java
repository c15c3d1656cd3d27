package dev.tally.node.usage;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.Labels;
import dev.tally.node.account.Period;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Which usage row a call counts in: the UTC hour it happened in and what it was about (its labels,
 * "" where the caller gave none) and the API key that made it ("" when unknown).
 */
public record UsageKey(Instant hour, String model, String callType, String project, String user, String apiKeyId)
    implements CborSerializable {

  /** The row of a call made at {@code at}. */
  static UsageKey of(Instant at, Labels labels, String apiKeyId) {
    return new UsageKey(at.truncatedTo(ChronoUnit.HOURS), labels.model(), labels.callType(), labels.project(),
        labels.user(), apiKeyId);
  }

  /** The hour's row for calls beyond an org's distinct rows of a day: every label {@link Period#OTHER}. */
  UsageKey other() {
    return new UsageKey(hour, Period.OTHER, Period.OTHER, Period.OTHER, Period.OTHER, Period.OTHER);
  }

  /** The UTC day the row is stored under. */
  LocalDate day() {
    return LocalDate.ofInstant(hour, ZoneOffset.UTC);
  }
}
