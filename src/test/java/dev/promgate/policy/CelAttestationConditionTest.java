package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.json.Mappers;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

class CelAttestationConditionTest {

  private static final ObjectMapper JSON = Mappers.JSON;

  /** An in-toto statement with a SLSA v1 predicate, parsed as the verification step parses it. */
  private static final Map<String, Object> STATEMENT = parse("""
      {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.acme.example/shop/web", "digest": {"sha256": "ab12"}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
          "buildDefinition": {
            "buildType": "https://actions.github.io/buildtypes/workflow/v1",
            "externalParameters": {"workflow": {"ref": "refs/heads/main", "repository": "https://github.com/acme/shop"}},
            "resolvedDependencies": [{"uri": "git+https://github.com/acme/shop@refs/heads/main"}]
          },
          "runDetails": {"builder": {"id": "https://github.com/actions/runner"}, "metadata": {"invocationId": null}},
          "materials": [{"uri": "a"}, {"uri": "b"}],
          "score": 7,
          "ratio": 0.75,
          "huge": 123456789012345678901234567890,
          "enabled": true
        }
      }
      """);

  private static Map<String, Object> parse(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static AttestationCondition.Result eval(String expression) {
    return CelAttestationCondition.compile(expression).evaluate(STATEMENT);
  }

  @Test
  void trueAndFalseOverNestedMapsListsAndNumbers() {
    assertEquals(AttestationCondition.Result.of(true),
        eval("predicate.buildDefinition.buildType.startsWith(\"https://\")"));
    assertEquals(AttestationCondition.Result.of(false),
        eval("predicate.buildDefinition.buildType.startsWith(\"http://\")"));
    assertTrue(eval("predicate.materials.size() > 0").satisfied());
    assertTrue(eval("predicate.materials.exists(m, m.uri == 'b')").satisfied());
    assertTrue(eval("predicate.materials.all(m, m.uri.size() == 1)").satisfied());
    assertTrue(eval("has(predicate.runDetails.builder.id)").satisfied());
    assertFalse(eval("has(predicate.nothing)").satisfied());
    assertFalse(eval("has(predicate.nothing)").failedToEvaluate());
    assertTrue(eval("predicate.score == 7 && predicate.score > 6 && predicate.score >= 7.0").satisfied(),
        "JSON integers are CEL ints and compare with doubles");
    assertTrue(eval("predicate.ratio > 0.5 && predicate.ratio < 1").satisfied());
    assertTrue(eval("predicate.huge > 1e29").satisfied(), "integers beyond int64 become doubles");
    assertTrue(eval("predicate.enabled").satisfied());
    assertTrue(eval("predicate.runDetails.metadata.invocationId == null").satisfied());
    assertTrue(eval("predicateType == 'https://slsa.dev/provenance/v1'").satisfied());
    assertTrue(eval("statement.subject[0].digest.sha256 == 'ab12'").satisfied());
    assertTrue(eval("predicate.buildDefinition.externalParameters.workflow.repository"
        + ".matches('^https://github\\\\.com/acme/.*$')").satisfied());
  }

  @Test
  void evaluationErrorsAreValues() {
    AttestationCondition.Result missing = eval("predicate.buildDefinition.nothing == 'x'");
    assertTrue(missing.failedToEvaluate());
    assertFalse(missing.satisfied());
    assertEquals("condition could not be evaluated: key 'nothing' is not present in map."
        + " (at column 26 of the condition)", missing.error());

    AttestationCondition.Result typeError = eval("predicate.score + 'x' == 'y'");
    assertTrue(typeError.failedToEvaluate());
    assertTrue(typeError.error().contains("No matching overload"), typeError.error());

    assertTrue(eval("predicate.materials[5].uri == 'a'").failedToEvaluate());
    assertTrue(eval("predicate.score / 0 == 1").failedToEvaluate());
    assertTrue(eval("predicate.runDetails.metadata.invocationId.x == 1").failedToEvaluate());
  }

  @Test
  void aNonBooleanResultAtRunTimeIsAnError() {
    AttestationCondition.Result result = eval("predicate.score");
    assertEquals("condition returned a number, not true or false", result.error());
    assertEquals("condition returned a map, not true or false", eval("predicate.buildDefinition").error());
  }

  @Test
  void iterationAndCostLimits() {
    String tenThousand = "[" + "0,".repeat(99) + "0]";
    // 100 × 100 × 100 iterations: the comprehension budget stops it.
    AttestationCondition.Result loops = eval(tenThousand + ".all(a, " + tenThousand + ".all(b, "
        + tenThousand + ".all(c, true)))");
    assertEquals("condition exceeded its limit of " + CelAttestationCondition.MAX_ITERATIONS + " loop iterations",
        loops.error());

    // Few iterations but long bodies: the step budget stops it.
    String wide = "predicate.score == 7" + " && predicate.score == 7".repeat(200);
    AttestationCondition.Result steps = eval("[" + "0,".repeat(99) + "0].all(a, "
        + "[" + "0,".repeat(98) + "0].all(b, " + wide + "))");
    assertEquals("condition exceeded its cost limit of " + CelAttestationCondition.MAX_STEPS + " evaluation steps",
        steps.error());
  }

  @Test
  void statementsWithoutPredicateOrWithOddValues() {
    CelAttestationCondition c = CelAttestationCondition.compile("has(predicate.x)");
    assertTrue(c.evaluate(Map.of("predicateType", "t")).failedToEvaluate(), "no predicate: null has no fields");
    assertTrue(c.evaluate(null).failedToEvaluate());
    Map<String, Object> odd = Map.of("predicate", Map.of("x", new Object()));
    assertEquals("the statement cannot be given to the condition: value of type Object is not JSON",
        c.evaluate(odd).error());
    assertTrue(CelAttestationCondition.compile("predicate.n == 3 && predicate.f > 1.4")
        .evaluate(Map.of("predicate", Map.of("n", 3, "f", 1.5f))).satisfied(), "Integer and Float are widened");
  }

  @Test
  void compileErrorsAreThrownWithPositions() {
    IllegalArgumentException syntax = assertThrows(IllegalArgumentException.class,
        () -> CelAttestationCondition.compile("predicate.x +"));
    assertTrue(syntax.getMessage().startsWith("invalid CEL condition; 1:14: mismatched input '<EOF>'"),
        syntax.getMessage());
    assertEquals("invalid CEL condition; 1:3: expected type 'bool' but found 'int'",
        assertThrows(IllegalArgumentException.class, () -> CelAttestationCondition.compile("1 + 1")).getMessage());
    assertEquals("invalid CEL condition; 1:1: undeclared reference to 'build'",
        assertThrows(IllegalArgumentException.class, () -> CelAttestationCondition.compile("build.x == 1"))
            .getMessage());
    assertEquals("invalid CEL condition; 1:1: the condition is empty",
        assertThrows(IllegalArgumentException.class, () -> CelAttestationCondition.compile("  ")).getMessage());
    assertEquals("invalid CEL condition; 1:15: expected type 'bool' but found 'string'",
        assertThrows(IllegalArgumentException.class,
            () -> CelAttestationCondition.compile("predicateType + 'x'")).getMessage());
  }

  @Test
  void describesItselfByItsExpression() {
    CelAttestationCondition c = CelAttestationCondition.compile("predicate.enabled");
    assertEquals("predicate.enabled", c.expression());
    assertEquals("predicate.enabled", c.toString());
  }
}
