package dev.tally.node.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.node.terms.Usage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A period's usage totals stay bounded whatever labels clients send, and never wrap. */
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
}
