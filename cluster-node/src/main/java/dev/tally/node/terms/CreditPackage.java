package dev.tally.node.terms;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A package of credits an org can buy (the {@code tally.packages} catalog). Amounts are micro-credits.
 *
 * @param credits what one purchase grants; 0 for a custom package, whose purchase names the amount
 * @param minCustomAmount for a custom package, the least one purchase may name (else 0)
 * @param maxCustomAmount for a custom package, the most one purchase may name (else 0)
 * @param price what it costs, for display only (Tally takes no payment); empty for a custom package
 * @param validity how long purchased credits stay spendable; empty = they never expire
 * @param plans the plans whose orgs may buy it; empty = every plan
 */
public record CreditPackage(
    String name,
    long credits,
    long minCustomAmount,
    long maxCustomAmount,
    Optional<Price> price,
    Optional<Duration> validity,
    List<String> plans) {

  /** An amount of money in a currency's minor unit (cents for USD). */
  public record Price(String currency, long minorUnits) {}

  /** The most one purchase may grant: the API's largest single amount, a billion credits. */
  static final long MAX_AMOUNT = dev.tally.v1.Credits.of(1_000_000_000);

  public CreditPackage {
    if (credits > MAX_AMOUNT || maxCustomAmount > MAX_AMOUNT) {
      throw new IllegalArgumentException("package " + name + ": at most a billion credits a purchase");
    }
    if (credits < 0 || minCustomAmount < 0 || maxCustomAmount < minCustomAmount) {
      throw new IllegalArgumentException("package " + name + ": amounts must not be negative, min-custom ≤ max-custom");
    }
    if ((credits == 0) == (maxCustomAmount == 0)) {
      throw new IllegalArgumentException("package " + name + ": either credits or a custom range (max-custom-credits), not both");
    }
    if (validity.isPresent() && (validity.get().isNegative() || validity.get().isZero())) {
      throw new IllegalArgumentException("package " + name + ": validity must be positive");
    }
    plans = List.copyOf(plans);
  }

  /** Whether each purchase names its own amount (enterprise). */
  public boolean custom() {
    return credits == 0;
  }

  public boolean eligible(String plan) {
    return plans.isEmpty() || plans.contains(plan);
  }
}
