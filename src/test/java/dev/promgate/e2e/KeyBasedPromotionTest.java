package dev.promgate.e2e;

import static dev.promgate.testing.CosignSigner.PROMOTION;
import static dev.promgate.testing.CosignSigner.SLSA_PROVENANCE_V1;
import static dev.promgate.testing.CosignSigner.promotion;
import static dev.promgate.testing.CosignSigner.slsaProvenance;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.e2e.Webhook.Answer;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.Mode;
import dev.promgate.testing.CosignSigner;
import dev.promgate.testing.LocalRegistry;
import dev.promgate.testing.Reviews;
import dev.promgate.testing.TestImages;
import dev.promgate.testing.TestImages.Layer;
import dev.promgate.testing.TestImages.Pushed;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release workflow end to end with cosign keys: images, signatures ({@code .sig}) and
 * attestations ({@code .att}, DSSE) in cosign's legacy tag scheme are pushed to a real registry,
 * and the real webhook, over HTTPS, decides AdmissionReviews under a policy shaped like the
 * shipped {@code policies/shop.yaml}: dev audits a ci signature; preprod needs the ci signature and
 * a preprod promotion by release-managers; prod needs those, a prod promotion younger than 720h
 * and SLSA provenance by ci whose build type is an https URI.
 */
class KeyBasedPromotionTest {

  static final String APPROVER = "alice@acme.example";
  static final String HTTPS_BUILD = "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
  static final String CONDITION = "predicate.buildDefinition.buildType.startsWith(\"https://\")";

  @TempDir static Path work;
  static LocalRegistry registry;
  static TestImages images;
  static Webhook webhook;
  static Webhook auditWebhook;
  static final CosignSigner ci = CosignSigner.generate();
  static final CosignSigner releaseManagers = CosignSigner.generate();
  static final CosignSigner stranger = CosignSigner.generate();
  static final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @BeforeAll
  static void start() throws Exception {
    registry = LocalRegistry.start();
    images = new TestImages(registry);
    Path policies = Webhook.writePolicies(work.resolve("policies"), Map.of(
        "gate.yaml", Webhook.gateConfig(registry.host(), ""),
        "shop.yaml", shopPolicy(registry.host()),
        "ci.pub", ci.publicKeyPem(),
        "release-managers.pub", releaseManagers.publicKeyPem()));
    Path certs = work.resolve("certs");
    webhook = Webhook.start(policies, certs, Optional.empty());
    auditWebhook = Webhook.start(policies, certs, Optional.of(Mode.AUDIT));
  }

