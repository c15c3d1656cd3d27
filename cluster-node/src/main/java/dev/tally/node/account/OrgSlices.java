package dev.tally.node.account;

/**
 * Which slice of the read side an org belongs to: one reader per slice (on one node of the cluster
 * at a time) is the single writer of its orgs' read-side rows, and an org's directory row lives in
 * its slice's partition. {@value #COUNT} slices let up to that many nodes share the read side's
 * work. Rows are keyed by it: never change it in a deployment with read-side rows.
 */
public final class OrgSlices {

  public static final int COUNT = 32;

  private OrgSlices() {}

  /** The slice of an org: a stable function of its id (String.hashCode is specified). */
  public static int sliceOf(String orgId) {
    return Math.floorMod(orgId.hashCode(), COUNT);
  }
}
