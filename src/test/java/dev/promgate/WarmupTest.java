package dev.promgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.policy.PolicySet;
import dev.promgate.testing.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The startup warm-up: synthetic decisions over the policies in force, touching nothing real. */
class WarmupTest {

  static PolicySet signedProd() {
    Authority.Key ci = TestPolicies.keyAuthority("ci", TestPolicies.newEcKey());
    return TestPolicies.create().policy("shop", "registry.acme.example/shop/**", Map.of("ci", ci),
        Map.of("prod", TestPolicies.signedBy("prod", ci))).build();
  }

  @Test
  void itsImagesAreOnesThePoliciesGovernSoTheVerdictPathIsTheOneWarmed() {
    PolicySet set = signedProd();
    List<String> images = Warmup.images(set);
    assertEquals(3, images.size());
    for (String image : images) {
      assertTrue(image.startsWith("registry.acme.example/shop/promgate-warm-up/app@sha256:"), image);
      assertFalse(set.governing(image.substring(0, image.indexOf('@'))).isEmpty(), image);
    }
    assertEquals(3, images.stream().distinct().count(), "three digests, three lookups");
  }

  @Test
  void aCatchAllGlobGivesARepositoryToo() {
    PolicySet set = TestPolicies.digestOnlyEverywhere();
    for (String image : Warmup.images(set)) {
      assertTrue(image.contains("promgate-warm-up/app@sha256:"), image);
    }
  }

  @Test
  void makesTheDecisionsItIsAskedFor() {
    assertEquals(200, Warmup.decisions(signedProd(), 200, Duration.ofMinutes(5)));
    assertEquals(50, Warmup.decisions(TestPolicies.digestOnlyEverywhere(), 50, Duration.ofMinutes(5)));
  }

  @Test
  void theSyntheticSignaturesVerifySoTheWholeSignatureCheckIsWarmed() {
    assertEquals(30, Warmup.verifications(30, Duration.ofMinutes(5)));
  }

  @Test
  void withoutPoliciesThereIsNothingToWarm() {
    assertEquals(0, Warmup.decisions(PolicySet.none(), 10, Duration.ofMinutes(5)));
  }
}
