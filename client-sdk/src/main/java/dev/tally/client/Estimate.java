package dev.tally.client;

import dev.tally.v1.Credits;
import java.util.Objects;

/**
 * How much a call about to run may use: what a {@link Reservation} holds. Either an amount of
 * micro-credits, or tokens of a model or a fixed-price call type that the node prices with its
 * price book and the org's multiplier.
 *
 * <pre>{@code
 * Estimate.tokens("gpt-4o", promptTokens, maxOutputTokens)
 * Estimate.callType("embedding")
 * Estimate.microCredits(Credits.of(5))
 * }</pre>
 */
public sealed interface Estimate {

  /** Holds exactly this many micro-credits (&gt; 0). */
  static Estimate microCredits(long amount) {
    return new Amount(amount);
  }

  /** Holds what {@code inputTokens} plus at most {@code maxOutputTokens} of {@code model} cost. */
  static Estimate tokens(String model, long inputTokens, long maxOutputTokens) {
    return new Tokens(model, inputTokens, maxOutputTokens);
  }

  /** Holds the fixed price of a call type, e.g. {@code "embedding"}, {@code "rerank"}, {@code "model_generation"}. */
  static Estimate callType(String callType) {
    return new CallType(callType);
  }

  /** An amount of micro-credits. */
  record Amount(long microCredits) implements Estimate {}

  /** A token-priced call: prompt tokens known, output bounded. */
  record Tokens(String model, long inputTokens, long maxOutputTokens) implements Estimate {
    /** Requires a model. */
    public Tokens {
      Objects.requireNonNull(model, "model");
    }
  }

  /** A fixed-price call type. */
  record CallType(String callType) implements Estimate {
    /** Requires a call type. */
    public CallType {
      Objects.requireNonNull(callType, "callType");
    }
  }
}
