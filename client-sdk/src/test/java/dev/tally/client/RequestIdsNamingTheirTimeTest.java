package dev.tally.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import java.io.IOException;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A busy org's node reads its request table only for ids that may be there: the SDK's ids name the
 * time they were made (UUIDv7), so fresh calls of an org that pushes requests out of memory all the
 * time need no read, while a retry of a call pushed out long ago is still found and charged once,
 * also after the node was killed with SIGKILL and started again. A real node process with a memory
 * of 200 request ids per org, on a real Cassandra.
 */
@ExtendWith(TestCassandra.class)
class RequestIdsNamingTheirTimeTest {

  static final int MAX_ENTRIES = 200;
  /** Fewer than memory holds: each wave's calls push out only requests made before the wave. */
  static final int WAVE = 128;
  static final Map<String, String> SETTINGS = Map.of("TALLY_IDEMPOTENCY_MAX_ENTRIES", Integer.toString(MAX_ENTRIES));

  @Test
  void aBusyOrgsFreshCallsSkipTheRequestTableAndARetryBeyondMemoryIsChargedOnceAlsoAfterAKill() throws Exception {
    String orgId = "busy-" + UUID.randomUUID();
    ChargeRequest first = oneCredit(orgId);
    ChargeResponse original;
    try (NodeProcess node = start(SETTINGS); TallyClient tally = client(node)) {
      openWithTenThousandCredits(tally, orgId);
      original = tally.charge(first);
      chargeInWaves(tally, orgId, 8);

      assertTrue(spilled(node) >= 8 * WAVE - MAX_ENTRIES, "requests left memory for the table: " + spilled(node));
      assertEquals(0, lookups(node), "no fresh call read the table");
      assertEquals(firstOutcome(original), firstOutcome(tally.charge(first)), "the retry gets the first outcome");
      assertEquals(Credits.of(10_000 - 1 - 8 * WAVE), tally.balance(orgId).getBalance().getAvailable(), "charged once");
      assertEquals(1, lookups(node), "it was looked up: its id names a time before the spilled ones'");
      node.kill();
    }

    try (NodeProcess restarted = start(SETTINGS); TallyClient tally = client(restarted)) {
      assertEquals(firstOutcome(original), firstOutcome(tally.charge(first)), "after the kill, the retry still gets it");
      chargeInWaves(tally, orgId, 2);
      assertEquals(1, lookups(restarted), "the retry read the table; the fresh calls after the recovery did not");
      assertEquals(Credits.of(10_000 - 1 - 10 * WAVE), tally.balance(orgId).getBalance().getAvailable(), "charged once");
    }
  }

  /**
   * A node that remembers fewer request ids per org than the one that served it (a lowered max-entries after a
   * restart, or another setting on another node during a rolling change): the org's replay pushes requests out of
   * memory that the first node never wrote to the request table. Its recovery writes them, so a retry of one is
   * still charged once.
   */
  @Test
  void aRetryIsChargedOnceWhenItsOrgRecoversOnANodeThatRemembersFewerIds() throws Exception {
    String orgId = "shrunk-" + UUID.randomUUID();
    ChargeRequest first = oneCredit(orgId);
    ChargeResponse original;
    try (NodeProcess node = start(SETTINGS); TallyClient tally = client(node)) {
      openWithTenThousandCredits(tally, orgId);
      original = tally.charge(first);
      chargeInWaves(tally, orgId, 1);
      assertEquals(0, spilled(node), "below three quarters of its memory: nothing in the request table");
      node.kill();
    }

    int fewer = 100; // the least a node takes: as many as one batch of the group commit holds
    try (NodeProcess smaller = start(Map.of("TALLY_IDEMPOTENCY_MAX_ENTRIES", Integer.toString(fewer)));
        TallyClient tally = client(smaller)) {
      assertEquals(firstOutcome(original), firstOutcome(tally.charge(first)), "the retry gets the first outcome");
      assertEquals(Credits.of(10_000 - 1 - WAVE), tally.balance(orgId).getBalance().getAvailable(), "charged once");
      assertTrue(spilled(smaller) >= WAVE + 1 - fewer, "its recovery wrote what replay pushed out: " + spilled(smaller));
    }
  }

  /**
   * {@code waves} times {@link #WAVE} one-credit charges sent at once, each wave after the last one
   * was answered and the clock's millisecond moved on, so its ids name a later time than any before.
   */
  static void chargeInWaves(TallyClient tally, String orgId, int waves) {
    for (int wave = 0; wave < waves; wave++) {
      long answered = System.currentTimeMillis();
      while (System.currentTimeMillis() == answered) Thread.onSpinWait();
      List<CompletableFuture<ChargeResponse>> charges = new ArrayList<>();
      for (int i = 0; i < WAVE; i++) {
        charges.add(tally.chargeAsync(ChargeRequest.newBuilder().setOrgId(orgId).setAmount(Credits.of(1)).build()));
      }
      CompletableFuture.allOf(charges.toArray(CompletableFuture[]::new)).join();
    }
  }

  /** A one-credit charge with an id the SDK would make: a UUIDv7 naming the time now. */
  static ChargeRequest oneCredit(String orgId) {
    return ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(ProtoMapping.newRequestId()).setAmount(Credits.of(1)).build();
  }

  static void openWithTenThousandCredits(TallyClient tally, String orgId) {
    tally.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setPlan(Orgs.PLAN).build());
    tally.accounts().grantCredits(GrantCreditsRequest.newBuilder()
        .setOrgId(orgId).setKind(GrantKind.PURCHASE).setAmount(Credits.of(10_000)).build());
  }

  /** What a charge's answer says of the charge itself; the balance beside it is the current one. */
  static ChargeResponse firstOutcome(ChargeResponse answer) {
    return answer.toBuilder().clearBalance().build();
  }

  static NodeProcess start(Map<String, String> settings) throws Exception {
    return NodeProcess.start(TestCassandra.server(), settings, NodeProcess.testJvmOptions(), Paths.get("target", "nodes"));
  }

  static TallyClient client(NodeProcess node) {
    return TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(node.address()).defaultDeadline(Duration.ofMinutes(1)).build();
  }

  /** The node's reads of tally.request_outcomes. */
  static long lookups(NodeProcess node) throws IOException {
    return (long) metric(node, "tally_requests_lookups_total ");
  }

  /** Request ids the node wrote to tally.request_outcomes, ahead or in front of a batch. */
  static long spilled(NodeProcess node) throws IOException {
    return (long) metric(node, "tally_requests_spilled_total{");
  }

  static double metric(NodeProcess node, String prefix) throws IOException {
    return NodeProcess.httpBody(node.metricsPort(), "/metrics").lines()
        .filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
