package dev.tally.ops.cluster;

import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.testkit.NodeProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * How long the orgs of a crashed node go unserved: from the moment the node is killed to each org's
 * first successful call through the SDK (its node selection and retries included), for the orgs
 * whose shards lived on that node.
 */
final class FailoverWindow {

  /** Pekko's default number of shards, with the id {@code HashCodeMessageExtractor} gives an entity id. */
  private static final int NUMBER_OF_SHARDS = 1000;

  private FailoverWindow() {}

  /** The orgs among {@code orgIds} whose shards {@code node} hosts right now. */
  static List<String> orgsHostedBy(NodeProcess node, List<String> orgIds) throws IOException {
    String shards = NodeProcess.httpBody(node.managementPort(), "/cluster/shards/OrgAccount");
    return orgIds.stream().filter(orgId -> shards.contains("\"shardId\":\"" + shardId(orgId) + "\"")).toList();
  }

  private static String shardId(String orgId) {
    return Integer.toString(Math.abs(orgId.hashCode() % NUMBER_OF_SHARDS));
  }

  /**
   * Asks each org for its balance until one call succeeds, each org on its own thread, for at most
   * {@code limit}; the time from {@code killedAtNanos} to that success, by org (missing: never within the limit).
   */
  static Map<String, Duration> untilServed(TallyClient tally, List<String> orgIds, long killedAtNanos, Duration limit)
      throws InterruptedException {
    ExecutorService probes = Executors.newFixedThreadPool(orgIds.size());
    try {
      long giveUp = System.nanoTime() + limit.toNanos();
      List<CompletableFuture<Duration>> served = new ArrayList<>();
      for (String orgId : orgIds) {
        served.add(CompletableFuture.supplyAsync(() -> firstSuccess(tally, orgId, killedAtNanos, giveUp), probes));
      }
      Map<String, Duration> windows = new TreeMap<>();
      for (int i = 0; i < orgIds.size(); i++) {
        Duration window = served.get(i).join();
        if (window != null) windows.put(orgIds.get(i), window);
      }
      return windows;
    } finally {
      probes.shutdownNow();
      probes.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  private static Duration firstSuccess(TallyClient tally, String orgId, long killedAtNanos, long giveUpNanos) {
    while (System.nanoTime() < giveUpNanos) {
      try {
        tally.balance(orgId);
        return Duration.ofNanos(System.nanoTime() - killedAtNanos);
      } catch (TallyException notYet) {
        // The SDK has retried this call as far as its policy goes; a caller would ask again.
      }
    }
    return null;
  }
}
