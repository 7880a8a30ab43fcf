package dev.promgate.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.testing.Fixtures;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.OciLayouts;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Notary Project's own e2e layouts ({@code notation/} fixtures: an image with a JWS signature
 * attached as an OCI 1.1 referrer, findable through the {@code sha256-<hex>} referrers tag) pushed
 * into a real registry, and decided by the real webhook over HTTPS under a notation authority, with
 * the outcomes their SOURCE.md gives.
 */
class NotationSignaturesTest {

  static final String IMAGE = "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9";

  @TempDir static Path work;
  static LocalRegistry registry;
  static Webhook webhook;

  @BeforeAll
  static void start() throws Exception {
    Path layouts = Fixtures.path("notation", "registry", "oci_layout");
    Path keys = Fixtures.path("notation", "config", "localkeys");
    registry = LocalRegistry.start();
    TestImages images = new TestImages(registry);
    for (String layout : new String[] {"e2e-valid-signature", "e2e-expired-signature", "e2e-invalid-signature", "e2e"}) {
      OciLayouts.push(images, layouts.resolve(layout), "notation/" + layout);
    }
    OciLayouts.push(images, layouts.resolve("e2e-valid-signature"), "other/e2e-valid-signature");
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(registry.host(), ""),
        "notation.yaml", policy("notation", "e2e", keys.resolve("e2e.crt"),
            "\"x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=e2e\""),
        "other.yaml", policy("other", "widgits", keys.resolve("new_e2e.crt"), "\"*\"")));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty());
  }

  static String policy(String name, String authority, Path trustStore, String identity) {
    return """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: %1$s}
        spec:
          images: ["%2$s/%1$s/**"]
          authorities:
            - name: %3$s
              notation:
                trustStore: %4$s
                trustedIdentities: [%5$s]
          environments:
            dev: {signatures: [%3$s]}
            preprod: {signatures: [%3$s]}
            prod: {signatures: [%3$s]}
        """.formatted(name, registry.host(), authority, trustStore, identity);
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  static Answer admit(String repository) throws Exception {
    return webhook.admit("prod", Reviews.deployment("shop-prod", registry.host() + "/" + repository + "@" + IMAGE));
  }

  static void assertDenied(Answer a, String... phrases) {
    assertFalse(a.allowed(), a.toString());
    assertEquals(403, a.code(), a.toString());
    for (String phrase : phrases) {
      assertTrue(a.message().contains(phrase), () -> "expected \"" + phrase + "\" in: " + a.message());
    }
  }

  @Test
  void aValidSignatureFromTheTrustStoreIsAdmitted() throws Exception {
    Answer a = admit("notation/e2e-valid-signature");
    assertTrue(a.allowed(), a.toString());
  }

  @Test
  void aSignerOutsideTheTrustStoreIsDeniedForAuthenticity() throws Exception {
    assertDenied(admit("other/e2e-valid-signature"), "is not signed by widgits",
        "Notation JWS signature: authenticity validation failed");
  }

  @Test
  void anExpiredSignatureIsDenied() throws Exception {
    assertDenied(admit("notation/e2e-expired-signature"), "is not signed by e2e",
        "Notation JWS signature: expiry validation failed: digital signature has expired on");
  }

  @Test
  void aSignatureManifestWithoutAnEnvelopeIsDeniedForIntegrity() throws Exception {
    assertDenied(admit("notation/e2e-invalid-signature"), "is not signed by e2e",
        "integrity validation failed", "application/vnd.oci.image.layer.v1.tar");
  }

  @Test
  void anImageWithoutReferrersIsNotSigned() throws Exception {
    assertDenied(admit("notation/e2e"), "is not signed: no cosign signature, Sigstore bundle or Notation signature");
  }
}
