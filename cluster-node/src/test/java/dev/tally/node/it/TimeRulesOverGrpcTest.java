package dev.tally.node.it;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ReserveRequest;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rules that depend on time (DESIGN §4 rules 4, 7, 8 and 9), over gRPC against a whole node
 * whose clock the test moves: nothing here waits for time to pass.
 */
@ExtendWith(TestCassandra.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimeRulesOverGrpcTest {

  static final long ALLOCATION = 100 * MICROS_PER_CREDIT;

  /** Two plans that differ only in how long a month's allocation (100 credits) lasts. */
  static final String PLANS = """
      tally.plans.catalog {
        expiring = ${plan} { rollover-months = 0 }
        rolling = ${plan} { rollover-months = 3 }
      }
      plan {
        trial-credits = 0, trial-days = 0, monthly-allocation = 100
        requests-per-minute = 0, credits-per-minute = 0, concurrent-reservations = 0
        price-multiplier-permille = 1000, alert-thresholds-percent = [80, 100], low-balance-floor = 0
      }
      """;

  InProcessNode node;

  /** One node for the class: each test opens its own orgs, and the clock only ever moves forward. */
  @BeforeAll
  void start() throws Exception {
    node = InProcessNode.start(TestCassandra.server(), Instant.now(), PLANS);
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void aHoldNotResolvedByItsExpiryIsReleasedAndCannotBeCommittedAfterwards() {
    String org = org("payg");
    grant(org, 10 * MICROS_PER_CREDIT, null);
    String reservation = node.metering().reserve(ReserveRequest.newBuilder().setOrgId(org).setRequestId(id())
        .setAmount(4 * MICROS_PER_CREDIT).setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60)).build())
        .getReservationId();

    node.clock().advance(Duration.ofSeconds(61));

    GetBalanceResponse after = balance(org);
    assertEquals(0, after.getBalance().getHeld());
    assertEquals(10 * MICROS_PER_CREDIT, after.getBalance().getAvailable());
    ErrorDetails refused = ErrorDetails.expect(Status.Code.FAILED_PRECONDITION, "RESERVATION_RESOLVED",
        () -> node.metering().commit(CommitRequest.newBuilder().setOrgId(org).setRequestId(id())
            .setReservationId(reservation).setAmount(MICROS_PER_CREDIT).build()));
    assertEquals("expired", refused.info().getMetadataOrThrow("resolution"));
    assertEquals(List.of("RESERVATION_EXPIRED"), types(org, "RESERVATION_EXPIRED"));
  }

  @Test
  void aGrantPastItsExpiryIsNeverDrawn() {
    String org = org("payg");
    Instant now = node.clock().instant();
    grant(org, 10 * MICROS_PER_CREDIT, now.plus(Duration.ofHours(1)));
    grant(org, 3 * MICROS_PER_CREDIT, null);

    node.clock().advance(Duration.ofHours(2));

    assertEquals(3 * MICROS_PER_CREDIT, balance(org).getBalance().getAvailable());
    ErrorDetails.expect(Status.Code.RESOURCE_EXHAUSTED, "CREDITS_EXHAUSTED", () -> node.metering().charge(
        ChargeRequest.newBuilder().setOrgId(org).setRequestId(id()).setAmount(4 * MICROS_PER_CREDIT).build()));
    assertEquals(List.of("GRANT_EXPIRED"), types(org, "GRANT_EXPIRED"));
  }

  @Test
  void aGrantMustExpireAfterTheNodesNowNotAfterTheMachinesTime() {
    String org = org("payg");
    node.clock().advance(Duration.ofHours(2));
    Instant pastForTheNode = node.clock().instant().minus(Duration.ofMinutes(1));

    ErrorDetails refused = ErrorDetails.expect(Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
        () -> grant(org, MICROS_PER_CREDIT, pastForTheNode));
    assertEquals("expires_at", refused.detail(BadRequest.class).orElseThrow().getFieldViolations(0).getField());
  }

  @Test
  void anAllocationWithoutRolloverEndsWithItsPeriodAndTheNextPeriodBringsANewOne() {
    String org = org("expiring");
    assertEquals(ALLOCATION, balance(org).getBalance().getAvailable());

    moveToTheNextPeriod(org);

    GetBalanceResponse next = balance(org);
    assertEquals(ALLOCATION, next.getBalance().getAvailable(), "last month's allocation is gone, this month's is there");
    assertEquals(1, next.getGrantsCount());
    assertEquals(List.of("GRANT_EXPIRED"), types(org, "GRANT_EXPIRED"));
  }

  @Test
  void anAllocationWithThreeMonthsOfRolloverLastsThreePeriodEndsLonger() {
    String org = org("rolling");

    moveToTheNextPeriod(org);
    assertEquals(2 * ALLOCATION, balance(org).getBalance().getAvailable(), "both months' allocations");
    moveToTheNextPeriod(org);
    moveToTheNextPeriod(org);
    assertEquals(4 * ALLOCATION, balance(org).getBalance().getAvailable(), "four months, none expired yet");
    assertEquals(List.of(), types(org, "GRANT_EXPIRED"));

    moveToTheNextPeriod(org);

    assertEquals(4 * ALLOCATION, balance(org).getBalance().getAvailable(), "the first month's expired as the fifth came");
    assertEquals(List.of("GRANT_EXPIRED"), types(org, "GRANT_EXPIRED"));
  }

  @Test
  void aThresholdAlertFiresOncePerPeriodAndAgainInTheNext() {
    String org = org("expiring");
    charge(org, 50 * MICROS_PER_CREDIT);
    charge(org, 35 * MICROS_PER_CREDIT);
    charge(org, 5 * MICROS_PER_CREDIT);
    assertEquals(1, alerts(org, 80).size(), "85 % and 90 % of the allocation raise the 80 % alert once");

    moveToTheNextPeriod(org);
    charge(org, 85 * MICROS_PER_CREDIT);

    List<LedgerEntry> alerts = alerts(org, 80);
    assertEquals(2, alerts.size(), "the next period raises it again");
    assertEquals(1, monthsBetween(alerts.get(0).getAlert().getPeriodStart(), alerts.get(1).getAlert().getPeriodStart()));
  }

  private void moveToTheNextPeriod(String org) {
    Timestamp end = balance(org).getPeriod().getEnd();
    Instant target = Instant.ofEpochSecond(end.getSeconds(), end.getNanos()).plusSeconds(1);
    node.clock().advance(Duration.between(node.clock().instant(), target));
  }

  private static long monthsBetween(Timestamp from, Timestamp to) {
    return java.time.temporal.ChronoUnit.MONTHS.between(
        Instant.ofEpochSecond(from.getSeconds()).atZone(ZoneOffset.UTC), Instant.ofEpochSecond(to.getSeconds()).atZone(ZoneOffset.UTC));
  }

  private String org(String plan) {
    String org = "time-" + UUID.randomUUID();
    node.accounts().createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId(id()).setPlan(plan).build());
    return org;
  }

  private void grant(String org, long amount, Instant expiresAt) {
    GrantCreditsRequest.Builder grant = GrantCreditsRequest.newBuilder()
        .setOrgId(org).setRequestId(id()).setKind(GrantKind.PURCHASE).setAmount(amount);
    if (expiresAt != null) grant.setExpiresAt(Timestamp.newBuilder().setSeconds(expiresAt.getEpochSecond()));
    node.accounts().grantCredits(grant.build());
  }

  private void charge(String org, long amount) {
    node.metering().charge(ChargeRequest.newBuilder().setOrgId(org).setRequestId(id()).setAmount(amount).build());
  }

  private GetBalanceResponse balance(String org) {
    return node.metering().getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
  }

  private List<LedgerEntry> ledger(String org) {
    return node.accounts().listLedger(ListLedgerRequest.newBuilder().setOrgId(org).setPageSize(1000).build()).getEntriesList();
  }

  private List<String> types(String org, String type) {
    return ledger(org).stream().map(LedgerEntry::getType).filter(type::equals).toList();
  }

  private List<LedgerEntry> alerts(String org, int percent) {
    return ledger(org).stream()
        .filter(entry -> entry.getType().equals("ALERT_RAISED") && entry.getAlert().getThresholdPercent() == percent)
        .toList();
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
