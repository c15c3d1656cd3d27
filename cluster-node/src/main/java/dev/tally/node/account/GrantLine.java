package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import java.time.Instant;

/**
 * One grant as an org's grant list shows it: with credits left ({@code ACTIVE}), or finished and
 * how. {@code grant} is as it last stood, so its {@code remaining} is what a finished grant lost
 * to expiry or voiding (0 when used up); {@code endedAt} is null while it is active.
 */
public record GrantLine(Grant grant, State state, Instant endedAt) implements CborSerializable {

  public enum State {
    ACTIVE,
    USED_UP,
    EXPIRED,
    VOIDED
  }

  static GrantLine active(Grant grant) {
    return new GrantLine(grant, State.ACTIVE, null);
  }

  /** Credits drawn from the grant by charges and debt settlements. */
  public long used() {
    return grant.amount() - grant.remaining();
  }

  /** Credits left to draw: none once the grant is finished. */
  public long remaining() {
    return state == State.ACTIVE ? grant.remaining() : 0;
  }

  /** Credits the grant lost when it expired (rule 7). */
  public long expired() {
    return state == State.EXPIRED ? grant.remaining() : 0;
  }

  /** Credits taken back when the grant was voided. */
  public long voided() {
    return state == State.VOIDED ? grant.remaining() : 0;
  }
}
