package dev.promgate.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.promgate.testing.FuzzSeeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the policy loader with one policy file beside the keys the shipped policies name.
 * Invariants: the loader never throws; a refused file gets at least one problem with a real
 * position; a loaded set never admits more than it reads: no promotion or attestation rule that
 * any signer would satisfy (every one names at least one authority).
 */
class PolicyYamlFuzzTest {

  private static final Path DIRECTORY;

  static {
    try {
      DIRECTORY = Files.createTempDirectory("promgate-policy-fuzz");
      DIRECTORY.toFile().deleteOnExit();
      PolicyFiles.withKeys(DIRECTORY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void policyFile(byte[] yaml) throws IOException {
    check(yaml);
  }

  static Stream<Arguments> seeds() {
    return FuzzSeeds.of(List.of(Path.of("policies"), Path.of("benchmarks/policies")), List.of("**.yaml", "**.yml"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedCorpus(String name, byte[] yaml) throws IOException {
    check(yaml);
  }

  static synchronized void check(byte[] yaml) throws IOException {
    Files.write(DIRECTORY.resolve("policy.yaml"), yaml);
    PolicyLoadResult result = PolicyLoader.load(DIRECTORY);
    if (result instanceof PolicyLoadResult.Failed failed) {
      assertFalse(failed.problems().isEmpty());
      for (PolicyProblem p : failed.problems()) {
        assertTrue(p.line() >= 1 && p.column() >= 1, p.toString());
        assertFalse(p.message().isBlank(), p.toString());
      }
      return;
    }
    PolicySet set = ((PolicyLoadResult.Loaded) result).policies();
    for (PromotionPolicy policy : set.policies()) {
      for (EnvironmentRules rules : policy.environments().values()) {
        for (EnvironmentRules.PromotionRule promotion : rules.promotions()) {
          assertFalse(promotion.signedBy().isEmpty(), "a promotion rule that anyone satisfies: " + policy.name());
        }
        for (EnvironmentRules.AttestationRule attestation : rules.attestations()) {
          assertFalse(attestation.signedBy().isEmpty(), "an attestation rule that anyone satisfies: " + policy.name());
        }
      }
    }
  }
}
