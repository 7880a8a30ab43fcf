package dev.promgate.verification;

import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.ImageReference;
import dev.promgate.policy.Authority;
import dev.promgate.policy.TrustedRoot;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A trusted root kept current through TUF that no refresh has verified yet: what needs it could not
 * be checked, so the verdict is Unverifiable (not cached as a denial, never "unsigned"), unless
 * another authority's evidence already satisfies the requirement.
 */
class UnavailableTrustedRootTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);
  private final Path cache = Path.of("/var/cache/promgate-tuf/0123456789abcdef");
  private final TrustedRoot pending = new TrustedRoot(cache.resolve("trusted_root.json"), "pending", null,
      "tuf-pending:0123456789abcdef", Optional.of(new TrustedRoot.Tuf(URI.create("https://tuf.acme.example"),
          Path.of("tuf-root.json"), "00", cache, Duration.ofHours(1))));

  private Verdict verify(Authority... authorities) {
    return evaluator.evaluate(TestPolicies.request(ImageReference.of("ghcr.io", "kubewarden/kubewarden-controller",
            CosignV3Test.IMAGE), TestPolicies.signatures(authorities)),
        FixtureAttachments.bundles(List.of(FixtureAttachments.bundle(Fixtures.path("cosign-v3", "bundle_v03.json")))));
  }

  @Test
  void signaturesThatNeedItAreUnverifiable() {
    Authority.Keyless release = new Authority.Keyless("release", pending,
        List.of(TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE)), true, true);
    var v = assertInstanceOf(Verdict.Unverifiable.class, verify(release));
    assertEquals(Verdict.Unverifiable.Category.TRUSTED_ROOT, v.category());
    assertTrue(v.cause().contains("the trusted root from TUF mirror https://tuf.acme.example has not been verified"
        + " from its mirror yet"), v.cause());
  }

  @Test
  void anotherAuthorityThatVerifiesIsEnough() {
    Authority.Keyless pendingRelease = new Authority.Keyless("pending", pending,
        List.of(TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE)), true, true);
    Authority.Keyless fileRelease = TestPolicies.keyless("release", productionRoot(),
        TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE));
    assertInstanceOf(Verdict.Verified.class, verify(pendingRelease, fileRelease));
  }
}
