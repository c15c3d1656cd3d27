package dev.tally.node.code;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Rejection;
import java.time.Instant;

/** What happened to one redemption code, in its own journal ({@code code|<sha256>}); never the code itself. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(CodeEvent.Defined.class),
  @JsonSubTypes.Type(CodeEvent.Voided.class),
  @JsonSubTypes.Type(CodeEvent.RedemptionRequested.class),
  @JsonSubTypes.Type(CodeEvent.RedemptionIssued.class),
  @JsonSubTypes.Type(CodeEvent.RedemptionRefused.class)
})
public sealed interface CodeEvent extends CborSerializable {

  /** The code exists, with its batch's terms. */
  record Defined(CodeTerms terms, Instant at) implements CodeEvent {}

  /** An operator voided the code: no redemption starts from now on; those made stay. */
  record Voided(Instant at) implements CodeEvent {}

  /** Redemption {@code number} is this org's: from now on it is granted to this org or to nobody. */
  record RedemptionRequested(String orgId, int number, Instant at) implements CodeEvent {}

  /** The org's account holds the grant of redemption {@code number}. */
  record RedemptionIssued(int number, Instant at) implements CodeEvent {}

  /** The org's account refused the grant (nothing was granted): redemption {@code number} is free again. */
  record RedemptionRefused(int number, Rejection reason, String message, Instant at) implements CodeEvent {}
}
