package dev.promgate.cli;

/**
 * Ends a command with an exit status and a message for standard error, from wherever in the
 * command it is found ({@link Main#commandLine} prints the message and returns the
 * status). Nothing the command meant to print on standard output is printed after it.
 */
final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CommandFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static CommandFailure input(String message) {
    return new CommandFailure(ExitCodes.INPUT, message);
  }

  int exitCode() {
    return exitCode;
  }
}
