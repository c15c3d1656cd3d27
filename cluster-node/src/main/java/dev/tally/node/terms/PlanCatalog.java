package dev.tally.node.terms;

import static dev.tally.v1.Credits.MICROS_PER_CREDIT;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The plans orgs can be on, from the {@code tally.plans} configuration. Amounts there are whole credits. */
public record PlanCatalog(Map<String, Plan> plans, String defaultPlan) {

  public PlanCatalog {
    if (!plans.containsKey(defaultPlan)) throw new IllegalArgumentException("default plan " + defaultPlan + " is not in the catalog");
  }

  public static PlanCatalog from(Config config) {
    Config catalog = config.getConfig("catalog");
    Map<String, Plan> plans = new LinkedHashMap<>();
    for (String name : catalog.root().keySet()) {
      Config plan = catalog.getConfig(name);
      plans.put(name, new Plan(
          name,
          plan.getLong("trial-credits") * MICROS_PER_CREDIT,
          plan.getInt("trial-days"),
          Math.multiplyExact(plan.getLong("monthly-allocation"), MICROS_PER_CREDIT),
          plan.getInt("rollover-months"),
          new Limits(
              plan.getLong("requests-per-minute"),
              plan.getLong("credits-per-minute") * MICROS_PER_CREDIT,
              plan.getInt("concurrent-reservations")),
          plan.getInt("price-multiplier-permille"),
          List.copyOf(plan.getIntList("alert-thresholds-percent")),
          plan.getLong("low-balance-floor") * MICROS_PER_CREDIT,
          ReferralTerms.from(plan)));
    }
    for (Plan plan : plans.values()) {
      if (plan.monthlyAllocation() < 0 || plan.monthlyAllocation() > Overrides.MAX_MONTHLY_ALLOCATION) {
        throw new IllegalArgumentException("plan " + plan.name() + ": monthly-allocation must be 0 to a billion credits");
      }
      if (plan.rolloverMonths() < 0 || plan.rolloverMonths() > Overrides.MAX_ROLLOVER_MONTHS) {
        throw new IllegalArgumentException("plan " + plan.name() + ": rollover-months must be 0 to " + Overrides.MAX_ROLLOVER_MONTHS);
      }
    }
    return new PlanCatalog(Map.copyOf(plans), config.getString("default"));
  }

  public boolean has(String name) {
    return plans.containsKey(name);
  }

  /** The named plan; an org whose plan was since removed from the catalog is held to the default plan. */
  public Plan planOrDefault(String name) {
    return plans.getOrDefault(name, plans.get(defaultPlan));
  }
}
