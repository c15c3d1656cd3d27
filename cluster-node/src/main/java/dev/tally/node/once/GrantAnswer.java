package dev.tally.node.once;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome;
import dev.tally.node.account.Outcome.Rejected;
import dev.tally.node.account.Outcome.Rejection;

/**
 * What an org's answer to a grant with an id of the sender's own means: the org holds the grant,
 * refused it (nothing was granted), or it is not known (no answer, or a failure): send it again.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(GrantAnswer.Issued.class),
  @JsonSubTypes.Type(GrantAnswer.Refused.class),
  @JsonSubTypes.Type(GrantAnswer.Unknown.class)
})
public sealed interface GrantAnswer extends CborSerializable {

  record Issued() implements GrantAnswer {}

  record Refused(Rejected refusal) implements GrantAnswer {}

  record Unknown(String why) implements GrantAnswer {}

  /**
   * The grant id is the sender's alone (derived from what it grants for): a grant already under it
   * is this one, granted before, so GRANT_EXISTS means issued.
   */
  static GrantAnswer of(Outcome outcome, Throwable failure) {
    if (outcome instanceof Outcome.Done) return new Issued();
    if (outcome instanceof Rejected rejected) {
      return rejected.reason() == Rejection.GRANT_EXISTS ? new Issued() : new Refused(rejected);
    }
    if (outcome instanceof Outcome.Failed failed) return new Unknown(failed.description());
    if (outcome instanceof Outcome.Unavailable unavailable) return new Unknown(unavailable.description());
    return new Unknown(failure == null ? "no answer" : failure.toString());
  }
}
