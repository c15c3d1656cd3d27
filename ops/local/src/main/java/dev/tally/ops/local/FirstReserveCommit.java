package dev.tally.ops.local;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;

import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Balance;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetOrgRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.PrintStream;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The README's walk-through as a program: open an org, give it 10 credits, reserve 2 for an AI
 * call, commit the 1.25 credits it really used, then show the balance and the ledger.
 * Usage: {@code FirstReserveCommit [host:port] [org-id]}, with an admin API key in TALLY_API_KEY
 * (run-local.sh prints one). Without an org id each run opens a fresh org, so the walk-through can
 * be run again; an org id that exists is used as it is, and each run grants it 10 credits more.
 */
public final class FirstReserveCommit {

  private FirstReserveCommit() {}

  public static void main(String[] args) throws InterruptedException {
    String target = args.length > 0 ? args[0] : "127.0.0.1:50051";
    String orgId = args.length > 1 ? args[1] : freshOrgId();
    String apiKey = System.getenv("TALLY_API_KEY");
    if (apiKey == null || apiKey.isBlank()) {
      System.err.println("set TALLY_API_KEY to an admin API key: export TALLY_API_KEY=$(cat .tally-data/admin-key)");
      System.exit(2);
    }
    Metadata authorization = new Metadata();
    authorization.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + apiKey.trim());
    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext()
        .intercept(MetadataUtils.newAttachHeadersInterceptor(authorization))
        .build();
    try {
      walkThrough(channel, orgId, System.out);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** An org id no run has used: {@code acme-} and 8 random hex digits. */
  static String freshOrgId() {
    return "acme-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Runs the walk-through against a node and returns the org's balance at the end. */
  public static Balance walkThrough(Channel channel, String orgId, PrintStream out) {
    var accounts = AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    var metering = MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);

    if (exists(accounts, orgId)) {
      out.println("org " + orgId + " exists already: an earlier run opened it");
    } else {
      accounts.createOrg(CreateOrgRequest.newBuilder()
          .setOrgId(orgId).setRequestId("create-" + orgId).setDisplayName("Acme AI").setPlan("payg").build());
      out.println("created org " + orgId);
    }
    accounts.grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(UUID.randomUUID().toString())
        .setKind(GrantKind.PURCHASE).setAmount(10 * MICROS_PER_CREDIT).build());
    out.println("granted 10 credits");

    ReserveResponse hold = metering.reserve(ReserveRequest.newBuilder()
        .setOrgId(orgId).setRequestId(UUID.randomUUID().toString()).setAmount(2 * MICROS_PER_CREDIT).build());
    out.println("reserved 2 credits as " + hold.getReservationId() + ", available now " + credits(hold.getBalance().getAvailable()));

    CommitResponse commit = metering.commit(CommitRequest.newBuilder()
        .setOrgId(orgId).setRequestId(UUID.randomUUID().toString())
        .setReservationId(hold.getReservationId()).setAmount(1_250_000).build());
    out.println("committed " + credits(commit.getCharged()) + " credits, released " + credits(commit.getReleased()));

    Balance balance = metering.getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance();
    out.println("balance: available " + credits(balance.getAvailable()) + ", held " + credits(balance.getHeld())
        + ", debt " + credits(balance.getDebt()));
    out.println("ledger:");
    for (LedgerEntry entry : accounts.listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).build()).getEntriesList()) {
      out.printf("  %3d %-22s %12s%n", entry.getSequenceNr(), entry.getType(), credits(entry.getAmount()));
    }
    return balance;
  }

  private static boolean exists(AccountsGrpc.AccountsBlockingStub accounts, String orgId) {
    try {
      accounts.getOrg(GetOrgRequest.newBuilder().setOrgId(orgId).build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return false;
      throw e;
    }
  }

  private static String credits(long microCredits) {
    return java.math.BigDecimal.valueOf(microCredits, 6).stripTrailingZeros().toPlainString();
  }
}
