package dev.tally.node.once;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.once.ReferenceEvent.GrantIssued;
import dev.tally.node.once.ReferenceEvent.GrantRefused;
import dev.tally.node.once.ReferenceEvent.GrantRequested;
import dev.tally.node.once.ReferenceEvent.RewardCredited;
import dev.tally.node.once.ReferenceEvent.RewardRefused;

/**
 * Where one reference stands: unused, granting (its grant may or may not be in the org yet),
 * rewarding (granted; the referrer's reward may or may not be in the referrer yet), or granted.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(ReferenceState.Unused.class),
  @JsonSubTypes.Type(ReferenceState.Granting.class),
  @JsonSubTypes.Type(ReferenceState.Rewarding.class),
  @JsonSubTypes.Type(ReferenceState.Granted.class)
})
public sealed interface ReferenceState extends CborSerializable {

  ReferenceState apply(ReferenceEvent event);

  record Unused() implements ReferenceState {
    @Override
    public ReferenceState apply(ReferenceEvent event) {
      if (event instanceof GrantRequested requested) return new Granting(requested);
      throw new IllegalStateException("unused reference got " + event);
    }
  }

  record Granting(GrantRequested requested) implements ReferenceState {
    @Override
    public ReferenceState apply(ReferenceEvent event) {
      if (event instanceof GrantIssued issued) {
        return requested.claim().referrerOrgId() != null ? new Rewarding(requested, issued) : new Granted(requested, issued);
      }
      if (event instanceof GrantRefused) return new Unused();
      throw new IllegalStateException("granting reference got " + event);
    }
  }

  /** The grant is issued; the referrer's reward is owed until its answer is recorded. */
  record Rewarding(GrantRequested requested, GrantIssued issued) implements ReferenceState {
    @Override
    public ReferenceState apply(ReferenceEvent event) {
      if (event instanceof RewardCredited || event instanceof RewardRefused) return new Granted(requested, issued);
      throw new IllegalStateException("rewarding reference got " + event);
    }
  }

  record Granted(GrantRequested requested, GrantIssued issued) implements ReferenceState {
    @Override
    public ReferenceState apply(ReferenceEvent event) {
      throw new IllegalStateException("a granted reference is final, got " + event);
    }
  }
}
