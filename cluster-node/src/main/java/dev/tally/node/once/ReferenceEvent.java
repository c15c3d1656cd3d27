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
  @JsonSubTypes.Type(ReferenceEvent.GrantRefused.class),
  @JsonSubTypes.Type(ReferenceEvent.RewardCredited.class),
  @JsonSubTypes.Type(ReferenceEvent.RewardRefused.class)
})
public sealed interface ReferenceEvent extends CborSerializable {

  /**
   * The reference is used, for this claim: from now on it is granted to this org or to nobody. When
   * the claim names a referrer, a reward is owed to it from the moment the grant is issued.
   */
  record GrantRequested(Claim claim, Instant at) implements ReferenceEvent {}

  /** The org's account holds the grant. */
  record GrantIssued(Instant at) implements ReferenceEvent {}

  /** The org's account refused the grant (nothing was granted): the reference is unused again. */
  record GrantRefused(Rejection reason, String message, Instant at) implements ReferenceEvent {}

  /** The referrer's account holds the purchase's reward: {@code reward} µcr (0 when a cap was reached). */
  record RewardCredited(long reward, Instant at) implements ReferenceEvent {}

  /** The referrer's account refused the reward (e.g. it earns from too many referred orgs): none is owed any more. */
  record RewardRefused(Rejection reason, String message, Instant at) implements ReferenceEvent {}
}
