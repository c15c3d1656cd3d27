package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.MeteringGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rule 6 at any rate, as a client meets it: a one-step Charge retried after its org let the request go from memory
 * is still charged once, whether the org let it go for its own bound (100 requests here) or for the node's (1,000
 * in all, which the orgs of the second test hold ~1,900 of before they are asked to let go).
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestMemoryOverGrpcTest {

  static final int ORG_MAX_ENTRIES = 100;
  static final int NODE_MAX_ENTRIES = 1_000;
  static final long GRANTED = 1000 * MICROS_PER_CREDIT;

  InProcessNode node;
  MeteringGrpc.MeteringBlockingStub metering;
  MeteringGrpc.MeteringFutureStub meteringAsync;
  AccountsGrpc.AccountsBlockingStub accounts;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), """
        tally.idempotency.max-entries = %d
        tally.idempotency.node-max-entries = %d
        tally.group-commit.max-batch = 10
        """.formatted(ORG_MAX_ENTRIES, NODE_MAX_ENTRIES));
    metering = node.metering().withDeadlineAfter(1, TimeUnit.MINUTES);
    meteringAsync = MeteringGrpc.newFutureStub(node.channel());
    accounts = node.accounts().withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void aChargeRetriedAfterMoreThanItsOrgKeepsOtherRequestsIsChargedOnce() throws Exception {
    String orgId = fundedOrg();
    ChargeRequest first = charge(orgId);
    ChargeResponse original = metering.charge(first);

    // Sent at once, so they reach the org in batches, several of them pushing requests out of memory.
    List<ListenableFuture<ChargeResponse>> others = new ArrayList<>();
    for (int i = 0; i < 3 * ORG_MAX_ENTRIES; i++) others.add(chargeAsync(orgId));
    Futures.allAsList(others).get(2, TimeUnit.MINUTES);
    long afterOthers = GRANTED - (1 + 3 * ORG_MAX_ENTRIES) * MICROS_PER_CREDIT;
    assertEquals(afterOthers, balance(orgId));

    ChargeResponse retry = metering.charge(first);
    assertEquals(original.getCharged(), retry.getCharged());
    assertEquals(original.getDrawsList(), retry.getDrawsList());
    assertEquals(afterOthers, retry.getBalance().getAvailable(), "the retry charged nothing");
    assertEquals(afterOthers, balance(orgId));
  }

  @Test
  void manyOrgsRememberNoMoreThanTheNodesBudgetAndARetryOfWhatTheyLetGoIsChargedOnce() throws Exception {
    int orgs = 30;
    int chargesPerOrg = 60; // each org alone keeps all of its requests
    Map<ChargeRequest, ChargeResponse> firsts = new LinkedHashMap<>();
    for (int i = 0; i < orgs; i++) {
      ChargeRequest first = charge(fundedOrg());
      firsts.put(first, metering.charge(first));
    }
    List<ListenableFuture<ChargeResponse>> others = new ArrayList<>();
    for (int round = 0; round < chargesPerOrg; round++) {
      for (ChargeRequest first : firsts.keySet()) others.add(chargeAsync(first.getOrgId()));
    }
    Futures.allAsList(others).get(2, TimeUnit.MINUTES);

    // Orgs that write keep their share; those idle for a few seconds with more are asked to leave memory.
    Eventually.await("the node's orgs remembering no more than its budget", Duration.ofSeconds(30),
        () -> gauge("tally_request_memory_entries") <= NODE_MAX_ENTRIES);
    assertEquals(NODE_MAX_ENTRIES, gauge("tally_request_memory_budget"));

    long afterAll = GRANTED - (1 + chargesPerOrg) * MICROS_PER_CREDIT;
    for (Map.Entry<ChargeRequest, ChargeResponse> first : firsts.entrySet()) {
      ChargeResponse retry = metering.charge(first.getKey());
      assertEquals(first.getValue().getCharged(), retry.getCharged());
      assertEquals(first.getValue().getDrawsList(), retry.getDrawsList());
      assertEquals(afterAll, balance(first.getKey().getOrgId()), "the retry charged nothing");
    }
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  /** A new pay-as-you-go org holding {@link #GRANTED} purchased micro-credits. */
  String fundedOrg() {
    String orgId = "org-" + id();
    accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan("payg").build());
    accounts.grantCredits(GrantCreditsRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setKind(GrantKind.PURCHASE).setAmount(GRANTED).build());
    return orgId;
  }

  static ChargeRequest charge(String orgId) {
    return ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build();
  }

  ListenableFuture<ChargeResponse> chargeAsync(String orgId) {
    return meteringAsync.withDeadlineAfter(1, TimeUnit.MINUTES).charge(charge(orgId));
  }

  long balance(String orgId) {
    return metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }

  double gauge(String name) {
    String metrics;
    try {
      metrics = NodeProcess.httpBody(node.metricsPort(), "/metrics");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return metrics.lines()
        .filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(name.length()).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name));
  }
}
