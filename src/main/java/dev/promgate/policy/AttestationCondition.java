package dev.promgate.policy;

import java.util.Map;

/**
 * A CEL condition over an attestation, compiled and type-checked when the policy loads. The
 * expression sees {@code predicate} (the predicate as JSON values), {@code predicateType} and
 * {@code statement} (the whole in-toto statement).
 */
public interface AttestationCondition {

  /** The expression as the policy author wrote it. */
  String expression();

  /**
   * Evaluates the condition with a per-evaluation cost limit.
   *
   * @param statement the in-toto statement as plain Java values (maps, lists, strings, numbers,
   *                  booleans, null), as a JSON parser produces them
   * @return the outcome; an evaluation error (missing field, cost limit) is {@link Result#error}
   */
  Result evaluate(Map<String, Object> statement);

  /** {@code satisfied} when the expression returned true; {@code error} explains a failure to evaluate. */
  record Result(boolean satisfied, String error) {
    public static Result of(boolean satisfied) {
      return new Result(satisfied, null);
    }

    public static Result error(String message) {
      return new Result(false, message);
    }

    public boolean failedToEvaluate() {
      return error != null;
    }
  }
}
