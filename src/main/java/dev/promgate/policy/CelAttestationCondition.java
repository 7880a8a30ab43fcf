package dev.promgate.policy;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationListener;
import dev.cel.runtime.CelRuntime;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An attestation condition written in CEL, compiled and type-checked once when the policy loads.
 *
 * <p>Environment: {@code predicate} (dyn: the statement's predicate as JSON values),
 * {@code predicateType} (string) and {@code statement} (map of string to dyn: the whole in-toto
 * statement). The standard CEL functions and macros are available ({@code has}, {@code all},
 * {@code exists}, {@code exists_one}, {@code map}, {@code filter}; {@code startsWith},
 * {@code matches} with RE2 semantics, {@code size}…). The expression must have type bool; an
 * expression that could only be known at run time ({@code predicate.enabled}) is checked when it
 * runs. Numbers compare across int and double ({@code predicate.score > 7}), as JSON has one number
 * type.
 *
 * <p>Evaluation is bounded: at most {@value #MAX_ITERATIONS} comprehension iterations and
 * {@value #MAX_STEPS} evaluation steps per call, so an expression over a hostile predicate cannot
 * hold a worker thread. Every failure to evaluate (a missing key, a type mismatch, a limit) is a
 * {@link Result#error} value, never an exception. Instances are immutable and thread-safe.
 */
public final class CelAttestationCondition implements AttestationCondition {

  /** Comprehension iterations per evaluation, across all nested loops. */
  static final int MAX_ITERATIONS = 10_000;
  /** Expression nodes evaluated per evaluation: the cost limit. */
  static final int MAX_STEPS = 100_000;
  static final int MAX_EXPRESSION_LENGTH = 16_384;

  private static final Cel CEL = CelFactory.standardCelBuilder()
      .setOptions(CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(MAX_ITERATIONS)
          .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
          .build())
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("predicate", SimpleType.DYN)
      .addVar("predicateType", SimpleType.STRING)
      .addVar("statement", MapType.create(SimpleType.STRING, SimpleType.DYN))
      .setResultType(SimpleType.BOOL)
      .build();

  private static final Pattern EVALUATION_PREFIX = Pattern.compile("^evaluation error(?: at <input>:(\\d+))?: ");

  private final String expression;
  private final CelRuntime.Program program;

  private CelAttestationCondition(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  /**
   * Compiles and type-checks a condition.
   *
   * @throws IllegalArgumentException listing every syntax or type error with its position
   */
  public static CelAttestationCondition compile(String expression) {
    Compilation compilation = tryCompile(expression);
    if (compilation.condition() != null) {
      return compilation.condition();
    }
    StringBuilder message = new StringBuilder("invalid CEL condition");
    for (Issue issue : compilation.issues()) {
      message.append("; ").append(issue.line()).append(':').append(issue.column() + 1).append(": ")
          .append(issue.message());
    }
    throw new IllegalArgumentException(message.toString());
  }

  /** A compiled condition, or the issues that prevented it. */
  record Compilation(CelAttestationCondition condition, List<Issue> issues) {}

  /**
   * One compile error inside the expression.
   *
   * @param line   1-based line of the expression
   * @param column 0-based column (code points) in that line
   */
  record Issue(int line, int column, String message) {}

  /** Compiles without throwing, keeping each issue's position for the loader to map into YAML. */
  static Compilation tryCompile(String expression) {
    if (expression.isBlank()) {
      return new Compilation(null, List.of(new Issue(1, 0, "the condition is empty")));
    }
    CelValidationResult result;
    try {
      result = CEL.compile(expression);
    } catch (RuntimeException e) {
      return new Compilation(null, List.of(new Issue(1, 0, "CEL could not compile the condition: " + e.getMessage())));
    }
    if (result.hasError()) {
      List<Issue> issues = new ArrayList<>();
      for (CelIssue issue : result.getErrors()) {
        int line = Math.max(1, issue.getSourceLocation().getLine());
        int column = Math.max(0, issue.getSourceLocation().getColumn());
        issues.add(new Issue(line, column, cleanCompileMessage(issue.getMessage())));
      }
      return new Compilation(null, issues);
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      return new Compilation(new CelAttestationCondition(expression, CEL.createProgram(ast)), List.of());
    } catch (CelValidationException | CelEvaluationException | RuntimeException e) {
      return new Compilation(null, List.of(new Issue(1, 0, "CEL could not prepare the condition: " + e.getMessage())));
    }
  }

  @Override
  public String expression() {
    return expression;
  }

  @Override
  public Result evaluate(Map<String, Object> statement) {
    Map<String, Object> variables = new LinkedHashMap<>(4);
    Map<String, Object> celStatement;
    try {
      celStatement = statement == null ? Map.of() : toCelMap(statement);
    } catch (IllegalArgumentException e) {
      return Result.error("the statement cannot be given to the condition: " + e.getMessage());
    }
    Object predicateType = celStatement.get("predicateType");
    variables.put("statement", celStatement);
    variables.put("predicate", celStatement.getOrDefault("predicate", NullValue.NULL_VALUE));
    variables.put("predicateType", predicateType instanceof String s ? s : "");

    StepBudget budget = new StepBudget();
    Object value;
    try {
      value = program.trace(variables, budget);
    } catch (CelEvaluationException e) {
      if (budget.exhausted) {
        return Result.error("condition exceeded its cost limit of " + MAX_STEPS + " evaluation steps");
      }
      if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
        return Result.error("condition exceeded its limit of " + MAX_ITERATIONS + " loop iterations");
      }
      return Result.error("condition could not be evaluated: " + cleanEvaluationMessage(e.getMessage()));
    } catch (RuntimeException e) {
      return Result.error("condition could not be evaluated: " + e);
    }
    if (value instanceof Boolean b) {
      return Result.of(b);
    }
    return Result.error("condition returned " + describe(value) + ", not true or false");
  }

  @Override
  public String toString() {
    return expression;
  }

  /** Counts evaluated expression nodes; CEL wraps the thrown exception in a CelEvaluationException. */
  private static final class StepBudget implements CelEvaluationListener {
    private int steps;
    private boolean exhausted;

    @Override
    public void callback(dev.cel.common.ast.CelExpr expr, Object result) {
      if (++steps > MAX_STEPS) {
        exhausted = true;
        throw new BudgetExceeded();
      }
    }
  }

  private static final class BudgetExceeded extends RuntimeException {
    BudgetExceeded() {
      super("cost limit exceeded", null, false, false);
    }
  }

  // --- JSON values to CEL values ---------------------------------------------------------------

  /**
   * Copies JSON values as a parser produces them into the types CEL's runtime expects: maps with
   * string keys, lists, strings, booleans, int64 ({@code Long}), double, and CEL's null.
   */
  static Map<String, Object> toCelMap(Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new IllegalArgumentException("map key " + e.getKey() + " is not a string");
      }
      copy.put(key, toCel(e.getValue()));
    }
    return copy;
  }

  static Object toCel(Object value) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (value instanceof String || value instanceof Boolean || value instanceof Long || value instanceof Double) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : (Object) big.doubleValue();
    }
    if (value instanceof BigDecimal dec) {
      return dec.doubleValue();
    }
    if (value instanceof Map<?, ?> map) {
      return toCelMap(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(toCel(item));
      }
      return copy;
    }
    throw new IllegalArgumentException("value of type " + value.getClass().getSimpleName() + " is not JSON");
  }

  private static String describe(Object value) {
    if (value == null || value instanceof NullValue) {
      return "null";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Long || value instanceof Double) {
      return "a number";
    }
    if (value instanceof Map) {
      return "a map";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof dev.cel.runtime.CelUnknownSet) {
      return "an unknown value";
    }
    return "a " + value.getClass().getSimpleName();
  }

  private static String cleanCompileMessage(String message) {
    return message.replace(" (in container '')", "");
  }

  private static String cleanEvaluationMessage(String message) {
    if (message == null) {
      return "unknown error";
    }
    Matcher m = EVALUATION_PREFIX.matcher(message);
    if (m.find()) {
      String rest = message.substring(m.end());
      return m.group(1) == null ? rest
          : rest + " (at column " + (Integer.parseInt(m.group(1)) + 1) + " of the condition)";
    }
    return message;
  }
}
