package dev.promgate.cli;

import picocli.CommandLine;

/** The {@code promgate} command line, and the program's entry point: wiring only. */
@CommandLine.Command(name = "promgate", mixinStandardHelpOptions = true, version = "promgate 0.1.0",
    description = "Admission webhook that admits only promoted, signed image digests.",
    footer = {"", "Exit status of every command: 0 allowed/ok; 1 denied, refused or policy problems found; "
        + "2 usage or input error (missing or unreadable file, YAML that does not parse, empty input, unknown "
        + "environment, registry configuration error)."},
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
      commandLine.getErr().flush();
      return ExitCodes.of(e);
    });
    return cli;
  }
}
