package dev.tally.node.creditrequest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Rejection;
import java.time.Instant;

/**
 * What happened to an org's credit requests, in their own journal ({@code credit-requests|<org>}).
 * The decisions ({@link Approved} then {@link Granted}, or {@link Denied}) are what the org is told
 * about: the notification projection reads them from this journal.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(CreditRequestEvent.Filed.class),
  @JsonSubTypes.Type(CreditRequestEvent.Approved.class),
  @JsonSubTypes.Type(CreditRequestEvent.Granted.class),
  @JsonSubTypes.Type(CreditRequestEvent.GrantRefused.class),
  @JsonSubTypes.Type(CreditRequestEvent.Denied.class)
})
public sealed interface CreditRequestEvent extends CborSerializable {

  long number();

  Instant at();

  /** The org filed a request (open). */
  record Filed(CreditRequest request) implements CreditRequestEvent {
    @Override
    public long number() {
      return request.number();
    }

    @Override
    public Instant at() {
      return request.filedAt();
    }
  }

  /** An operator approved it: from now on its grant goes to the org, once. */
  record Approved(long number, String note, Instant at) implements CreditRequestEvent {}

  /** The org's account holds the request's grant. */
  record Granted(long number, Instant at) implements CreditRequestEvent {}

  /** The org's account refused the grant (nothing was granted): the request is open again. */
  record GrantRefused(long number, Rejection reason, String message, Instant at) implements CreditRequestEvent {}

  /** An operator denied it: nothing is granted. */
  record Denied(long number, String note, Instant at) implements CreditRequestEvent {}
}
