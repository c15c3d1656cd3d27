package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.node.terms.Limits;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A period's usage totals stay bounded whatever labels clients send, and never wrap; upgrades prorate exactly. */
class PeriodTest {

  static final Period MARCH = Period.monthOf(Instant.parse("2026-03-10T00:00:00Z"), 0);

  @Test
  void distinctLabelsBeyondTheBoundAreTotalledTogetherAndNothingIsLost() {
    Period period = MARCH;
    for (int i = 0; i < 5_000; i++) {
      period = period.charging(3, null, new Labels("model-" + i, "", "", "call-" + i));
    }
    assertEquals(Period.MAX_KEYS + 1, period.chargedByModel().size());
    assertEquals(Period.MAX_KEYS + 1, period.chargedByCallType().size());
    assertEquals(3L * (5_000 - Period.MAX_KEYS), period.chargedByModel().get(Period.OTHER));
    assertEquals(15_000, period.charged());
    assertEquals(15_000, period.chargedByModel().values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void aTotalStopsAtTheLargestLongInsteadOfWrappingAndTheChargeGoesThrough() {
    Period nearlyFull = MARCH.charging(Long.MAX_VALUE - 1, new Usage.Tokens("m", Long.MAX_VALUE - 1, 0, 0, 0),
        Labels.NONE);
    Period full = nearlyFull.charging(2, new Usage.Tokens("m", 2, 0, 0, 0), Labels.NONE);
    assertEquals(Long.MAX_VALUE, full.charged());
    assertEquals(Long.MAX_VALUE, full.chargedByModel().get("m"));
    assertEquals(Long.MAX_VALUE, full.tokensByModel().get("m"));
    assertEquals(2, full.calls());
  }

  @Test
  void aShareOfTheBaseIsReachedExactlyWhereverTheProductsPassALong() {
    long[] amounts = {0, 1, 99, 100, 101, 4_611_686_018_427_387_904L, Long.MAX_VALUE / 100, Long.MAX_VALUE / 100 + 1,
        Long.MAX_VALUE / 80, Long.MAX_VALUE - 1, Long.MAX_VALUE, -1, Long.MIN_VALUE};
    int[] percents = {0, 1, 80, 99, 100, 101, 1_000};
    java.util.Random random = new java.util.Random(22);
    for (int i = 0; i < 10_000; i++) {
      long charged = i < amounts.length * amounts.length ? amounts[i % amounts.length] : random.nextLong();
      long base = i < amounts.length * amounts.length ? amounts[i / amounts.length] : random.nextLong() >>> random.nextInt(64);
      int percent = percents[i % percents.length];
      boolean exact = java.math.BigInteger.valueOf(charged).multiply(java.math.BigInteger.valueOf(100))
          .compareTo(java.math.BigInteger.valueOf(base).multiply(java.math.BigInteger.valueOf(percent))) >= 0;
      assertEquals(exact, Period.reached(charged, base, percent), charged + " against " + percent + " % of " + base);
    }
  }

  @Test
  void proratingIsExactForTheLargestAllocationAndRoundsDown() {
    long largest = Overrides.MAX_MONTHLY_ALLOCATION;
    assertEquals(largest, MARCH.prorated(largest, MARCH.start()), "the whole period: the whole allocation");
    assertEquals(0, MARCH.prorated(largest, MARCH.end().minusNanos(1)), "10^15 × 1 ns / 31 days is below one µcr");
    Instant thirdLeft = MARCH.end().minus(Duration.ofDays(31).dividedBy(3));
    assertEquals(333_333_333_333_333L, MARCH.prorated(largest, thirdLeft), "a third, rounded down");
  }

  @Test
  void aPeriodStoredBeforeItsRateWasKeptIsUpgradedFromWhatItWasAllocated() {
    long allocated = 100;
    Period stored = new Period(MARCH.start(), MARCH.end(), allocated, 0, 0, Map.of(), Map.of(), Map.of(), List.of(), 0, 0);
    dev.tally.node.terms.Plan upgraded = TestTerms.plan("up", 400, 0, Limits.UNLIMITED, 1000);

    List<OrgEvent> events = stored.upgradedTo(upgraded, MARCH.start());

    assertEquals(allocated, stored.runsAt());
    assertEquals(300, ((OrgEvent.AllocationRaised) events.get(0)).granted(), "the difference from the 100 it had");
  }
}
