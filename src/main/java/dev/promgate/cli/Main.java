package dev.promgate.cli;

import picocli.CommandLine;

/** The {@code promgate} command line, and the program's entry point: wiring only. */
@CommandLine.Command(name = "promgate", mixinStandardHelpOptions = true, version = "promgate 0.1.0",
    description = "Admission webhook that admits only promoted, signed image digests.",
    subcommands = {ServeCommand.class, PolicyCommand.class, EvaluateCommand.class, ManifestsCommand.class,
        CertsCommand.class, PromoteCommand.class, StatusCommand.class, VerifyCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with its error handling, also used by tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("promgate: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    });
    return cli;
  }
}
