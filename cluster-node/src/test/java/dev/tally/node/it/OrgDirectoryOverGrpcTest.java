package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.testkit.Eventually;
import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestNode;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Balance;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.DirectoryEntry;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListOrgsRequest;
import dev.tally.v1.ListOrgsResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.TopOrgsRequest;
import dev.tally.v1.VoidGrantRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ListOrgs over gRPC: the read side's directory, built from the journal by events-by-tag, shows
 * each org with the same money its ledger adds up to, and filters by plan and by state.
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrgDirectoryOverGrpcTest {

  ManagedChannel channel;
  String funded;
  String depleted;
  String owing;

  AccountsGrpc.AccountsBlockingStub accounts() {
    return AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  MeteringGrpc.MeteringBlockingStub metering() {
    return MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES);
  }

  static String id() {
    return UUID.randomUUID().toString();
  }

  String org(String name, long credits) {
    String orgId = "directory-" + name + "-" + id();
    accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan("payg")
        .setDisplayName("Directory " + name).build());
    accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setGrantId("g-" + name)
        .setKind(GrantKind.PROMOTION).setAmount(credits * MICROS_PER_CREDIT).build());
    return orgId;
  }

  @BeforeAll
  void threeOrgs() {
    channel = TestNode.node().channel();
    funded = org("funded", 10);
    metering().charge(ChargeRequest.newBuilder().setOrgId(funded).setRequestId(id()).setAmount(3 * MICROS_PER_CREDIT).build());
    depleted = org("depleted", 5);
    accounts().voidGrant(VoidGrantRequest.newBuilder().setOrgId(depleted).setRequestId(id()).setGrantId("g-depleted")
        .setReason("test").build());
    owing = org("owing", 1);
    String held = metering().reserve(ReserveRequest.newBuilder().setOrgId(owing).setRequestId(id())
        .setAmount(MICROS_PER_CREDIT).build()).getReservationId();
    metering().commit(CommitRequest.newBuilder().setOrgId(owing).setRequestId(id()).setReservationId(held)
        .setAmount(3 * MICROS_PER_CREDIT).build());
  }

  /** Every org the directory lists with this filter, page by page. */
  Map<String, DirectoryEntry> listed(ListOrgsRequest.Builder filter) {
    Map<String, DirectoryEntry> all = new HashMap<>();
    String token = "";
    do {
      ListOrgsResponse page = accounts().listOrgs(filter.setPageToken(token).build());
      page.getOrgsList().forEach(entry -> all.put(entry.getOrgId(), entry));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  List<LedgerEntry> ledger(String orgId) {
    return accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).build()).getEntriesList();
  }

  static long sum(List<LedgerEntry> ledger, String... types) {
    Set<String> wanted = Set.of(types);
    return ledger.stream().filter(entry -> wanted.contains(entry.getType())).mapToLong(LedgerEntry::getAmount).sum();
  }

  @Test
  void eachOrgShowsWhatItsLedgerAddsUpToAndTheFiltersFindTheDepletedAndTheOwing() throws Exception {
    List<String> ours = List.of(funded, depleted, owing);
    Map<String, Long> lastSequenceNr = ours.stream().collect(Collectors.toMap(org -> org,
        org -> ledger(org).stream().mapToLong(LedgerEntry::getSequenceNr).max().orElseThrow()));
    AtomicReference<Map<String, DirectoryEntry>> listing = new AtomicReference<>();
    Eventually.await("the three orgs in the directory up to their last event", Duration.ofSeconds(60), () -> {
      listing.set(listed(ListOrgsRequest.newBuilder()));
      return ours.stream().allMatch(org -> listing.get().containsKey(org)
          && listing.get().get(org).getAppliedSequenceNr() == lastSequenceNr.get(org));
    });
    Map<String, DirectoryEntry> shown = listing.get();

    for (String org : ours) {
      DirectoryEntry entry = shown.get(org);
      List<LedgerEntry> ledger = ledger(org);
      assertEquals(sum(ledger, "CREDITS_GRANTED"), entry.getGranted(), org);
      assertEquals(sum(ledger, "RESERVATION_COMMITTED", "CREDITS_CHARGED"), entry.getUsed(), org);
      assertEquals(sum(ledger, "GRANT_EXPIRED"), entry.getExpired(), org);
      assertEquals(sum(ledger, "GRANT_VOIDED"), entry.getVoided(), org);
      assertEquals(entry.getGranted() - entry.getUsed() - entry.getExpired() - entry.getVoided(), entry.getBalance(), org);
      Balance balance = metering().getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build()).getBalance();
      assertEquals(balance.getGrantedRemaining() - balance.getDebt(), entry.getBalance(), org + ": what GetBalance has");
      assertEquals("payg", entry.getPlan());
      assertTrue(entry.getDisplayName().startsWith("Directory "), entry.getDisplayName());
      assertTrue(entry.hasCreatedAt() && entry.hasLastEventAt(), entry.toString());
    }
    assertEquals(7 * MICROS_PER_CREDIT, shown.get(funded).getBalance());
    assertEquals(0, shown.get(depleted).getBalance());
    assertEquals(-2 * MICROS_PER_CREDIT, shown.get(owing).getBalance());

    Map<String, DirectoryEntry> inDebt = listed(ListOrgsRequest.newBuilder().setStatus(ListOrgsRequest.Status.IN_DEBT));
    assertTrue(inDebt.containsKey(owing));
    assertFalse(inDebt.containsKey(funded) || inDebt.containsKey(depleted), inDebt.keySet().toString());
    Map<String, DirectoryEntry> empty = listed(ListOrgsRequest.newBuilder().setStatus(ListOrgsRequest.Status.DEPLETED));
    assertTrue(empty.containsKey(owing) && empty.containsKey(depleted));
    assertFalse(empty.containsKey(funded));
    assertTrue(inDebt.values().stream().allMatch(entry -> entry.getBalance() < 0));
    assertFalse(listed(ListOrgsRequest.newBuilder().setPlan("enterprise")).containsKey(funded));
    assertTrue(listed(ListOrgsRequest.newBuilder().setPlan("payg").setPageSize(1)).containsKey(funded));
  }

  @Test
  void topOrgsRanksByWhatTheyUsedThisPeriod() throws Exception {
    String heavy = org("heavy", 2_000_000);
    metering().charge(ChargeRequest.newBuilder().setOrgId(heavy).setRequestId(id())
        .setAmount(1_999_999 * MICROS_PER_CREDIT).build());
    AtomicReference<List<DirectoryEntry>> top = new AtomicReference<>();
    Eventually.await("the heavy org first", Duration.ofSeconds(60), () -> {
      top.set(accounts().topOrgs(TopOrgsRequest.newBuilder().setLimit(5).setPlan("payg").build()).getOrgsList());
      return !top.get().isEmpty() && top.get().get(0).getOrgId().equals(heavy);
    });
    assertEquals(1_999_999 * MICROS_PER_CREDIT, top.get().get(0).getPeriodUsed());
    assertTrue(top.get().get(0).hasPeriodEnd(), top.get().get(0).toString());
    for (int i = 1; i < top.get().size(); i++) {
      assertTrue(top.get().get(i - 1).getPeriodUsed() >= top.get().get(i).getPeriodUsed(), top.get().toString());
    }
    assertTrue(top.get().size() <= 5);
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().topOrgs(TopOrgsRequest.newBuilder().setLimit(101).build()));
  }

  @Test
  void badPagingIsRefusedWithItsField() {
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().listOrgs(ListOrgsRequest.newBuilder().setPageSize(101).build()));
    for (String token : List.of("garbage", "OjA", "OTk6eA")) { // not base64 of a position; ":0"; "99:x"
      var details = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
          () -> accounts().listOrgs(ListOrgsRequest.newBuilder().setPageToken(token).build()));
      assertEquals("page_token", details.detail(com.google.rpc.BadRequest.class).orElseThrow().getFieldViolations(0).getField());
    }
    ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> accounts().listOrgs(ListOrgsRequest.newBuilder().setStatusValue(7).build()));
  }
}
