package dev.tally.ops.tallyctl;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** One run of one command: its operands and options, the Tally it talks to, and where its result goes. */
record Invocation(List<String> operands, Arguments arguments, Connection tally, Output out) {

  String operand(int index) {
    return operands.get(index);
  }

  Optional<String> option(String name) {
    return arguments.option(name);
  }

  /** The id that makes a mutation safe to rerun: {@code --request-id}, or a new one the output shows. */
  String requestId() {
    return option("request-id").orElseGet(() -> "tallyctl-" + UUID.randomUUID());
  }
}
