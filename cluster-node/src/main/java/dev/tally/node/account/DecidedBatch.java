package dev.tally.node.account;

import dev.tally.node.account.AccountState.Handled;
import dev.tally.node.account.RequestMemory.Retention;
import java.util.List;

/**
 * The batch whose events the entity is persisting, with the state that deciding on it reached.
 * Pekko's event handler applies a persisted batch right away, in order, on the actor's thread;
 * for those events it gets the decided state back instead of applying each event a second time.
 * Any other event (recovery replays them all) is applied as usual.
 */
final class DecidedBatch {

  private List<OrgEvent> events = List.of();
  private AccountState after;
  private int applied;

  /** The next events to apply are {@code handled}'s, and they lead to its state after. */
  void expect(Handled handled) {
    events = handled.events();
    after = handled.after();
    applied = 0;
  }

  AccountState apply(AccountState state, OrgEvent event, Retention retention) {
    if (applied == events.size()) return state.apply(event, retention);
    if (events.get(applied) != event) {
      // Only the batch's own instances, in its order, may skip their apply.
      if (applied > 0) throw new IllegalStateException("a batch's events were applied out of order at " + event);
      forget();
      return state.apply(event, retention);
    }
    applied++;
    if (applied < events.size()) return state;
    AccountState decided = after;
    forget();
    return decided;
  }

  private void forget() {
    events = List.of();
    after = null;
    applied = 0;
  }
}
