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
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status.Code;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
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
    pagesOf(filter).forEach(page -> page.forEach(entry -> all.put(entry.getOrgId(), entry)));
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

  /**
   * ListOrgs by usage: five orgs on a plan no other test uses, read two to a page, come most used
   * this month first and tied ones by org id, each once; last month ranks them all at 0, by org id;
   * TopOrgs is the ranking's first page.
   */
  @Test
  void ordersByUsageThisMonthPageByPageAndTopOrgsIsItsFirstPage() throws Exception {
    String run = id().substring(0, 8);
    Map<String, Long> usedBy = new HashMap<>();
    long[] credits = {5, 3, 3, 1, 0};
    for (int i = 0; i < credits.length; i++) {
      String orgId = "ranked-" + run + "-" + i;
      accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(orgId).setRequestId(id()).setPlan("professional").build());
      if (credits[i] > 0) {
        metering().charge(ChargeRequest.newBuilder().setOrgId(orgId).setRequestId(id())
            .setAmount(credits[i] * MICROS_PER_CREDIT).build());
      }
      usedBy.put(orgId, credits[i] * MICROS_PER_CREDIT);
    }
    List<String> expected = usedBy.keySet().stream()
        .sorted(Comparator.<String>comparingLong(usedBy::get).reversed().thenComparing(Comparator.naturalOrder()))
        .toList();
    ListOrgsRequest.Builder byUsage = ListOrgsRequest.newBuilder().setPlan("professional")
        .setOrder(ListOrgsRequest.Order.USAGE).setPageSize(2);
    AtomicReference<List<List<DirectoryEntry>>> pages = new AtomicReference<>();
    Eventually.await("the five orgs ranked by what they used", Duration.ofSeconds(60), () -> {
      pages.set(pagesOf(byUsage));
      return pages.get().stream().flatMap(List::stream).map(DirectoryEntry::getOrgId).toList().equals(expected);
    });
    assertEquals(List.of(2, 2, 1), pages.get().stream().map(List::size).toList());
    for (DirectoryEntry org : pages.get().stream().flatMap(List::stream).toList()) {
      assertEquals(usedBy.get(org.getOrgId()), org.getUsagePeriodUsed(), org.toString());
      assertEquals(org.getPeriodUsed(), org.getUsagePeriodUsed(), "this month is the org's current period");
    }

    Instant thisMonth = Instant.ofEpochSecond(pages.get().get(0).get(0).getPeriodStart().getSeconds());
    assertEquals(1, thisMonth.atZone(ZoneOffset.UTC).getDayOfMonth());
    Timestamp lastMonth = Timestamp.newBuilder()
        .setSeconds(thisMonth.atZone(ZoneOffset.UTC).minusMonths(1).toEpochSecond()).build();
    List<DirectoryEntry> previous = pagesOf(byUsage.clone().setUsagePeriod(lastMonth)).stream().flatMap(List::stream).toList();
    assertEquals(expected.stream().sorted().toList(), previous.stream().map(DirectoryEntry::getOrgId).toList(),
        "none used anything last month: all tied, by org id");
    assertTrue(previous.stream().allMatch(org -> org.getUsagePeriodUsed() == 0 && !org.hasPreviousPeriodStart()));

    List<DirectoryEntry> top = accounts().topOrgs(TopOrgsRequest.newBuilder().setPlan("professional").setLimit(3).build())
        .getOrgsList();
    assertEquals(expected.subList(0, 3), top.stream().map(DirectoryEntry::getOrgId).toList());
    assertEquals(5 * MICROS_PER_CREDIT, top.get(0).getUsagePeriodUsed());
  }

  /** Each page of a listing, read to its end. */
  List<List<DirectoryEntry>> pagesOf(ListOrgsRequest.Builder listing) {
    List<List<DirectoryEntry>> pages = new ArrayList<>();
    String token = "";
    do {
      ListOrgsResponse page = accounts().listOrgs(listing.setPageToken(token).build());
      pages.add(page.getOrgsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return pages;
  }

  @Test
  void aRankingRefusesAMonthItDoesNotKeepAndTokensOfAnotherListing() {
    Instant thisMonth = Instant.now().atZone(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
    ListOrgsRequest.Builder byUsage = ListOrgsRequest.newBuilder().setOrder(ListOrgsRequest.Order.USAGE).setPageSize(1);
    String byOrgToken = accounts().listOrgs(ListOrgsRequest.newBuilder().setPageSize(1).build()).getNextPageToken();
    String byUsageToken = accounts().listOrgs(byUsage.build()).getNextPageToken();
    assertFalse(byOrgToken.isEmpty() || byUsageToken.isEmpty(), "the shared node has more than one org");
    Map<String, ListOrgsRequest> refused = Map.of(
        "usage_period", byUsage.clone().setUsagePeriod(month(thisMonth.atZone(ZoneOffset.UTC).minusMonths(2).toInstant()))
            .build(),
        "usage_period ", byUsage.clone().setUsagePeriod(month(thisMonth.plusSeconds(1))).build(),
        "usage_period  ", ListOrgsRequest.newBuilder().setUsagePeriod(month(thisMonth)).build(),
        "usage_period   ", byUsage.clone().setPageToken(byUsageToken)
            .setUsagePeriod(month(thisMonth.atZone(ZoneOffset.UTC).minusMonths(1).toInstant())).build(),
        "order", ListOrgsRequest.newBuilder().setOrderValue(7).build(),
        "page_token", byUsage.clone().setPageToken(byOrgToken).build(),
        "page_token ", ListOrgsRequest.newBuilder().setPageToken(byUsageToken).build(),
        "page_token  ", byUsage.clone().setPageToken(token("u:0:5:acme")).build(),
        "page_token   ", byUsage.clone().setPageToken(token("u:x:5:acme")).build());
    refused.forEach((field, request) -> {
      var details = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> accounts().listOrgs(request));
      assertEquals(field.strip(), details.detail(com.google.rpc.BadRequest.class).orElseThrow().getFieldViolations(0)
          .getField(), request.toString());
    });
    var details = ErrorDetails.expect(Code.INVALID_ARGUMENT, "INVALID_REQUEST", () -> accounts().topOrgs(
        TopOrgsRequest.newBuilder().setUsagePeriod(month(thisMonth.plus(Duration.ofDays(40)))).build()));
    assertEquals("usage_period", details.detail(com.google.rpc.BadRequest.class).orElseThrow().getFieldViolations(0)
        .getField());
    assertEquals(1, accounts().listOrgs(byUsage.clone().setUsagePeriod(month(thisMonth)).build()).getOrgsCount(),
        "the current month, named");
  }

  static Timestamp month(Instant start) {
    return Timestamp.newBuilder().setSeconds(start.getEpochSecond()).setNanos(start.getNano()).build();
  }

  static String token(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
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
