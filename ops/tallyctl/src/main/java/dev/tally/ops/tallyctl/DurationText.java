package dev.tally.ops.tallyctl;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them on a command line: a whole number and a unit, {@code 30s}, {@code 15m}, {@code 24h}, {@code 7d}. */
final class DurationText {

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhd])");

  private DurationText() {}

  /** {@code text}, the value of {@code --option}, as a duration; a usage error names the option. */
  static Duration parse(String option, String text) {
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) throw Failure.usage("--" + option + " " + text + " is not a duration like 30s, 15m, 24h or 7d");
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
