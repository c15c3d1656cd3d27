package dev.tally.node.once;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.account.Outcome.Rejection;
import java.time.Instant;

/** What happened to one reference, in its own journal ({@code <type>|<key>}). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(ReferenceEvent.GrantRequested.class),
  @JsonSubTypes.Type(ReferenceEvent.GrantIssued.class),
  @JsonSubTypes.Type(ReferenceEvent.GrantRefused.class)
})
public sealed interface ReferenceEvent extends CborSerializable {

  /** The reference is used, for this claim: from now on it is granted to this org or to nobody. */
  record GrantRequested(Claim claim, Instant at) implements ReferenceEvent {}

  /** The org's account holds the grant. */
  record GrantIssued(Instant at) implements ReferenceEvent {}

  /** The org's account refused the grant (nothing was granted): the reference is unused again. */
  record GrantRefused(Rejection reason, String message, Instant at) implements ReferenceEvent {}
}
