package dev.tally.client;

/**
 * PurchasePackage: the payment reference was used for another org, package or amount; nothing was
 * granted for this request. {@link #metadata()} names the recorded purchase ("org_id",
 * "package_name", "amount"). A resend of the recorded purchase itself succeeds, replayed.
 */
public final class PaymentReferenceReusedException extends TallyException {

  PaymentReferenceReusedException(Failure failure) {
    super(failure);
  }
}
