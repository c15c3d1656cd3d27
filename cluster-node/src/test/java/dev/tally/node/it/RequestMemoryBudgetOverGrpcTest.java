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
 * The node-wide bound on the request memory, as a node under many orgs keeps it: the orgs remember no more than
 * the node's budget in all once they are done, and a retry of a request any of them let go is still charged once.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestMemoryBudgetOverGrpcTest {

  static final int ORGS = 30;
  static final int CHARGES_PER_ORG = 60;
  /** Each org alone would remember every one of its requests; all of them together, ~1,900. */
  static final int NODE_MAX_ENTRIES = 1_000;

  InProcessNode node;
  MeteringGrpc.MeteringBlockingStub metering;
  MeteringGrpc.MeteringFutureStub meteringAsync;
  AccountsGrpc.AccountsBlockingStub accounts;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), """
        tally.idempotency.max-entries = 100
        tally.idempotency.node-max-entries = %d
        tally.group-commit.max-batch = 10
        """.formatted(NODE_MAX_ENTRIES));
    metering = node.metering().withDeadlineAfter(1, TimeUnit.MINUTES);
    meteringAsync = MeteringGrpc.newFutureStub(node.channel());
    accounts = node.accounts().withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  ChargeRequest charge(String orgId) {
    return ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setAmount(MICROS_PER_CREDIT).build();
  }

  @Test
  void manyOrgsRememberNoMoreThanTheNodesBudgetAndARetryOfWhatTheyLetGoIsChargedOnce() throws Exception {
    Map<ChargeRequest, ChargeResponse> firsts = new LinkedHashMap<>();
    for (int i = 0; i < ORGS; i++) {
      String orgId = "org-" + id();
      accounts.createOrg(CreateOrgRequest.newBuilder()
          .setOrgId(orgId).setRequestId(id()).setDisplayName("Org " + i).setPlan("payg").build());
      accounts.grantCredits(GrantCreditsRequest.newBuilder()
          .setOrgId(orgId).setRequestId(id()).setKind(GrantKind.PURCHASE).setAmount(1000 * MICROS_PER_CREDIT).build());
      ChargeRequest first = charge(orgId);
      firsts.put(first, metering.charge(first));
    }
    List<ListenableFuture<ChargeResponse>> others = new ArrayList<>();
    for (int round = 0; round < CHARGES_PER_ORG; round++) {
      for (ChargeRequest first : firsts.keySet()) {
        others.add(meteringAsync.withDeadlineAfter(1, TimeUnit.MINUTES).charge(charge(first.getOrgId())));
      }
    }
    Futures.allAsList(others).get(2, TimeUnit.MINUTES);

    // Orgs that write keep their share; those idle for a few seconds with more are asked to leave memory.
    Eventually.await("the node's orgs remembering no more than its budget", Duration.ofSeconds(30),
        () -> gauge("tally_request_memory_entries") <= NODE_MAX_ENTRIES);
    assertEquals(NODE_MAX_ENTRIES, gauge("tally_request_memory_budget"));

    long afterAll = (1000 - 1 - CHARGES_PER_ORG) * MICROS_PER_CREDIT;
    for (Map.Entry<ChargeRequest, ChargeResponse> first : firsts.entrySet()) {
      ChargeResponse retry = metering.charge(first.getKey());
      assertEquals(first.getValue().getCharged(), retry.getCharged());
      assertEquals(first.getValue().getDrawsList(), retry.getDrawsList());
      assertEquals(afterAll, balance(first.getKey().getOrgId()), "the retry charged nothing");
    }
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

  long balance(String orgId) {
    return metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }
}
