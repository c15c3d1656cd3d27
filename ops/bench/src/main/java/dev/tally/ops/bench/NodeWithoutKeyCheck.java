package dev.tally.ops.bench;

import dev.tally.node.Main;
import dev.tally.node.TallyNode;

/**
 * A node exactly as {@link Main} starts it but serving calls without checking their API keys: the
 * "without" of the bench's measurement of what authentication costs per call. It lives in the bench,
 * which is never deployed; a deployed node cannot be told to skip the check.
 */
public final class NodeWithoutKeyCheck {

  private NodeWithoutKeyCheck() {}

  public static void main(String[] args) throws Exception {
    Main.start(TallyNode.Callers.ANYONE_TO_MEASURE_THE_KEY_CHECK);
  }
}
