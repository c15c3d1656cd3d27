package dev.tally.client;

import java.util.OptionalInt;

/**
 * RedeemCode: the code was redeemed as often as its batch allows, by other orgs or, for a code
 * redeemable more than once, by this one; nothing was granted.
 */
public final class RedemptionCodeUsedUpException extends TallyException {

  RedemptionCodeUsedUpException(Failure failure) {
    super(failure);
  }

  /** How many redemptions the code allows (metadata "max_redemptions"). */
  public OptionalInt maxRedemptions() {
    try {
      String text = metadata().get("max_redemptions");
      return text == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }
}
