package dev.tally.client;

import java.time.Instant;
import java.util.Optional;

/** RedeemCode: an operator voided the code; nothing was granted. */
public final class RedemptionCodeVoidedException extends TallyException {

  RedemptionCodeVoidedException(Failure failure) {
    super(failure);
  }

  /** When it was voided (metadata "voided_at"). */
  public Optional<Instant> voidedAt() {
    return RedemptionCodeExpiredException.instant(metadata().get("voided_at"));
  }
}
