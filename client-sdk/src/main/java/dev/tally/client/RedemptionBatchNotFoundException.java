package dev.tally.client;

/** ListRedemptionCodes, VoidRedemptionBatch: no batch of redemption codes has this id; nothing changed. */
public final class RedemptionBatchNotFoundException extends TallyException {

  RedemptionBatchNotFoundException(Failure failure) {
    super(failure);
  }
}
