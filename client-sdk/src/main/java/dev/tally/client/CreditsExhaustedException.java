package dev.tally.client;

import java.util.OptionalLong;

/**
 * The org has not enough credits for the reserve or charge (or has debt); nothing changed. Do not
 * retry until the org gets credits: {@link #available()} tells how many it has.
 */
public final class CreditsExhaustedException extends TallyException {

  CreditsExhaustedException(Failure failure) {
    super(failure);
  }

  /** Micro-credits the org could use when it refused (negative with debt), if the node said. */
  public OptionalLong available() {
    return number("available");
  }

  /** Micro-credits the operation asked for, if the node said. */
  public OptionalLong requested() {
    return number("requested");
  }

  private OptionalLong number(String key) {
    String value = metadata().get(key);
    if (value == null) return OptionalLong.empty();
    try {
      return OptionalLong.of(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
