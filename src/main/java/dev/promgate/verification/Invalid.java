package dev.promgate.verification;

import java.util.regex.Pattern;

/**
 * Why a piece of evidence does not count, as a sentence a user can act on. Internal control flow
 * only: the evaluator turns it into a {@link dev.promgate.verdict.Verdict.Reason}, never lets it
 * escape. No stack trace, because it is an expected outcome, not a bug.
 */
final class Invalid extends Exception {

  private static final Pattern LINE_BREAKS = Pattern.compile("\\s*\\R\\s*");

  Invalid(String message) {
    super(message, null, false, false);
  }

  /**
   * A library exception as one line: its message and its causes' messages, joined by ": ", without
   * repeats and line breaks (sigstore-java puts hex dumps on separate lines), at most 500 characters.
   */
  static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    String previous = null;
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      message = LINE_BREAKS.matcher(message).replaceAll(" ").strip();
      if (previous != null && previous.contains(message)) {
        continue;
      }
      if (s.length() > 0) {
        s.append(": ");
      }
      s.append(message);
      previous = message;
    }
    return s.length() <= 500 ? s.toString() : s.substring(0, 497) + "...";
  }
}
