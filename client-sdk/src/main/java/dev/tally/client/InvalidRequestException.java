package dev.tally.client;

import com.google.rpc.BadRequest;
import java.util.List;

/**
 * A request was malformed (negative amount, unknown model, TTL out of range…); nothing changed.
 * {@link #fieldViolations()} lists every wrong field. Retrying the same request fails again.
 */
public final class InvalidRequestException extends TallyException {

  InvalidRequestException(Failure failure) {
    super(failure);
  }

  /** Each wrong field of the request (proto field names, e.g. {@code amount}, {@code labels.model}) and why. */
  public List<BadRequest.FieldViolation> fieldViolations() {
    return detail(BadRequest.class).map(BadRequest::getFieldViolationsList).orElse(List.of());
  }
}
