package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static dev.promgate.verification.CosignLegacyFixturesTest.stagingRoot;
import static dev.promgate.verification.FixtureAttachments.containersImageSignature;
import static dev.promgate.verification.FixtureAttachments.signatures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * cosign v3's default image signature, as cosign made it in GitHub Actions for
 * {@code ghcr.io/kubewarden/kubewarden-controller:v1.34.0}: a Sigstore bundle v0.3 with a DSSE
 * envelope whose statement (predicate type {@code https://sigstore.dev/cosign/sign/v1}) names the
 * image digest without a subject {@code name}, a Rekor v1 entry and an RFC 3161 timestamp. It is
 * met here as the webhook meets it: a bundle found among the image's referrers, judged as an image
 * signature by the same evaluator (the webhook's own path, through a real registry, is in
 * {@code e2e/CosignV3WebhookTest}).
 */
class CosignV3Test {

  static final Digest IMAGE = Digest.parse("sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172");
  static final String RELEASE = "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0";
  static final String ACTIONS = "https://token.actions.githubusercontent.com";
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  private static Path bundle(String... derived) {
    return derived.length == 0 ? Fixtures.path("cosign-v3", "bundle_v03.json")
        : Fixtures.path("cosign-v3", "derived", derived[0]);
  }

  private Verdict verify(Path bundle, Digest digest, Authority authority) {
    return evaluator.evaluate(TestPolicies.request(ImageReference.of("ghcr.io", "kubewarden/kubewarden-controller", digest),
        TestPolicies.signatures(authority)), FixtureAttachments.bundles(List.of(FixtureAttachments.bundle(bundle))));
  }

  private static Authority.Keyless release(Path root) {
    return TestPolicies.keyless("release", root, TestPolicies.identity(ACTIONS, RELEASE));
  }

  @Test
  void verifiesAsTheImageSignatureForItsDigestAndIdentity() {
    var verified = assertInstanceOf(Verdict.Verified.class, verify(bundle(), IMAGE, release(productionRoot())));
    assertEquals("signature", verified.evidence().get(0).kind());
    assertEquals(RELEASE + " (issuer " + ACTIONS + ")", verified.evidence().get(0).identity());
  }

  @Test
  void anotherDigestIsRejected() {
    String p = problem(verify(bundle(), Digest.parse("sha256:" + "0".repeat(64)), release(productionRoot())));
    assertTrue(p.contains("Sigstore bundle (cosign v3 image signature) cosign-v3/bundle_v03.json: its"
        + " https://sigstore.dev/cosign/sign/v1 statement is about sha256:c811d58de79c…, not this digest"), p);
  }

  @Test
  void anotherIdentityIsRejected() {
    String older = RELEASE.replace("v1.34.0", "v1.33.0");
    String p = problem(verify(bundle(), IMAGE, TestPolicies.keyless("release", productionRoot(),
        TestPolicies.identity(ACTIONS, older))));
    assertTrue(p.contains("signed by " + RELEASE + " (issuer " + ACTIONS + "), which is not an identity of release"), p);
    String q = problem(verify(bundle(), IMAGE, TestPolicies.keyless("release", productionRoot(),
        TestPolicies.identity("https://accounts.google.com", RELEASE))));
    assertTrue(q.contains("which is not an identity of release"), q);
  }

  @Test
  void theStagingRootDoesNotTrustIt() {
    String p = problem(verify(bundle(), IMAGE, release(stagingRoot())));
    assertTrue(p.contains("Sigstore bundle (cosign v3 image signature)") && p.contains("its certificate is not trusted"), p);
  }

  @Test
  void aChangedPayloadTypeIsRejected() {
    String p = problem(verify(bundle("bundle_v03.payloadtype-application-json.json"), IMAGE, release(productionRoot())));
    assertTrue(p.contains("Sigstore bundle (DSSE) derived/bundle_v03.payloadtype-application-json.json: the bundle's DSSE"
        + " payload type is application/json, not application/vnd.in-toto+json"), p);
  }

  @Test
  void aChangedStatementTypeIsRejected() {
    String p = problem(verify(bundle("bundle_v03.statement-type-changed.json"), IMAGE, release(productionRoot())));
    assertTrue(p.contains("Sigstore bundle (DSSE) derived/bundle_v03.statement-type-changed.json:")
        && p.contains("https://example.com/Statement/v1"), p);
  }

  @Test
  void aSwappedSubjectIsRejectedForBothDigests() {
    Path swapped = bundle("bundle_v03.subject-digest-swapped.json");
    String forOriginal = problem(verify(swapped, IMAGE, release(productionRoot())));
    assertTrue(forOriginal.contains("statement is about sha256:732112270d7e…, not this digest"), forOriginal);
    // the image the statement now names: its signature is the original one, over another payload
    String forClaimed = problem(verify(swapped,
        Digest.parse("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"), release(productionRoot())));
    assertTrue(forClaimed.contains("Sigstore bundle (cosign v3 image signature) derived/bundle_v03.subject-digest-swapped.json:"
        + " DSSE signature was not valid"), forClaimed);
  }

  @Test
  void itsTimestampMustBeCheckable() {
    // a root without the timestamp authority that dated it (cosign's 2025 public-good root)
    String p = problem(verify(bundle(), IMAGE, release(Fixtures.path("cosign", "trusted_root_pgi.json"))));
    assertTrue(p.contains("its RFC 3161 timestamp cannot be checked: the trusted root trusted_root_pgi.json lists no"
        + " timestamp authority"), p);
  }

  /** The Rekor key's validity window, for bundle entries as for legacy SETs. */
  @Test
  void theRekorKeyMustBeValidWhenTheEntryWasIntegrated() {
    Path expired = RootEdits.withTlogValidity(productionRoot(), "https://rekor.sigstore.dev", "2021-01-12T11:53:27Z",
        "2026-01-01T00:00:00Z");
    String p = problem(verify(bundle(), IMAGE, release(expired)));
    assertTrue(p.contains("Sigstore bundle (cosign v3 image signature) cosign-v3/bundle_v03.json: its Rekor entry was"
        + " integrated at 2026-04-09T07:23:29Z, outside the validity of that log's key"), p);

    // a bundle sigstore-java's own verifier reads: the same check runs before it
    Path pgi = Fixtures.path("cosign", "trusted_root_pgi.json");
    Path pgiExpired = RootEdits.withTlogValidity(pgi, "https://rekor.sigstore.dev", "2021-01-12T11:53:27Z",
        "2022-01-01T00:00:00Z");
    Digest attested = Digest.parse("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4");
    Authority.Keyless cody = TestPolicies.keyless("cody", pgiExpired, TestPolicies.identity("https://github.com/login/oauth",
        "cody@soyland.com"));
    String q = problem(BundleVerdicts.verify(evaluator, Fixtures.path("cosign", "oci-attestation.sigstore.json"), attested, cody));
    assertTrue(q.contains("outside the validity of that log's key"), q);

    // and a legacy signature's SET
    Path legacy = Fixtures.path("containers-image", "dir-img-cosign-fulcio-rekor-valid");
    Verdict v = evaluator.evaluate(TestPolicies.request(TestPolicies.sha256(TestPolicies.bytes(legacy.resolve("manifest.json"))),
        TestPolicies.signatures(TestPolicies.keyless("mitr", RootEdits.withTlogValidity(productionRoot(),
            "https://rekor.sigstore.dev", "2021-01-12T11:53:27Z", "2022-01-01T00:00:00Z"),
            TestPolicies.identity("https://github.com/login/oauth", "mitr@redhat.com")))),
        signatures(List.of(containersImageSignature(legacy.resolve("signature-1")))));
    String r = problem(v);
    assertTrue(r.contains("cosign signature dir-img-cosign-fulcio-rekor-valid/signature-1: its Rekor entry was integrated"
        + " at 2023-01-20T20:51:33Z, outside the validity of that log's key"), r);
  }
}
