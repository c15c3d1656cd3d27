package dev.tally.node.terms;

import com.typesafe.config.Config;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prices in micro-credits, from the {@code tally.pricing} configuration: per model and 1,000,000
 * tokens of each kind, and a fixed price per call type. Pricing is exact integer arithmetic,
 * rounded up once per call.
 */
public record PriceBook(String version, Map<String, ModelPrice> models, Map<String, Long> callTypes) {

  static final BigInteger PER_MILLION_PER_MILLE = BigInteger.valueOf(1_000_000L * 1000L);

  /** Micro-credits per 1,000,000 tokens of each kind. */
  public record ModelPrice(long inputPerMillion, long outputPerMillion, long cacheReadPerMillion, long cacheWritePerMillion) {}

  public static PriceBook from(Config config) {
    Map<String, ModelPrice> models = new LinkedHashMap<>();
    Config modelConfig = config.getConfig("models");
    for (String model : modelConfig.root().keySet()) {
      Config price = modelConfig.getConfig("\"" + model + "\"");
      models.put(model, new ModelPrice(
          price.getLong("input-per-million"),
          price.getLong("output-per-million"),
          price.getLong("cache-read-per-million"),
          price.getLong("cache-write-per-million")));
    }
    Map<String, Long> callTypes = new LinkedHashMap<>();
    Config callConfig = config.getConfig("call-types");
    for (String callType : callConfig.root().keySet()) callTypes.put(callType, callConfig.getLong("\"" + callType + "\""));
    return new PriceBook(config.getString("version"), Map.copyOf(models), Map.copyOf(callTypes));
  }

  /** Whether the usage names a model or call type this book prices. */
  public boolean prices(Usage usage) {
    if (usage instanceof Usage.Tokens tokens) return models.containsKey(tokens.model());
    return callTypes.containsKey(usage.callType());
  }

  /**
   * Σ tokens × price per million (or the call type's price), × the multiplier in thousandths,
   * divided once and rounded up to a whole micro-credit.
   */
  public Cost cost(Usage usage, int multiplierPermille) {
    BigInteger perMillionTotal;
    if (usage instanceof Usage.Tokens t) {
      ModelPrice price = models.get(t.model());
      perMillionTotal = times(t.inputTokens(), price.inputPerMillion())
          .add(times(t.outputTokens(), price.outputPerMillion()))
          .add(times(t.cacheReadTokens(), price.cacheReadPerMillion()))
          .add(times(t.cacheWriteTokens(), price.cacheWritePerMillion()));
    } else {
      perMillionTotal = times(callTypes.get(usage.callType()), 1_000_000L);
    }
    BigInteger[] quotient = perMillionTotal.multiply(BigInteger.valueOf(multiplierPermille))
        .divideAndRemainder(PER_MILLION_PER_MILLE);
    BigInteger roundedUp = quotient[1].signum() > 0 ? quotient[0].add(BigInteger.ONE) : quotient[0];
    return new Cost(roundedUp.longValueExact(), version, multiplierPermille);
  }

  private static BigInteger times(long a, long b) {
    return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
  }
}
