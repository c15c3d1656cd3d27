package dev.tally.client;

/**
 * RedeemCode: no redemption code is this text (mistyped, or never generated); VoidRedemptionCode: no
 * code has this id or text. Nothing was granted or changed. Each wrong code a RedeemCode sends counts
 * against the org's guesses: past them the call is a {@link RateLimitedException}.
 */
public final class RedemptionCodeNotFoundException extends TallyException {

  RedemptionCodeNotFoundException(Failure failure) {
    super(failure);
  }
}
