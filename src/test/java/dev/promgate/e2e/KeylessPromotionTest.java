package dev.promgate.e2e;

import static dev.promgate.testing.CosignSigner.PROMOTION;
import static dev.promgate.testing.CosignSigner.promotion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.image.ImageReference;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.SigstoreJs;
import dev.promgate.testing.SigstoreJs.Image;
import dev.promgate.testing.SigstoreJs.Instance;
import dev.promgate.testing.SigstoreJs.Option;
import dev.promgate.testing.SigstoreJs.Tamper;
import dev.promgate.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless signing end to end with an independent signer: sigstore-js signs against a local Sigstore
 * (Fulcio root → intermediate, CT log, Rekor) and pushes its bundles to a real registry as OCI
 * referrers (the {@code sha256-<hex>} referrers tag, since distribution 2.8 lacks the referrers
 * API). Image signatures are cosign 3's DSSE bundles (predicate type
 * {@code https://sigstore.dev/cosign/sign/v1}, subject without a name); promotions are DSSE
 * attestations with the promotion predicate. The real webhook decides over HTTPS under a policy
 * whose authorities are keyless: ci matches one workflow identity exactly, release-managers any
 * {@code @acme.example} address by regular expression, both with the harness's trusted root.
 */
class KeylessPromotionTest {

  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final String WORKFLOW = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";
  static final String ACME = "https://accounts.acme.example";
  static final String ALICE = "alice@acme.example";

  @TempDir static Path work;
  static SigstoreJs signer;
  static Instance sigstore;
  static LocalRegistry registry;
  static TestImages images;
  static Webhook webhook;
  static final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @BeforeAll
  static void start() throws Exception {
    signer = SigstoreJs.require();
    sigstore = signer.trustRoot(work.resolve("sigstore"));
    registry = LocalRegistry.start();
    images = new TestImages(registry);
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(registry.host(), ""),
        "shop.yaml", keylessPolicy(registry.host()),
        "trusted_root.json", Files.readString(sigstore.trustedRoot())));
    webhook = Webhook.start(policies, work.resolve("certs"), Optional.empty());
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

  static String keylessPolicy(String host) {
    return """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["%s/shop/**"]
          authorities:
            - name: ci
              keyless:
                trustedRoot: trusted_root.json
                identities:
                  - {issuer: "%s", subject: "%s"}
            - name: release-managers
              keyless:
                trustedRoot: trusted_root.json
                identities:
                  - {issuer: "%s", subjectRegExp: '.*@acme\\.example'}
          environments:
            dev:
              mode: audit
              signatures: [ci]
            preprod:
              signatures: [ci]
              promotions:
                - {environment: preprod, signedBy: [release-managers]}
            prod:
              signatures: [ci]
              promotions:
                - {environment: preprod, signedBy: [release-managers]}
                - {environment: prod, signedBy: [release-managers], maxAge: 720h}
        """.formatted(host, GITHUB, WORKFLOW, ACME);
  }

  /** A fresh image in the registry, for sigstore-js to sign. */
  static Image build() {
    ImageReference pushed = images.pushImage("shop/web", null).pinned();
    return new Image(registry.host(), "shop/web", pushed.digest().toString());
  }

  static void sign(Instance by, Image image, String identity, String issuer, Option... options) {
    signer.signImage(by, image, identity, issuer, options);
  }

  static void promote(Instance by, Image image, String environment, String identity, Option... options) {
    signer.attestImage(by, image, identity, ACME, PROMOTION, promotion(environment, now.minus(1, ChronoUnit.HOURS),
        identity), options);
  }

  static Answer deploy(String environment, Image image) throws Exception {
    return webhook.admit(environment, Reviews.deployment("shop-" + environment, reference(image)));
  }

  static String reference(Image image) {
    return image.name() + "@" + image.digest();
  }

  static void assertDenied(Answer a) {
    assertFalse(a.allowed(), a.toString());
    assertEquals(403, a.code(), a.toString());
  }

  @Test
  void signedByTheWorkflowAndPromotedByAReleaseManagerIsAllowed() throws Exception {
    Image image = build();
    sign(sigstore, image, WORKFLOW, GITHUB);
    promote(sigstore, image, "preprod", ALICE);
    promote(sigstore, image, "prod", "bob@acme.example");
    for (String environment : List.of("preprod", "prod")) {
      Answer a = deploy(environment, image);
      assertTrue(a.allowed(), a.toString());
      assertEquals(List.of(), a.warnings());
    }
  }

  @Test
  void promotedToPreprodOnlyIsDeniedInProdWithAKeylessFix() throws Exception {
    Image image = build();
    sign(sigstore, image, WORKFLOW, GITHUB);
    promote(sigstore, image, "preprod", ALICE);
    assertTrue(deploy("preprod", image).allowed());
    Answer prod = deploy("prod", image);
    assertDenied(prod);
    assertTrue(prod.message().contains(reference(image) + " has no promotion to prod signed by release-managers "
        + "(found: preprod, "), prod.message());
    assertTrue(prod.message().contains("signing in as an identity of release-managers [{issuer " + ACME
        + ", subject ~.*@acme\\.example}]"), prod.message());
  }

  @Test
  void aSignatureByAnotherIdentityIsDenied() throws Exception {
    Image image = build();
    String fork = "https://github.com/mallory/shop/.github/workflows/release.yml@refs/heads/main";
    sign(sigstore, image, fork, GITHUB);
    promote(sigstore, image, "preprod", ALICE);
    Answer a = deploy("preprod", image);
    assertDenied(a);
    assertTrue(a.message().contains(reference(image) + " is not signed by ci (found: "), a.message());
    assertTrue(a.message().contains("signed by " + fork + " (issuer " + GITHUB + "), which is not an identity of ci "
        + "[{issuer " + GITHUB + ", subject " + WORKFLOW + "}]"), a.message());
    assertFalse(a.message().contains("promotion"), "only the signature fails: " + a.message());
  }

  @Test
  void aPromotionBySomeoneOutsideTheRegularExpressionIsDenied() throws Exception {
    Image image = build();
    sign(sigstore, image, WORKFLOW, GITHUB);
    // anchored: "alice@acme.example.evil.example" must not pass for ".*@acme\.example"
    String impostor = "alice@acme.example.evil.example";
    promote(sigstore, image, "preprod", impostor);
    Answer a = deploy("preprod", image);
    assertDenied(a);
    assertTrue(a.message().contains("has no promotion to preprod signed by release-managers (found: preprod, "),
        a.message());
    assertTrue(a.message().contains("signed by " + impostor + " (issuer " + ACME + "), which is not an identity of "
        + "release-managers"), a.message());
    assertFalse(a.message().contains("is not signed by ci"), a.message());
  }

  @Test
  void theRightSubjectFromAnotherIssuerIsDenied() throws Exception {
    Image image = build();
    sign(sigstore, image, WORKFLOW, "https://token.evil.example");
    promote(sigstore, image, "preprod", ALICE);
    Answer a = deploy("preprod", image);
    assertDenied(a);
    assertTrue(a.message().contains("is not signed by ci (found: "), a.message());
    assertTrue(a.message().contains("signed by " + WORKFLOW + " (issuer https://token.evil.example), which is not an "
        + "identity of ci"), a.message());
  }

  @Test
  void aTamperedPayloadIsDenied() throws Exception {
    Image image = build();
    sign(sigstore, image, WORKFLOW, GITHUB, Option.tamper(Tamper.PAYLOAD));
    promote(sigstore, image, "preprod", ALICE, Option.tamper(Tamper.PAYLOAD));
    Answer a = deploy("preprod", image);
    assertDenied(a);
    assertTrue(a.message().contains(reference(image) + " is not signed by ci (found: "), a.message());
    assertTrue(a.message().contains("has no promotion to preprod signed by release-managers (found: "), a.message());
    assertTrue(a.message().contains("(referrer): DSSE signature was not valid (for ci)"), a.message());
    assertFalse(a.message().contains("which is not an identity"), "the signature itself fails: " + a.message());
  }

  @Test
  void signaturesUnderAForeignTrustedRootAreDenied() throws Exception {
    Instance foreign = signer.trustRoot(work.resolve("foreign-sigstore"));
    Image image = build();
    sign(foreign, image, WORKFLOW, GITHUB);
    promote(foreign, image, "preprod", ALICE);
    Answer a = deploy("preprod", image);
    assertDenied(a);
    assertTrue(a.message().contains(reference(image) + " is not signed by ci (found: "), a.message());
    assertTrue(a.message().contains("has no promotion to preprod signed by release-managers (found: "), a.message());
    assertTrue(a.message().contains("Certificate was not verifiable against CAs"), a.message());
    assertFalse(a.message().contains("which is not an identity"), "the chain itself fails: " + a.message());
  }
}
