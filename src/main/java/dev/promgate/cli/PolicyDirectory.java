package dev.promgate.cli;

import dev.promgate.policy.PolicyLoadResult;
import dev.promgate.policy.PolicyLoader;
import dev.promgate.policy.PolicySet;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --policies DIR} as every command reads it: a missing directory is an input error, problems are failures. */
final class PolicyDirectory {

  private PolicyDirectory() {}

  /**
   * The policy set of {@code directory}.
   *
   * @throws CommandFailure exit 2 when the directory does not exist or is not one; exit 1 after
   *                        printing every {@code file:line:column: message} when it has problems
   */
  static PolicySet load(Path directory, PrintWriter err) {
    if (!Files.exists(directory)) {
      throw CommandFailure.input("policy directory " + directory + " does not exist (--policies DIR)");
    }
    if (!Files.isDirectory(directory)) {
      throw CommandFailure.input(directory + " is not a directory; --policies names the directory that holds "
          + "the policy files");
    }
    PolicyLoadResult loaded = PolicyLoader.load(directory);
    if (loaded instanceof PolicyLoadResult.Failed failed) {
      failed.problems().forEach(err::println);
      err.flush();
      throw new CommandFailure(ExitCodes.FAILED, "the policies in " + directory + " have "
          + failed.problems().size() + " problem" + (failed.problems().size() == 1 ? "" : "s")
          + " (promgate policy check " + directory + ")");
    }
    return ((PolicyLoadResult.Loaded) loaded).policies();
  }
}
