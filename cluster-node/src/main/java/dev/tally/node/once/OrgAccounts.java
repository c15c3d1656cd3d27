package dev.tally.node.once;

import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import java.util.concurrent.CompletionStage;

/** How an entity that acts once reaches an org's account: the org's normal, batched path ({@code OrgBatcher#submit}). */
@FunctionalInterface
public interface OrgAccounts {
  CompletionStage<Outcome> execute(String orgId, Operation operation);
}
