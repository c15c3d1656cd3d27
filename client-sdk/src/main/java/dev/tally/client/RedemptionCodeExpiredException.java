package dev.tally.client;

import java.time.Instant;
import java.util.Optional;

/** RedeemCode: the code's batch expired; nothing was granted. */
public final class RedemptionCodeExpiredException extends TallyException {

  RedemptionCodeExpiredException(Failure failure) {
    super(failure);
  }

  /** When the code stopped being redeemable (metadata "expires_at"). */
  public Optional<Instant> expiresAt() {
    return instant(metadata().get("expires_at"));
  }

  static Optional<Instant> instant(String text) {
    try {
      return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
