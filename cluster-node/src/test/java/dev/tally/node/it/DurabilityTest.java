package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import io.grpc.ManagedChannel;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An acknowledged commit survives the node process being killed: a new node reads the same account. */
@ExtendWith(TestCassandra.class)
class DurabilityTest {

  record Seen(GetBalanceResponse balance, ListLedgerResponse ledger) {}

  @Test
  void anAcknowledgedCommitSurvivesTheNodeBeingKilled() throws Exception {
    String orgId = "durable-" + UUID.randomUUID();
    Seen beforeCrash;
    try (NodeProcess node = NodeProcess.start(TestCassandra.server())) {
      ManagedChannel channel = node.channel();
      var accounts = AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
      var metering = MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
      accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId("create").setPlan("payg").build());
      accounts.grantCredits(GrantCreditsRequest.newBuilder()
          .setOrgId(orgId).setRequestId("grant").setKind(GrantKind.PURCHASE).setAmount(10_000_000).build());
      for (int call = 0; call < 5; call++) {
        String reservationId = metering.reserve(ReserveRequest.newBuilder()
            .setOrgId(orgId).setRequestId("reserve-" + call).setAmount(1_000_000).build()).getReservationId();
        metering.commit(CommitRequest.newBuilder()
            .setOrgId(orgId).setRequestId("commit-" + call).setReservationId(reservationId).setAmount(700_001).build());
      }
      beforeCrash = seen(channel, orgId);
      node.kill();
    }
    assertEquals(10_000_000 - 5 * 700_001, beforeCrash.balance().getBalance().getAvailable());

    try (NodeProcess restarted = NodeProcess.start(TestCassandra.server())) {
      assertEquals(beforeCrash, seen(restarted.channel(), orgId));
    }
  }

  private static Seen seen(ManagedChannel channel, String orgId) {
    return new Seen(
        MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
            .getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()),
        AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
            .listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build()));
  }
}
