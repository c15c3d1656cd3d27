package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.GetOrgRequest;
import dev.tally.v1.Grant;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.Org;
import dev.tally.v1.SetOverridesRequest;
import dev.tally.v1.SetPlanRequest;
import io.grpc.Status;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17 item 7 over gRPC against a whole node whose clock the test moves: a mid-period upgrade
 * grants the new allocation prorated at once, a downgrade waits for the period's end and shows
 * until then, and an org's own allocation and rollover are set by SetOverrides.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlanChangesOverGrpcTest {

  static final long SMALL = 100 * MICROS_PER_CREDIT;
  static final long LARGE = 400 * MICROS_PER_CREDIT;

  static final String PLANS = """
      tally.plans.catalog {
        small = ${plan} { monthly-allocation = 100, rollover-months = 0 }
        large = ${plan} { monthly-allocation = 400, rollover-months = 1 }
      }
      plan {
        trial-credits = 0, trial-days = 0, rollover-months = 0
        requests-per-minute = 0, credits-per-minute = 0, concurrent-reservations = 0
        price-multiplier-permille = 1000, alert-thresholds-percent = [80, 100], low-balance-floor = 0
      }
      """;

  InProcessNode node;

  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), PLANS);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void anUpgradeGrantsTheProratedAllocationAtOnceAndADowngradeWaitsForThePeriodsEnd() {
    String org = org("small");
    GetBalanceResponse before = balance(org);
    Instant start = instant(before.getPeriod().getStart());
    Instant end = instant(before.getPeriod().getEnd());
    Instant now = node.clock().instant();
    // The documented formula: (new − old) × time left / period length, in nanoseconds, rounded down.
    long raise = BigInteger.valueOf(LARGE - SMALL).multiply(BigInteger.valueOf(Duration.between(now, end).toNanos()))
        .divide(BigInteger.valueOf(Duration.between(start, end).toNanos())).longValueExact();

    Org upgraded = node.accounts().setPlan(SetPlanRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan("large").build());

    assertEquals("large", upgraded.getPlan());
    assertEquals("", upgraded.getNextPlan());
    assertEquals(SMALL + raise, upgraded.getBalance().getAvailable(), "the raise is spendable at once");
    GetBalanceResponse after = balance(org);
    assertEquals(SMALL + raise, after.getPeriod().getAllocation());
    assertEquals(LARGE, after.getPeriod().getMonthlyAllocation());
    assertEquals(List.of(raise), ledger(org, "ALLOCATION_RAISED").stream().map(LedgerEntry::getAmount).toList());

    Org downgraded = node.accounts().setPlan(SetPlanRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan("small").build());

    assertEquals("large", downgraded.getPlan(), "a downgrade waits for the period's end");
    assertEquals("small", downgraded.getNextPlan());
    assertEquals(end, instant(downgraded.getNextPlanAt()));
    assertEquals("small", balance(org).getNextPlan());
    assertEquals("small", node.accounts().getOrg(GetOrgRequest.newBuilder().setOrgId(org).build()).getNextPlan());
    assertEquals(SMALL + raise, balance(org).getBalance().getAvailable(), "nothing granted is taken back");

    node.clock().advance(Duration.between(node.clock().instant(), end.plusSeconds(1)));

    GetBalanceResponse next = balance(org);
    assertEquals("small", next.getPlan());
    assertEquals("", next.getNextPlan());
    assertFalse(next.hasNextPlanAt());
    assertEquals(SMALL, next.getPeriod().getAllocation(), "the next period opens under the plan moved to");
    assertEquals(SMALL + raise, next.getBalance().getAvailable(),
        "the old period's small allocation expired; the raise (large: one month of rollover) and the new allocation stay");
    List<LedgerEntry> changes = ledger(org, "PLAN_CHANGED");
    assertEquals("", changes.get(changes.size() - 1).getRequestId(), "the account changed the plan on its own");
    assertEquals(1, ledger(org, "PLAN_CHANGE_SCHEDULED").size());
  }

  @Test
  void anOrgsOwnAllocationAndRolloverAreGrantedFromThenOn() {
    String org = org("small");
    Instant end = instant(balance(org).getPeriod().getEnd());

    Org custom = node.accounts().setOverrides(SetOverridesRequest.newBuilder().setOrgId(org).setRequestId(id())
        .setMonthlyAllocation(SMALL).setRolloverMonths(2).build());
    assertEquals(SMALL, custom.getBalance().getAvailable(), "the same allocation as the plan's: nothing to grant");

    node.clock().advance(Duration.between(node.clock().instant(), end.plusSeconds(1)));
    node.accounts().setOverrides(SetOverridesRequest.newBuilder().setOrgId(org).setRequestId(id())
        .setMonthlyAllocation(3 * SMALL).setRolloverMonths(2).build());

    GetBalanceResponse next = balance(org);
    Instant nextEnd = instant(next.getPeriod().getEnd());
    Grant opening = next.getGrantsList().stream().filter(g -> g.getAmount() == SMALL).findFirst().orElseThrow();
    assertEquals(nextEnd.atZone(java.time.ZoneOffset.UTC).plusMonths(2).toInstant(), instant(opening.getExpiresAt()),
        "the org's own rollover: two period-ends after its own");
    assertEquals(3 * SMALL, next.getPeriod().getMonthlyAllocation());
    assertTrue(next.getPeriod().getAllocation() > SMALL, "the raise to its own 300 credits is granted for the rest of the period");
  }

  @Test
  void ownTermsOutOfTheirRangeAreRefusedFieldByField() {
    String org = org("small");

    ErrorDetails refused = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> node.accounts().setOverrides(SetOverridesRequest.newBuilder().setOrgId(org).setRequestId(id())
            .setMonthlyAllocation(1_000_000_000_000_001L).setRolloverMonths(121).setRequestsPerMinute(1_000_000_001L)
            .setConcurrentReservations(10_001).setCreditsPerMinute(-1).build()));

    Set<String> fields = refused.detail(BadRequest.class).orElseThrow().getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField).collect(Collectors.toSet());
    assertEquals(Set.of("monthly_allocation", "rollover_months", "requests_per_minute", "concurrent_reservations",
        "credits_per_minute"), fields);
    assertEquals(SMALL, balance(org).getPeriod().getMonthlyAllocation(), "nothing changed");
  }

  private static Instant instant(Timestamp time) {
    return Instant.ofEpochSecond(time.getSeconds(), time.getNanos());
  }

  private String org(String plan) {
    String org = "plans-" + UUID.randomUUID();
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan(plan).build());
    return org;
  }

  private GetBalanceResponse balance(String org) {
    return node.metering().getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
  }

  private List<LedgerEntry> ledger(String org, String type) {
    return node.accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(org).setPageSize(1000).build())
        .getEntriesList().stream().filter(entry -> entry.getType().equals(type)).toList();
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
