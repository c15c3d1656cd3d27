package dev.tally.node.once;

import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import java.util.concurrent.CompletionStage;

/** How an entity that grants exactly once reaches an org's account: the org's normal, batched path. */
@FunctionalInterface
public interface OrgGrants {
  CompletionStage<Outcome> grant(String orgId, Operation.GrantCredits grant);
}
