package dev.promgate.verification;

import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * A trusted root that is present but that sigstore-java cannot build verifiers from (a key it cannot
 * decode, an algorithm it does not support): nothing that needs it could be checked, so the verdict is
 * Unverifiable naming the root and why — not Rejected, which would be cached as a denial of an image
 * that may well be signed.
 */
class UnusableTrustedRootTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  /** The production root with the key of every transparency log replaced by {@code rawBytes} of {@code keyDetails}. */
  private static Path withBrokenLogKeys(String rawBytes, String keyDetails) throws Exception {
    ObjectNode json = (ObjectNode) Mappers.JSON.readTree(productionRoot().toFile());
    json.get("tlogs").forEach(log -> {
      ObjectNode key = (ObjectNode) log.get("publicKey");
      key.put("rawBytes", rawBytes);
      key.put("keyDetails", keyDetails);
    });
    Path copy = Files.createTempFile("broken_trusted_root", ".json");
    copy.toFile().deleteOnExit();
    Mappers.JSON.writeValue(copy.toFile(), json);
    return copy;
  }

  private Verdict verify(Authority... authorities) {
    return evaluator.evaluate(TestPolicies.request(ImageReference.of("ghcr.io", "kubewarden/kubewarden-controller",
            CosignV3Test.IMAGE), TestPolicies.signatures(authorities)),
        FixtureAttachments.bundles(List.of(FixtureAttachments.bundle(Fixtures.path("cosign-v3", "bundle_v03.json")))));
  }

  private static void assertUnusable(Verdict verdict) {
    var v = assertInstanceOf(Verdict.Unverifiable.class, verdict, verdict::toString);
    assertEquals(Verdict.Unverifiable.Category.TRUSTED_ROOT, v.category());
    assertTrue(v.cause().startsWith("the key of log https://rekor.sigstore.dev in the trusted root broken_trusted_root"),
        v.cause());
    assertTrue(v.cause().contains("cannot be read (") && v.cause().contains("so what needs it was not checked"),
        v.cause());
  }

  @Test
  void aLogKeyThatDoesNotDecodeMakesItUnverifiable() throws Exception {
    Authority.Keyless release = TestPolicies.keyless("release", withBrokenLogKeys("AAAA", "PKIX_ECDSA_P256_SHA_256"),
        TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE));
    assertUnusable(verify(release));
  }

  @Test
  void anUnsupportedKeyAlgorithmMakesItUnverifiable() throws Exception {
    Authority.Keyless release = TestPolicies.keyless("release",
        withBrokenLogKeys("MCowBQYDK2VuAyEAnGKDqdsDlFaHxGqnbSNdObV0b4jgDbtKkCNVj5Vq4X4=", "PKIX_X25519"),
        TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE));
    assertUnusable(verify(release));
  }

  @Test
  void anotherAuthorityThatVerifiesIsEnough() throws Exception {
    Authority.Keyless broken = TestPolicies.keyless("broken", withBrokenLogKeys("AAAA", "PKIX_ECDSA_P256_SHA_256"),
        TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE));
    Authority.Keyless release = TestPolicies.keyless("release", productionRoot(),
        TestPolicies.identity(CosignV3Test.ACTIONS, CosignV3Test.RELEASE));
    assertInstanceOf(Verdict.Verified.class, verify(broken, release));
  }
}
