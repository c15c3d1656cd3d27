package dev.tally.node.account;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;

import dev.tally.node.terms.Limits;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.PlanCatalog;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.ReferralTerms;
import dev.tally.node.terms.Terms;
import java.util.List;
import java.util.Map;

/** Plans and prices for the entity tests, each made to show one rule. Amounts in micro-credits. */
final class TestTerms {

  static final Plan PAYG = plan("payg", 0, 0, Limits.UNLIMITED, 1000);

  /** A referrer's plan: 10 % of each purchase, at most 15 credits per referred org and 25 per period. */
  static final Plan REFERRING = new Plan("referring", 0, 0, 0, 0, Limits.UNLIMITED, 1000, List.of(80, 100), 0,
      new ReferralTerms(10, 0, 15 * MICROS_PER_CREDIT, 25 * MICROS_PER_CREDIT));

  static Plan plan(String name, long allocation, int rolloverMonths, Limits limits, int multiplierPermille) {
    return new Plan(name, 0, 0, allocation, rolloverMonths, limits, multiplierPermille, List.of(80, 100), 0);
  }

  /** A referrer's plan whose caps never bind: 1 µcr per purchase, as many as the bounds allow. */
  static final Plan WIDE_REWARD = new Plan("wide-reward", 0, 0, 0, 0, Limits.UNLIMITED, 1000, List.of(80, 100), 0,
      new ReferralTerms(0, 1, ReferralTerms.MAX_AMOUNT, ReferralTerms.MAX_AMOUNT));

  static final PriceBook PRICES = new PriceBook(
      "test-1",
      Map.of("gpt-4o", new PriceBook.ModelPrice(2_500_000, 10_000_000, 1_250_000, 3_750_000)),
      Map.of("embedding", 10 * MICROS_PER_CREDIT, "rerank", 20 * MICROS_PER_CREDIT, "texture_generation", 50 * MICROS_PER_CREDIT,
          "model_generation", 200 * MICROS_PER_CREDIT));

  static final Terms TERMS = new Terms(
      new PlanCatalog(Map.ofEntries(
              Map.entry("payg", PAYG),
              Map.entry("trial", new Plan("trial", 10 * MICROS_PER_CREDIT, 30, 0, 0, Limits.UNLIMITED, 1000, List.of(80, 100), 0)),
              Map.entry("monthly", plan("monthly", 100 * MICROS_PER_CREDIT, 0, Limits.UNLIMITED, 1000)),
              Map.entry("professional", plan("professional", 100 * MICROS_PER_CREDIT, 3, Limits.UNLIMITED, 1000)),
              Map.entry("team", plan("team", 400 * MICROS_PER_CREDIT, 1, new Limits(0, 0, 50), 1200)),
              Map.entry("limited", plan("limited", 0, 0, new Limits(60, 0, 2), 1000)),
              Map.entry("paced", plan("paced", 0, 0, new Limits(60, 0, 0), 1000)),
              Map.entry("premium", plan("premium", 0, 0, Limits.UNLIMITED, 1500)),
              Map.entry("referring", REFERRING),
              Map.entry("fixed-reward", new Plan("fixed-reward", 0, 0, 0, 0, Limits.UNLIMITED, 1000, List.of(80, 100), 0,
                  new ReferralTerms(0, 3 * MICROS_PER_CREDIT, 100 * MICROS_PER_CREDIT, 100 * MICROS_PER_CREDIT))),
              Map.entry("wide-reward", WIDE_REWARD),
              Map.entry("alerting", new Plan("alerting", 0, 0, 100 * MICROS_PER_CREDIT, 0, Limits.UNLIMITED, 1000, List.of(80, 100),
                  10 * MICROS_PER_CREDIT))),
          "payg"),
      PRICES);

  private TestTerms() {}
}
