package dev.tally.node.once;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;
import dev.tally.node.once.ReferenceEvent.GrantIssued;
import dev.tally.node.once.ReferenceEvent.GrantRefused;
import dev.tally.node.once.ReferenceEvent.GrantRequested;

/** Where one reference stands: unused, granting (its grant may or may not be in the org yet), or granted. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(ReferenceState.Unused.class),
  @JsonSubTypes.Type(ReferenceState.Granting.class),
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
      if (event instanceof GrantIssued issued) return new Granted(requested, issued);
      if (event instanceof GrantRefused) return new Unused();
      throw new IllegalStateException("granting reference got " + event);
    }
  }

  record Granted(GrantRequested requested, GrantIssued issued) implements ReferenceState {
    @Override
    public ReferenceState apply(ReferenceEvent event) {
      throw new IllegalStateException("a granted reference is final, got " + event);
    }
  }
}
