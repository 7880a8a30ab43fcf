package dev.promgate.verification;

import java.util.Optional;

/**
 * Why a piece of evidence does not count, as a sentence a user can act on. Internal control flow
 * only: the evaluator turns it into a {@link dev.promgate.verdict.Verdict.Reason}, never lets it
 * escape. No stack trace, because it is an expected outcome, not a bug.
 *
 * <p>When the reason is that trust material could not be used (a trusted root whose key does not
 * decode), the evidence was never checked: it says so ({@link #unusableRoot()}), so that the verdict
 * is Unverifiable rather than Rejected.
 */
final class Invalid extends Exception {

  /** Why a trusted root cannot be used, as a sentence naming it; null when the evidence itself failed. */
  private final String unusableRoot;

  Invalid(String message) {
    this(message, null);
  }

  private Invalid(String message, String unusableRoot) {
    super(message, null, false, false);
    this.unusableRoot = unusableRoot;
  }

  /** The check could not be made: {@code problem} (naming the root) keeps it from being used. */
  static Invalid unusableRoot(String problem) {
    return new Invalid(problem, problem);
  }

  /** The same finding, said with {@code message}: a root that could not be used stays so. */
  Invalid reworded(String message) {
    return new Invalid(message, unusableRoot);
  }

  /** Why a trusted root the check needed cannot be used, if that is what stopped it. */
  Optional<String> unusableRoot() {
    return Optional.ofNullable(unusableRoot);
  }
}
