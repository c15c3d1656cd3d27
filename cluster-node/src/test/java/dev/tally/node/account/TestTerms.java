package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;

import dev.tally.node.terms.Limits;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.PlanCatalog;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.Terms;
import java.util.List;
import java.util.Map;

/** Plans and prices for the entity tests, each made to show one rule. Amounts in micro-credits. */
final class TestTerms {

  static final Plan PAYG = plan("payg", 0, 0, Limits.UNLIMITED, 1000);

  static Plan plan(String name, long allocation, int rolloverMonths, Limits limits, int multiplierPermille) {
    return new Plan(name, 0, 0, allocation, rolloverMonths, limits, multiplierPermille, List.of(80, 100), 0);
  }

  static final PriceBook PRICES = new PriceBook(
      "test-1",
      Map.of("gpt-4o", new PriceBook.ModelPrice(2_500_000, 10_000_000, 1_250_000, 3_750_000)),
      Map.of("embedding", 10 * MICROS_PER_CREDIT, "rerank", 20 * MICROS_PER_CREDIT, "texture_generation", 50 * MICROS_PER_CREDIT,
          "model_generation", 200 * MICROS_PER_CREDIT));

  static final Terms TERMS = new Terms(
      new PlanCatalog(Map.of(
              "payg", PAYG,
              "trial", new Plan("trial", 10 * MICROS_PER_CREDIT, 30, 0, 0, Limits.UNLIMITED, 1000, List.of(80, 100), 0),
              "monthly", plan("monthly", 100 * MICROS_PER_CREDIT, 0, Limits.UNLIMITED, 1000),
              "professional", plan("professional", 100 * MICROS_PER_CREDIT, 3, Limits.UNLIMITED, 1000),
              "team", plan("team", 400 * MICROS_PER_CREDIT, 1, new Limits(0, 0, 50), 1200),
              "limited", plan("limited", 0, 0, new Limits(60, 0, 2), 1000),
              "paced", plan("paced", 0, 0, new Limits(60, 0, 0), 1000),
              "premium", plan("premium", 0, 0, Limits.UNLIMITED, 1500),
              "alerting", new Plan("alerting", 0, 0, 100 * MICROS_PER_CREDIT, 0, Limits.UNLIMITED, 1000, List.of(80, 100), 10 * MICROS_PER_CREDIT)),
          "payg"),
      PRICES);

  private TestTerms() {}
}
