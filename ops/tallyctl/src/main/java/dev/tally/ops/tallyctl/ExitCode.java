package dev.tally.ops.tallyctl;

/** What tallyctl's exit status tells a script. Listed in {@code tallyctl --help} and the README. */
enum ExitCode {
  /** The command did what it says. */
  OK(0, "done"),
  /** Tally (or its management API) answered and said no: not found, exists, invalid request, no credits... */
  REFUSED(1, "refused by Tally: not found, already exists, invalid request, ... (the message says which)"),
  /** The command line is wrong: unknown command or option, missing operand, bad amount or time. Nothing was sent. */
  USAGE(2, "usage error: unknown command or option, missing operand, bad amount or time; nothing was sent"),
  /** No answer: the node or management API is down, the address is wrong, or the call ran out of time. */
  UNREACHABLE(3, "cannot reach the node or its management API, or no answer in time; safe to rerun with the same --request-id");

  final int status;
  final String meaning;

  ExitCode(int status, String meaning) {
    this.status = status;
    this.meaning = meaning;
  }
}
