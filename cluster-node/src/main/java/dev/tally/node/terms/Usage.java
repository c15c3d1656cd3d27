package dev.tally.node.terms;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.CborSerializable;

/** What a call used (or, for a reserve, is expected to use at most): tokens of a model, or a fixed-price call. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({@JsonSubTypes.Type(Usage.Tokens.class), @JsonSubTypes.Type(Usage.Call.class)})
public sealed interface Usage extends CborSerializable {

  /** The model charges are reported under, or the empty string. */
  String model();

  /** The call type charges are reported under, or the empty string. */
  String callType();

  long tokens();

  record Tokens(String model, long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens)
      implements Usage {
    @Override
    public String callType() {
      return "";
    }

    @Override
    public long tokens() {
      return inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens;
    }
  }

  record Call(String callType) implements Usage {
    @Override
    public String model() {
      return "";
    }

    @Override
    public long tokens() {
      return 0;
    }
  }
}
