package dev.promgate;

import picocli.CommandLine;

/** The {@code promgate} command line: wiring only. */
@CommandLine.Command(name = "promgate", mixinStandardHelpOptions = true,
    description = "Admission webhook that admits only promoted, signed image digests.")
public final class Main {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
