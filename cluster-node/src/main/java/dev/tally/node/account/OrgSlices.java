package dev.tally.node.account;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Which slice of the read side an org's events belong to: each org's events carry the tag
 * {@code orgs-<slice>}, and one projection per slice reads them in order (events-by-tag keeps an
 * org's events in their order within its tag).
 *
 * <p>The number of slices is fixed for the life of a deployment: tags are written with the events
 * and never rewritten, so a different count would put an org's later events under another tag
 * than its earlier ones. {@value #COUNT} lets up to that many nodes share the read side's work, and
 * keeps each tag's per-minute partition of {@code tally.tag_views} small at far more events per
 * second than one node writes (see persistence.conf's bucket size).
 */
public final class OrgSlices {

  /** How many slices the orgs are spread over. Never change it in a deployment with events. */
  public static final int COUNT = 32;

  private static final String TAG_PREFIX = "orgs-";

  private OrgSlices() {}

  /** The slice of an org: a stable function of its id (String.hashCode is specified). */
  public static int sliceOf(String orgId) {
    return Math.floorMod(orgId.hashCode(), COUNT);
  }

  /** The tag every event of the org carries. */
  public static String tagOf(String orgId) {
    return tagOfSlice(sliceOf(orgId));
  }

  public static String tagOfSlice(int slice) {
    if (slice < 0 || slice >= COUNT) throw new IllegalArgumentException("no slice " + slice);
    return TAG_PREFIX + slice;
  }

  /** Every slice's tag, slice 0 first. */
  public static List<String> tags() {
    return IntStream.range(0, COUNT).mapToObj(OrgSlices::tagOfSlice).toList();
  }
}
