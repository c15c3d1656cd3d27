package dev.tally.client;

import java.util.Objects;

/**
 * What a call really used: what a commit or a one-step charge bills. Either an amount of
 * micro-credits, or tokens of a model or a fixed-price call type that the node prices with its
 * price book and the org's multiplier.
 *
 * <p>Not to be confused with the wire type {@code dev.tally.v1.Usage} this becomes.
 *
 * <pre>{@code
 * Usage.tokens("gpt-4o", response.inputTokens(), response.outputTokens())
 * Usage.callType("embedding")
 * Usage.microCredits(1_250_000)
 * }</pre>
 */
public sealed interface Usage {

  /** Bills exactly this many micro-credits (≥ 0 for a commit, &gt; 0 for a charge). */
  static Usage microCredits(long amount) {
    return new Amount(amount);
  }

  /** Bills input and output tokens of {@code model}. */
  static Usage tokens(String model, long inputTokens, long outputTokens) {
    return new Tokens(model, inputTokens, outputTokens, 0, 0);
  }

  /** Bills input, output and prompt-cache tokens of {@code model}. */
  static Usage tokens(String model, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) {
    return new Tokens(model, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
  }

  /** Bills the fixed price of a call type, e.g. {@code "embedding"}. */
  static Usage callType(String callType) {
    return new CallType(callType);
  }

  /** An amount of micro-credits. */
  record Amount(long microCredits) implements Usage {}

  /** Tokens of one model. */
  record Tokens(String model, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens)
      implements Usage {
    /** Requires a model. */
    public Tokens {
      Objects.requireNonNull(model, "model");
    }
  }

  /** A fixed-price call type. */
  record CallType(String callType) implements Usage {
    /** Requires a call type. */
    public CallType {
      Objects.requireNonNull(callType, "callType");
    }
  }
}
