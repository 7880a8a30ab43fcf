package dev.promgate.verification;

/**
 * Why a piece of evidence does not count, as a sentence a user can act on. Internal control flow
 * only: the evaluator turns it into a {@link dev.promgate.verdict.Verdict.Reason}, never lets it
 * escape. No stack trace, because it is an expected outcome, not a bug.
 */
final class Invalid extends Exception {

  Invalid(String message) {
    super(message, null, false, false);
  }
}