  @AfterAll
  static void stop() throws Exception {
    if (webhook != null) {
      webhook.close();
    }
    if (auditWebhook != null) {
      auditWebhook.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  /** policies/shop.yaml, for the test registry. */
  static String shopPolicy(String host) {
    return """
        apiVersion: promgate.dev/v1alpha1
        kind: PromotionPolicy
        metadata: {name: shop}
        spec:
          images: ["%s/shop/**"]
          authorities:
            - name: ci
              key: {publicKeyFile: ci.pub}
            - name: release-managers
              key: {publicKeyFile: release-managers.pub}
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
              attestations:
                - predicateType: https://slsa.dev/provenance/v1
                  signedBy: [ci]
                  condition: 'predicate.buildDefinition.buildType.startsWith("https://")'
        """.formatted(host);
  }

  // ---- the release workflow, step by step -------------------------------------------------------

  /** A fresh image (random content, so a digest no other test has seen), pushed by digest. */
  static ImageReference build() {
    return images.pushImage("shop/web", null).pinned();
  }

  static void sign(ImageReference image, CosignSigner signer) {
    images.pushCosignSignatures(image, List.of(signer.signature(image)));
  }

  /** Pushes the image's {@code .att} manifest with these attestations (cosign keeps them all in one). */
  static void attest(ImageReference image, Layer... attestations) {
    images.pushCosignAttestations(image, List.of(attestations));
  }

  static Layer promoted(ImageReference image, String environment, Instant at, CosignSigner by) {
    return by.attestation(image, PROMOTION, promotion(environment, at, APPROVER));
  }

  static Layer provenance(ImageReference image, String buildType) {
    return ci.attestation(image, SLSA_PROVENANCE_V1, slsaProvenance(buildType));
  }

  /** Signed by ci, promoted to preprod and prod by release-managers, with https provenance. */
  static ImageReference released() {
    ImageReference image = build();
    sign(image, ci);
    attest(image, promoted(image, "preprod", now.minus(2, ChronoUnit.DAYS), releaseManagers),
        promoted(image, "prod", now.minus(1, ChronoUnit.HOURS), releaseManagers),
        provenance(image, HTTPS_BUILD));
    return image;
  }

  static Answer deploy(Webhook to, String environment, ImageReference image) throws Exception {
    return to.admit(environment, Reviews.deployment("shop-" + environment, image.toString()));
  }

  static void assertDenied(Answer a) {
    assertFalse(a.allowed(), a.toString());
    assertEquals(403, a.code(), a.toString());
    assertEquals("deny", a.auditAnnotations().get("decision"), a.toString());
  }

  static void assertAllowed(Answer a) {
    assertTrue(a.allowed(), a.toString());
    assertEquals(List.of(), a.warnings(), a.toString());
    assertEquals("allow", a.auditAnnotations().get("decision"), a.toString());
  }

  /** What the denial says about the container "web" (after "promgate denied Deployment/web in …: "). */
  static String line(Answer a) {
    String about = "container \"web\"";
    String line = a.message().lines().filter(l -> l.contains(about)).findFirst().orElse(a.message());
    return line.substring(Math.max(0, line.indexOf(about)));
  }

  // ---- scenarios ----------------------------------------------------------------------------------

  @Test
  void aSignedAndPromotedDigestIsAllowedInEveryEnvironment() throws Exception {
    ImageReference image = released();
    for (String environment : List.of("dev", "preprod", "prod")) {
      Answer a = deploy(webhook, environment, image);
      assertAllowed(a);
      assertEquals(environment, a.auditAnnotations().get("environment"));
    }
  }

  @Test
  void anUnsignedDigestIsDeniedNamingContainerImageMissingSignatureAndFix() throws Exception {
    ImageReference image = build();
    for (String environment : List.of("preprod", "prod")) {
      Answer a = deploy(webhook, environment, image);
      assertDenied(a);
      assertTrue(a.message().startsWith("promgate denied "), a.message());
      assertTrue(line(a).startsWith("container \"web\": " + image + " is not signed: no cosign signature, "
          + "Sigstore bundle or Notation signature was found (required: a signature by ci); fix: sign it with the key of ci: "
          + "cosign sign --key <private key of ci> " + image), line(a));
      assertTrue(line(a).contains("has no promotion to preprod signed by release-managers (found: no promotions)"),
          line(a));
    }
  }

  @Test
  void aDigestSignedByAnUntrustedKeyIsDenied() throws Exception {
    ImageReference image = build();
    sign(image, stranger);
    attest(image, promoted(image, "preprod", now.minus(2, ChronoUnit.DAYS), releaseManagers));
    Answer a = deploy(webhook, "preprod", image);
    assertDenied(a);
    assertTrue(line(a).contains(image + " is not signed by ci (found: "), line(a));
    assertTrue(line(a).contains("not signed with the key of ci (ci.pub)"), line(a));
    assertFalse(line(a).contains(work.toString()), "no server paths in denials: " + line(a));
    assertTrue(line(a).contains("fix: sign it with the key of ci"), line(a));
    assertFalse(line(a).contains("promotion"), "the promotion holds, only the signature fails: " + line(a));
  }

  @Test
  void aPromotionSignedByAnUntrustedKeyDoesNotCount() throws Exception {
    ImageReference image = build();
    sign(image, ci);
    attest(image, promoted(image, "preprod", now.minus(2, ChronoUnit.DAYS), stranger));
    Answer a = deploy(webhook, "preprod", image);
    assertDenied(a);
    String date = now.minus(2, ChronoUnit.DAYS).atOffset(ZoneOffset.UTC).toLocalDate().toString();
    assertTrue(line(a).contains("has no promotion to preprod signed by release-managers (found: preprod, " + date
        + ", " + APPROVER + " (not signed by release-managers: not signed with the key of release-managers "
        + "(release-managers.pub)))"), line(a));
  }

  @Test
  void promotedToPreprodOnlyIsDeniedInProdSayingWhatWasFoundAndAllowedInPreprod() throws Exception {
    ImageReference image = build();
    Instant promotedAt = now.minus(6, ChronoUnit.DAYS);
    sign(image, ci);
    attest(image, promoted(image, "preprod", promotedAt, releaseManagers), provenance(image, HTTPS_BUILD));

    Answer prod = deploy(webhook, "prod", image);
    assertDenied(prod);
    String date = promotedAt.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    assertTrue(line(prod).startsWith("container \"web\": " + image + " has no promotion to prod signed by "
        + "release-managers (found: preprod, " + date + ", " + APPROVER + "); fix: promote it: cosign attest --type "
        + PROMOTION + " --predicate promotion.json --key <private key of release-managers> " + image), line(prod));
    assertFalse(line(prod).contains("not signed"), line(prod));

    assertAllowed(deploy(webhook, "preprod", image));
  }

  @Test
  void aPromotionOlderThanMaxAgeIsDenied() throws Exception {
    ImageReference image = build();
    Instant promotedAt = now.minus(40, ChronoUnit.DAYS);
    sign(image, ci);
    attest(image, promoted(image, "preprod", promotedAt.minus(1, ChronoUnit.DAYS), releaseManagers),
        promoted(image, "prod", promotedAt, releaseManagers), provenance(image, HTTPS_BUILD));
    Answer a = deploy(webhook, "prod", image);
    assertDenied(a);
    String date = promotedAt.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    assertTrue(line(a).contains("has no current promotion to prod: the newest one signed by release-managers (prod, "
        + date + ", " + APPROVER + ") is 40 days old, older than maxAge 720h; fix: promote it"), line(a));
  }

  @Test
  void provenanceWhoseConditionIsFalseIsDenied() throws Exception {
    ImageReference image = build();
    sign(image, ci);
    attest(image, promoted(image, "preprod", now.minus(2, ChronoUnit.DAYS), releaseManagers),
        promoted(image, "prod", now.minus(1, ChronoUnit.HOURS), releaseManagers),
        provenance(image, "make-on-a-laptop"));
    Answer a = deploy(webhook, "prod", image);
    assertDenied(a);
    assertTrue(line(a).contains("has no " + SLSA_PROVENANCE_V1 + " attestation signed by ci for which " + CONDITION
        + " holds (found: "), line(a));
    assertTrue(line(a).contains("by ci: the condition is false"), line(a));
    assertTrue(line(a).contains("fix: attest a predicate for which the condition holds: cosign attest --type "
        + SLSA_PROVENANCE_V1), line(a));
    // preprod does not ask for provenance
    assertAllowed(deploy(webhook, "preprod", image));
  }

  @Test
  void auditModeAdmitsWhatEnforceDeniesWithWarningsAndAuditAnnotations() throws Exception {
    ImageReference image = build();
    assertDenied(deploy(webhook, "prod", image));

    Answer a = deploy(auditWebhook, "prod", image);
    assertTrue(a.allowed(), a.toString());
    assertEquals(1, a.warnings().size(), a.toString());
    assertTrue(a.warnings().get(0).startsWith("promgate (audit) container \"web\": " + image + " is not signed"),
        a.warnings().get(0));
    assertEquals("audit-deny", a.auditAnnotations().get("decision"));
    assertTrue(a.auditAnnotations().get("reasons").contains("has no promotion to prod signed by release-managers"),
        a.auditAnnotations().toString());

    assertAllowed(deploy(auditWebhook, "prod", released()));
  }

  @Test
  void theDevEnvironmentAuditsAnUnsignedImage() throws Exception {
    ImageReference image = build();
    Answer a = deploy(webhook, "dev", image);
    assertTrue(a.allowed(), a.toString());
    assertEquals(1, a.warnings().size(), a.toString());
    assertTrue(a.warnings().get(0).startsWith("promgate (audit) container \"web\": " + image
        + " is not signed: no cosign signature"), a.warnings().get(0));
    assertEquals("audit-deny", a.auditAnnotations().get("decision"));
  }

  /**
   * A tag is denied before any verification; the hint names the digest the tag points at in the
   * registry right now, ready to paste.
   */
  @Test
  void aTagIsDeniedNamingTheDigestItPointsAtNow() throws Exception {
    Pushed tagged = images.pushImage("shop/web", "1.4");
    ImageReference reference = ImageReference.parse(registry.host() + "/shop/web:1.4");
    Answer a = webhook.admit("prod", Reviews.pod("shop-prod", reference.toString()));
    assertDenied(a);
    assertTrue(line(a).contains("container \"web\": " + reference + " uses the mutable tag \"1.4\"; images must be "
        + "referenced by digest; fix: pin it as " + registry.host() + "/shop/web@" + tagged.digest()
        + " (what \"1.4\" points at now)"), line(a));
  }

  /**
   * Multi-arch images: the pod names the index digest, and that is what gets signed and promoted
   * ({@code cosign sign} on an index signs the index). The runtime then pulls the platform manifest
   * the index lists by digest, so the signature covers it through the index.
   *
   * <p>A pod that names a platform manifest digest directly is judged on that digest alone: promgate
   * does not look for an index that lists it (a manifest does not know its indexes, and anyone can
   * push an index listing any manifest, so "some signed index lists it" proves nothing about which
   * index was released). Without a signature and promotions of its own it is denied; sign and
   * promote the index and reference the index digest in the workload instead.
   */
  @Test
  void aSignatureOnTheIndexAdmitsTheIndexDigestButNotAPlatformManifestDigest() throws Exception {
    Pushed amd64 = images.pushImage("shop/web", null, "linux", "amd64");
    Pushed arm64 = images.pushImage("shop/web", null, "linux", "arm64");
    ImageReference index = images.pushIndex("shop/web", null, List.of(amd64, arm64)).pinned();
    sign(index, ci);
    attest(index, promoted(index, "preprod", now.minus(1, ChronoUnit.DAYS), releaseManagers));

    assertAllowed(deploy(webhook, "preprod", index));

    Answer platform = deploy(webhook, "preprod", amd64.pinned());
    assertDenied(platform);
    assertTrue(line(platform).contains(amd64.pinned() + " is not signed: no cosign signature, Sigstore bundle or "
        + "Notation signature was found"), line(platform));
  }

  @Test
  void everyFailingContainerOfAPodIsNamed() throws Exception {
    ImageReference good = released();
    ImageReference unsigned = build();
    Answer a = webhook.admit("prod", Reviews.pod("shop-prod", good.toString(), unsigned.toString(), good.toString()));
    assertDenied(a);
    assertTrue(a.message().contains("container \"c1\": " + unsigned + " is not signed"), a.message());
    assertFalse(a.message().contains("container \"web\""), a.message());
    assertFalse(a.message().contains("container \"c2\""), a.message());
  }
}
