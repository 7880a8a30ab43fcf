package dev.promgate.cli;

/**
 * What every command's exit status means, so that a pipeline can trust it. No command exits 0 on
 * an input that decided nothing.
 */
public final class ExitCodes {

  /** Allowed, promoted, valid, written: everything asked for was done. */
  public static final int OK = 0;
  /** Denied, refused, or policy problems found: the input was read and judged, and it failed. */
  public static final int FAILED = 1;
  /**
   * Usage or input error: an unknown option, a missing or unreadable file, YAML that does not
   * parse, empty input, an unknown environment, a registry configuration error. Nothing was judged.
   */
  public static final int INPUT = 2;

  /** The lines every command's {@code --help} ends with. */
  static final String[] HELP_FOOTER = {"",
      "Exit status: 0 allowed/ok; 1 denied, refused or policy problems found; 2 usage or input error "
          + "(missing or unreadable file, YAML that does not parse, empty input, unknown environment, "
          + "registry configuration error)."};

  private ExitCodes() {}

  /** The status for an exception that ended a command: its own, else 2 for unreadable input, else 1. */
  public static int of(Throwable e) {
    if (e instanceof CommandFailure f) {
      return f.exitCode();
    }
    if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
      return INPUT;
    }
    return FAILED;
  }
}
