package dev.tally.node.creditrequest;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/**
 * One org's request for more credits (issue 17 item 5): filed once its usage passed the threshold,
 * then approved (a PROMOTION grant) or denied by an operator.
 *
 * @param number the request's place among the org's requests, from 1, never reused: its id in the API
 * @param requestId the filer's id of the filing, so a resent filing finds it
 * @param usage the org's period usage when it filed, for the operator who decides
 * @param decidedAt when it was approved or denied; null while open
 * @param note the operator's word with the decision; empty while open
 */
public record CreditRequest(
    long number,
    String requestId,
    long amount,
    String reason,
    PeriodUsage usage,
    Instant filedAt,
    Status status,
    Instant decidedAt,
    String note)
    implements CborSerializable {

  public enum Status {
    /** Waiting for an operator. */
    OPEN,
    /** Approved; its grant is on its way to the org's account. */
    GRANTING,
    /** Approved, and the org holds its grant. */
    APPROVED,
    /** Denied: nothing was granted. */
    DENIED;

    /** Still counts against the org's open requests: not decided for good. */
    boolean open() {
      return this == OPEN || this == GRANTING;
    }
  }

  /** What the org had used of its alert base in the period it filed in, in µcr. */
  public record PeriodUsage(long charged, long base) implements CborSerializable {}

  /** The PROMOTION grant of an approved request in its org: the same on every send, never another request's. */
  public String grantId() {
    return "credit-request:" + number;
  }

  /** A resent filing asks for the same thing; another with the same request id asks for something else. */
  boolean sameFiling(long otherAmount, String otherReason) {
    return amount == otherAmount && reason.equals(otherReason);
  }

  CreditRequest with(Status next, Instant at, String withNote) {
    return new CreditRequest(number, requestId, amount, reason, usage, filedAt, next, at, withNote);
  }
}
