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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trusted root kept current through TUF whose mirror has not confirmed it for longer than its
 * {@code maxAge}: it is no longer used, so what needs it is Unverifiable, naming the mirror, the
 * last refresh and the age; within its {@code maxAge} it verifies, and a verdict that rests on it
 * lasts no longer than the root may be used without a refresh.
 */
class StaleTrustedRootTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private static final URI MIRROR = URI.create("https://tuf.acme.example");

  @TempDir Path cache;

  private Verdict verify(Duration maxAge, Instant lastRefreshed) throws Exception {
    Files.writeString(cache.resolve("verified-at"), lastRefreshed.toString());
    TrustedRoot file = TestPolicies.trustedRoot(productionRoot());
    TrustedRoot fromTuf = new TrustedRoot(cache.resolve("trusted_root.json"), "from tuf", file.root(), file.digest(),
        Optional.of(new TrustedRoot.Tuf(MIRROR, Path.of("tuf-root.json"), "00", cache, Duration.ofHours(1), maxAge)));
    Authority.Keyless release = new Authority.Keyless("release", fromTuf,
        List.of(TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE)), true, true);
    return new RequirementsEvaluator(Clock.fixed(NOW, ZoneOffset.UTC)).evaluate(
        TestPolicies.request(ImageReference.of("ghcr.io", "kubewarden/kubewarden-controller", CosignV3Test.IMAGE),
            TestPolicies.signatures(release)),
        FixtureAttachments.bundles(List.of(FixtureAttachments.bundle(Fixtures.path("cosign-v3", "bundle_v03.json")))));
  }

  @Test
  void aRootOlderThanTheDefaultMaxAgeIsNotUsed() throws Exception {
    Verdict verdict = verify(TrustedRoot.Tuf.DEFAULT_MAX_AGE, NOW.minus(Duration.ofDays(8)));
    var v = assertInstanceOf(Verdict.Unverifiable.class, verdict, verdict::toString);
    assertEquals(Verdict.Unverifiable.Category.TRUSTED_ROOT, v.category());
    assertTrue(v.cause().startsWith("the trusted root from TUF mirror https://tuf.acme.example was last refreshed at"
        + " 2026-11-18T12:00:00Z, 192h ago, longer than its maxAge of 168h, so it is not used until a refresh"
        + " succeeds"), v.cause());
  }

  @Test
  void withinItsMaxAgeItVerifiesAndTheVerdictEndsWhenTheRootWould() throws Exception {
    Instant refreshed = NOW.minus(Duration.ofDays(6));
    Verdict verdict = verify(TrustedRoot.Tuf.DEFAULT_MAX_AGE, refreshed);
    var v = assertInstanceOf(Verdict.Verified.class, verdict, verdict::toString);
    assertEquals(Optional.of(refreshed.plus(Duration.ofDays(7))), v.expiresAt());
  }

  @Test
  void aShorterMaxAgeIsHonoured() throws Exception {
    var v = assertInstanceOf(Verdict.Unverifiable.class, verify(Duration.ofHours(2), NOW.minus(Duration.ofHours(3))));
    assertTrue(v.cause().contains("3h ago, longer than its maxAge of 2h"), v.cause());
  }
}
