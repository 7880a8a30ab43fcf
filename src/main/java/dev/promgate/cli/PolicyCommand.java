package dev.promgate.cli;

import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicyProblem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code promgate policy check DIR}. */
@Command(name = "policy", description = "Work with policy files.", subcommands = PolicyCommand.Check.class,
    mixinStandardHelpOptions = true)
public final class PolicyCommand {

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate the policy files of DIR; print file:line:column: message for every problem "
          + "and exit 1 if there is any.",
      footer = {"", "Exit status: 0 no problems (warnings, marked \"warning:\", do not fail); 1 problems found; "
          + "2 usage or input error (DIR does not exist or is not a directory)."})
  static final class Check implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", description = "the policy directory")
    Path directory;

    @Override
    public Integer call() {
      if (!Files.isDirectory(directory)) {
        throw CommandFailure.input(directory + (Files.exists(directory) ? " is not a directory" : " does not exist")
            + "; policy check takes the directory that holds the policy files");
      }
      PolicyLoadResult result = PolicyLoader.load(directory);
      PrintWriter out = spec.commandLine().getOut();
      if (result instanceof PolicyLoadResult.Loaded loaded) {
        for (PolicyProblem w : loaded.warnings()) {
          out.println(w.file() + ":" + w.line() + ":" + w.column() + ": warning: " + w.message());
        }
        int n = loaded.warnings().size();
        out.println(directory + ": ok" + (n == 0 ? "" : " (" + n + " warning" + (n == 1 ? "" : "s") + ")"));
        out.flush();
        return ExitCodes.OK;
      }
      List<PolicyProblem> problems = ((PolicyLoadResult.Failed) result).problems();
      problems.forEach(out::println);
      out.flush();
      spec.commandLine().getErr().printf("%d problem%s%n", problems.size(), problems.size() == 1 ? "" : "s");
      return ExitCodes.FAILED;
    }
  }
}
