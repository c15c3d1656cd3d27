package dev.tally.node.usage;

import dev.tally.node.CborSerializable;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgSlices;
import dev.tally.node.account.Written;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * What a node's org accounts wrote, told to the read side: after a write each account adds what its
 * events change in the org's directory row to what waits for its org ({@link OrgDelta}: a few
 * sums, nothing on the write's path), and every {@link #TELL_EVERY} the node tells each slice's
 * reader, wherever it runs, what its orgs wrote since. The reader applies that without reading the
 * journal while notices follow one another; a notice lost with a node only delays those rows until
 * the reader's reconciliation.
 */
public final class ChangeFeed implements Written {

  /**
   * A second, not less: an org that writes again within it is told once, its rows written once
   * (BENCHMARKS.md, issue 18: read-side requests per pair), and its writes still show well within the
   * read side's freshness bound.
   */
  static final Duration TELL_EVERY = Duration.ofSeconds(1);

  /** The orgs of one slice that wrote, each with what its events since the last notice change. */
  public record OrgsWritten(Map<String, OrgDelta> deltas) implements CborSerializable {}

  /** Since the last telling; at most one entry per org of this node. */
  private final Map<String, OrgDelta> unheard = new ConcurrentHashMap<>();
  private final List<ActorRef<Topic.Command<OrgsWritten>>> slices;

  private ChangeFeed(List<ActorRef<Topic.Command<OrgsWritten>>> slices) {
    this.slices = slices;
  }

  /** The node's feed, telling each slice's topic every {@link #TELL_EVERY}. */
  public static ChangeFeed start(ActorSystem<?> system) {
    ChangeFeed feed = new ChangeFeed(IntStream.range(0, OrgSlices.COUNT).mapToObj(slice -> topicOf(system, slice)).toList());
    system.scheduler().scheduleWithFixedDelay(TELL_EVERY, TELL_EVERY, feed::tell, system.executionContext());
    return feed;
  }

  /** This node's instance of the slice's topic (the same name on every node: they find each other). */
  static ActorRef<Topic.Command<OrgsWritten>> topicOf(ActorSystem<?> system, int slice) {
    return system.systemActorOf(Topic.create(OrgsWritten.class, "read-side-" + slice), "read-side-" + slice, Props.empty());
  }

  /** The topic of the slice's notices on this node: the read side's reader and the webhook dispatcher hear it. */
  public ActorRef<Topic.Command<OrgsWritten>> slice(int slice) {
    return slices.get(slice);
  }

  @Override
  public void written(String orgId, List<OrgEvent> events, long lastSeqNr) {
    if (events.isEmpty()) return;
    unheard.merge(orgId, OrgDelta.of(lastSeqNr - events.size() + 1, events), OrgDelta::merge);
  }

  private void tell() {
    if (unheard.isEmpty()) return;
    Map<Integer, Map<String, OrgDelta>> bySlice = new HashMap<>();
    for (String orgId : unheard.keySet()) {
      OrgDelta delta = unheard.remove(orgId);
      if (delta != null) bySlice.computeIfAbsent(OrgSlices.sliceOf(orgId), slice -> new HashMap<>()).put(orgId, delta);
    }
    bySlice.forEach((slice, orgs) -> slices.get(slice).tell(Topic.publish(new OrgsWritten(Map.copyOf(orgs)))));
  }
}
