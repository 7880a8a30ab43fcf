package dev.promgate.policy;

import java.util.Comparator;

/**
 * One thing wrong with the policy files, at a place an editor can jump to.
 *
 * @param file    the file as the user named it: the policy directory as given plus the file name
 *                ({@code policies/shop.yaml}), or the directory itself for problems with it
 * @param line    1-based line; 1 when the problem concerns the whole file
 * @param column  1-based column
 * @param message what is wrong and, where promgate can tell, how to fix it
 */
public record PolicyProblem(String file, int line, int column, String message) {

  /** File order as loaded (callers sort files first), then position. */
  static final Comparator<PolicyProblem> BY_POSITION =
      Comparator.comparingInt(PolicyProblem::line).thenComparingInt(PolicyProblem::column);

  /** {@code file:line:column: message}, the form compilers use and editors understand. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
