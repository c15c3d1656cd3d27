package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.MeteringGrpc;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rule 6 at any rate, as a client meets it: a one-step Charge retried after more other requests than
 * an org keeps in memory is still charged once. The node keeps 100 request ids per org here.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetriesBeyondMemoryOverGrpcTest {

  static final int MAX_ENTRIES = 100;

  InProcessNode node;
  MeteringGrpc.MeteringBlockingStub metering;
  MeteringGrpc.MeteringFutureStub meteringAsync;
  AccountsGrpc.AccountsBlockingStub accounts;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), "tally.idempotency.max-entries = " + MAX_ENTRIES);
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

  ChargeRequest charge(String orgId, String requestId) {
    return ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(requestId).setAmount(MICROS_PER_CREDIT).build();
  }

  @Test
  void aChargeRetriedAfterMoreThanMaxEntriesOtherRequestsIsChargedOnce() throws Exception {
    String orgId = "org-" + id();
    accounts.createOrg(CreateOrgRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setDisplayName("Busy").setPlan("payg").build());
    accounts.grantCredits(GrantCreditsRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id()).setKind(GrantKind.PURCHASE).setAmount(1000 * MICROS_PER_CREDIT).build());
    ChargeRequest first = charge(orgId, id());
    ChargeResponse original = metering.charge(first);

    // Sent at once, so they reach the org in batches, several of them pushing requests out of memory.
    List<ListenableFuture<ChargeResponse>> others = new ArrayList<>();
    for (int i = 0; i < 3 * MAX_ENTRIES; i++) {
      others.add(meteringAsync.withDeadlineAfter(1, TimeUnit.MINUTES).charge(charge(orgId, id())));
    }
    Futures.allAsList(others).get(2, TimeUnit.MINUTES);
    long afterOthers = (1000 - 1 - 3 * MAX_ENTRIES) * MICROS_PER_CREDIT;
    assertEquals(afterOthers, balance(orgId));

    ChargeResponse retry = metering.charge(first);
    assertEquals(original.getCharged(), retry.getCharged());
    assertEquals(original.getDrawsList(), retry.getDrawsList());
    assertEquals(afterOthers, retry.getBalance().getAvailable(), "the retry charged nothing");
    assertEquals(afterOthers, balance(orgId));
  }

  long balance(String orgId) {
    return metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance().getAvailable();
  }
}
