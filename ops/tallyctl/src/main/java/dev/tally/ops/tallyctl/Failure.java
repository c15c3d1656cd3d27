package dev.tally.ops.tallyctl;

/** Why a command stopped: one line for stderr and the exit code that goes with it. */
final class Failure extends RuntimeException {

  final ExitCode exitCode;

  Failure(ExitCode exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static Failure usage(String message) {
    return new Failure(ExitCode.USAGE, message);
  }

  static Failure refused(String message) {
    return new Failure(ExitCode.REFUSED, message);
  }

  static Failure unreachable(String message) {
    return new Failure(ExitCode.UNREACHABLE, message);
  }
}
