package dev.tally.node.terms;

import com.typesafe.config.Config;
import dev.tally.v1.Credits;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The credit packages orgs can buy, from the {@code tally.packages} configuration. Amounts there
 * are whole credits; a validity of 0 means the credits never expire.
 */
public record PackageCatalog(Map<String, CreditPackage> packages) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public PackageCatalog {
    packages = Map.copyOf(packages);
  }

  public static PackageCatalog from(Config config, PlanCatalog plans) {
    Config catalog = config.getConfig("catalog");
    Map<String, CreditPackage> packages = new TreeMap<>();
    for (String name : catalog.root().keySet()) {
      if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("package name " + name + ": 1-64 letters, digits, - or _");
      Config entry = catalog.getConfig(name);
      Duration validity = entry.getDuration("validity");
      List<String> eligible = entry.getStringList("plans");
      for (String plan : eligible) {
        if (!plans.has(plan)) throw new IllegalArgumentException("package " + name + " names plan " + plan + ", not in the catalog");
      }
      String currency = entry.getString("price.currency");
      packages.put(name, new CreditPackage(
          name,
          Credits.of(entry.getLong("credits")),
          Credits.of(entry.getLong("min-custom-credits")),
          Credits.of(entry.getLong("max-custom-credits")),
          currency.isEmpty() ? Optional.empty() : Optional.of(new CreditPackage.Price(currency, entry.getLong("price.minor-units"))),
          validity.isZero() ? Optional.empty() : Optional.of(validity),
          eligible));
    }
    return new PackageCatalog(packages);
  }

  public Optional<CreditPackage> find(String name) {
    return Optional.ofNullable(packages.get(name));
  }

  public List<CreditPackage> inNameOrder() {
    return packages.values().stream().sorted(Comparator.comparing(CreditPackage::name)).toList();
  }
}
