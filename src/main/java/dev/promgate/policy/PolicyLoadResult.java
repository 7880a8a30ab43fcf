package dev.promgate.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The outcome of loading a policy directory: a valid {@link PolicySet}, or every problem found in
 * every file. Either way it records the files the load read, so that a watcher can tell whether
 * anything changed since.
 */
public sealed interface PolicyLoadResult permits PolicyLoadResult.Loaded, PolicyLoadResult.Failed {

  /**
   * Every file the load read (policy files, keys, trusted roots, CA bundles, credentials) or
   * looked for, as an absolute path, mapped to the sha256 of its content, or to {@link #ABSENT}
   * when it did not exist or could not be read. A directory's entry is the list of its policy files.
   */
  Map<Path, String> inputs();

  /** The digest recorded for a file that was missing or unreadable. */
  String ABSENT = "absent";

  /**
   * The directory loaded without problems. {@code warnings} are things that load but are likely
   * mistakes (an image glob on a registry the allow-list does not have): reported, never fatal.
   */
  record Loaded(PolicySet policies, Map<Path, String> inputs, List<PolicyProblem> warnings)
      implements PolicyLoadResult {
    public Loaded {
      inputs = Map.copyOf(inputs);
      warnings = List.copyOf(warnings);
    }

    public Loaded(PolicySet policies, Map<Path, String> inputs) {
      this(policies, inputs, List.of());
    }
  }

  /** The directory has problems; {@code problems} lists all of them in file and position order. */
  record Failed(List<PolicyProblem> problems, Map<Path, String> inputs) implements PolicyLoadResult {
    public Failed {
      if (problems.isEmpty()) {
        throw new IllegalArgumentException("a failed load needs at least one problem");
      }
      problems = List.copyOf(problems);
      inputs = Map.copyOf(inputs);
    }
  }
}
