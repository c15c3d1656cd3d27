package dev.tally.node.terms;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prices computed by hand, in micro-credits: exact integers, rounded up once per call, times the multiplier. */
class PriceBookTest {

  // gpt-4o: 2.5 credits per 1M input tokens, 10 per 1M output, 1.25 per 1M cache reads, 3.75 per 1M cache writes.
  final PriceBook book = new PriceBook(
      "v7",
      Map.of("gpt-4o", new PriceBook.ModelPrice(2_500_000, 10_000_000, 1_250_000, 3_750_000)),
      Map.of("embedding", 10 * MICROS_PER_CREDIT, "model_generation", 200 * MICROS_PER_CREDIT));

  @Test
  void tokensArePricedPerMillionAndRoundedUpOnce() {
    // 1234 × 2.5 = 3085, 567 × 10 = 5670, 100 × 1.25 = 125, 10 × 3.75 = 37.5 → 8917.5 → 8918 µcr
    Cost cost = book.cost(new Usage.Tokens("gpt-4o", 1234, 567, 100, 10), 1000);
    assertEquals(8918, cost.amount());
    assertEquals("v7", cost.priceBookVersion());
  }

  @Test
  void roundingHappensOnceForTheWholeCallNotPerTokenKind() {
    // 1 input token + 1 cache read: 2.5 + 1.25 = 3.75 → 4 µcr (rounding each kind would give 3 + 2 = 5)
    assertEquals(4, book.cost(new Usage.Tokens("gpt-4o", 1, 0, 1, 0), 1000).amount());
  }

  @Test
  void thePlanMultiplierAppliesBeforeRounding() {
    // 8917.5 × 1.5 = 13376.25 → 13377 µcr
    assertEquals(13377, book.cost(new Usage.Tokens("gpt-4o", 1234, 567, 100, 10), 1500).amount());
    assertEquals(1500, book.cost(new Usage.Tokens("gpt-4o", 1234, 567, 100, 10), 1500).multiplierPermille());
  }

  @Test
  void fixedPriceCallTypesCostTheirPriceTimesTheMultiplier() {
    assertEquals(10 * MICROS_PER_CREDIT, book.cost(new Usage.Call("embedding"), 1000).amount());
    assertEquals(12 * MICROS_PER_CREDIT, book.cost(new Usage.Call("embedding"), 1200).amount());
    assertEquals(300 * MICROS_PER_CREDIT, book.cost(new Usage.Call("model_generation"), 1500).amount());
  }

  @Test
  void noUsageCostsNothing() {
    assertEquals(0, book.cost(new Usage.Tokens("gpt-4o", 0, 0, 0, 0), 1000).amount());
  }

  @Test
  void onlyKnownModelsAndCallTypesArePriced() {
    assertTrue(book.prices(new Usage.Tokens("gpt-4o", 1, 1, 0, 0)));
    assertFalse(book.prices(new Usage.Tokens("gpt-5-unknown", 1, 1, 0, 0)));
    assertFalse(book.prices(new Usage.Call("teleportation")));
  }

  @Test
  void theShippedPriceBookHasTheProductSheetsCallTypePrices() {
    PriceBook shipped = PriceBook.from(ConfigFactory.load().getConfig("tally.pricing"));
    assertEquals(Map.of("embedding", 10 * MICROS_PER_CREDIT, "rerank", 20 * MICROS_PER_CREDIT, "texture_generation", 50 * MICROS_PER_CREDIT,
        "model_generation", 200 * MICROS_PER_CREDIT), shipped.callTypes());
  }

  @Test
  void theShippedCatalogHasTheTiers() {
    PlanCatalog catalog = PlanCatalog.from(ConfigFactory.load().getConfig("tally.plans"));
    assertTrue(catalog.has("test") && catalog.has("flex") && catalog.has("enterprise"));
    assertEquals(3, catalog.planOrDefault("professional").rolloverMonths());
  }
}
