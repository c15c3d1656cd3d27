package dev.tally.client;

/**
 * The request id was used before for an operation with other content; nothing changed. A caller
 * that passes its own request ids reused one for a different operation.
 */
public final class IdempotencyMismatchException extends TallyException {

  IdempotencyMismatchException(Failure failure) {
    super(failure);
  }
}
