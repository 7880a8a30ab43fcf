package dev.promgate.verification;

import static dev.promgate.testing.Rejections.rejectedBecause;
import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static dev.promgate.verification.CosignLegacyFixturesTest.stagingRoot;
import static dev.promgate.verification.TestPolicies.identity;
import static dev.promgate.verification.TestPolicies.identityRegExp;
import static dev.promgate.verification.TestPolicies.keyless;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Sigstore bundles made by cosign, sigstore-java, sigstore-python and sigstore-js. */
class SigstoreBundleFixturesTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  private static Authority.Keyless anyone(Path root) {
    return keyless("anyone", root, identityRegExp(".*", ".*"));
  }

  private static String verdictText(Verdict v) {
    return v.toString();
  }

  @Nested
  class CosignOciAttestation {

    private final Path bundle = Fixtures.path("cosign", "oci-attestation.sigstore.json");
    private final Digest image = Digest.parse("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4");
    private final Authority.Keyless cody = keyless("cody", Fixtures.path("cosign", "trusted_root_pgi.json"),
        identity("https://github.com/login/oauth", "cody@soyland.com"));

    @Test
    void verifiesForTheImageDigestAndIdentity() {
      Verdict v = BundleVerdicts.verify(evaluator, bundle, image, cody);
      var verified = assertInstanceOf(Verdict.Verified.class, v, v::toString);
      assertEquals("cody@soyland.com (issuer https://github.com/login/oauth)", verified.evidence().get(0).identity());
      assertEquals("https://cosign.sigstore.dev/attestation/v1", verified.evidence().get(0).detail());
      assertInstanceOf(Verdict.Verified.class, BundleVerdicts.verify(evaluator, bundle, image,
          keyless("cody", productionRoot(), identity("https://github.com/login/oauth", "cody@soyland.com"))));
    }

    @Test
    void otherDigestIsRejected() {
      Verdict v = BundleVerdicts.verify(evaluator, bundle, Digest.parse("sha256:" + "ab".repeat(32)), cody);
      assertTrue(verdictText(v).contains("is about sha256:732112270d7e…, not this digest"), v::toString);
    }

    @Test
    void otherIdentityIsRejected() {
      for (Authority.Identity other : List.of(identity("https://github.com/login/oauth", "someone@soyland.com"),
          identity("https://accounts.google.com", "cody@soyland.com"))) {
        Verdict v = BundleVerdicts.verify(evaluator, bundle, image,
            keyless("other", Fixtures.path("cosign", "trusted_root_pgi.json"), other));
        assertTrue(verdictText(v).contains("signed by cody@soyland.com (issuer https://github.com/login/oauth),"
            + " which is not an identity of other"), v::toString);
      }
    }

    @Test
    void stagingRootIsRejected() {
      Verdict v = BundleVerdicts.verify(evaluator, bundle, image, anyone(stagingRoot()));
      assertTrue(verdictText(v).contains("Fulcio certificate was not valid"), v::toString);
    }
  }

  @Nested
  class SigstoreJava {

    private final Path bundles = Fixtures.path("sigstore-java", "bundles");
    private final Digest artifact = Digest.sha256Of(TestPolicies.bytes(bundles.resolve("artifact.txt")));

    private Verdict verify(String bundle, Path root) {
      return BundleVerdicts.verify(evaluator, bundles.resolve(bundle), artifact, anyone(root));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bundle.sigstore", "bundle.v1.sigstore", "bundle.v2.sigstore", "bundle.v3.sigstore",
        "bundle.v3_1.sigstore", "bundle-no-digest.sigstore", "bundle.dsse.sigstore"})
    void productionBundlesVerify(String bundle) {
      assertInstanceOf(Verdict.Verified.class, verify(bundle, productionRoot()), () -> verify(bundle, productionRoot()).toString());
      assertInstanceOf(Verdict.Verified.class, verify(bundle, Fixtures.path("sigstore-java", "trustroot", "trusted_root.json")));
      rejectedBecause(verify(bundle, stagingRoot()),
          "Certificate was not verifiable against CAs https://fulcio.sigstage.dev");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bundle-with-timestamp.sigstore", "bundle-with-rekor-v2-entry.sigstore",
        "bundle.dsse.rekor-v2.sigstore"})
    void stagingBundlesVerify(String bundle) {
      assertInstanceOf(Verdict.Verified.class, verify(bundle, stagingRoot()), () -> verify(bundle, stagingRoot()).toString());
      assertInstanceOf(Verdict.Verified.class, verify(bundle, Fixtures.path("sigstore-java", "trustroot", "staging_trusted_root.json")));
      rejectedBecause(verify(bundle, productionRoot()),
          "Certificate was not verifiable against CAs https://fulcio.sigstore.dev");
    }

    @Test
    void identityOfTheHashedrekordBundle() {
      Verdict ok = BundleVerdicts.verify(evaluator, bundles.resolve("bundle.sigstore"), artifact,
          keyless("appu", productionRoot(), identity("https://accounts.google.com", "appu@google.com")));
      assertInstanceOf(Verdict.Verified.class, ok);
      Verdict other = BundleVerdicts.verify(evaluator, bundles.resolve("bundle.sigstore"), artifact,
          keyless("bob", productionRoot(), identity("https://accounts.google.com", "bob@google.com")));
      assertTrue(other.toString().contains("signed by appu@google.com (issuer https://accounts.google.com)"), other::toString);
    }

    @Test
    void dsseBundleForAnotherArtifactIsRejected() {
      Verdict v = BundleVerdicts.verify(evaluator, bundles.resolve("bundle.dsse.sigstore"),
          Digest.sha256Of("nonsense".getBytes()), anyone(productionRoot()));
      assertTrue(v.toString().contains("not this digest"), v::toString);
    }

    @Test
    void negativeBundlesAreRejectedWithTheirReason() {
      Map<String, String> production = Map.of(
          "bundle-with-mismatched-set.sigstore", "Entry SET was not valid",
          "bundle-with-bad-checkpoint-signature.sigstore", "Checkpoint signature was invalid",
          "bundle-with-wrong-tlog-entry.sigstore", "inconsistent with log entry",
          "bundle.dsse.bad-signature.sigstore", "DSSE signature was not valid",
          "bundle.dsse.mismatched-envelope.sigstore", "Digest of DSSE payload in bundle does not match",
          "bundle.dsse.mismatched-signature.sigstore", "signature materials are inconsistent");
      production.forEach((bundle, reason) -> {
        Verdict v = verify(bundle, productionRoot());
        assertTrue(v.toString().contains(reason), () -> bundle + ": " + v);
      });
      Map<String, String> staging = Map.of(
          "bundle.dsse.rekor-v2.bad-signature.sigstore", "DSSE signature was not valid",
          // Rekor v2 entries have no SET, so promgate checks them by parts: the timestamp is of the original signature
          "bundle.dsse.rekor-v2.mismatched-payload.sigstore", "its RFC 3161 timestamp is over other data than this signature",
          "bundle.dsse.rekor-v2.mismatched-signature.sigstore", "its RFC 3161 timestamp is over other data than this signature");
      staging.forEach((bundle, reason) -> {
        Verdict v = verify(bundle, stagingRoot());
        assertTrue(v.toString().contains(reason), () -> bundle + ": " + v);
      });
      for (String bundle : List.of("bundle.v1.no.inclusion.sigstore", "bundle.v2.no.inclusion.sigstore",
          "bundle.v3.no.inclusion.sigstore", "bundle.v3_1.no.inclusion.sigstore")) {
        Verdict v = verify(bundle, productionRoot());
        assertTrue(v.toString().contains("Could not find an inclusion proof"), () -> bundle + ": " + v);
      }
    }

    @Test
    void trustedRootTimestampAuthorities() {
      Path oneTsa = Fixtures.path("sigstore-java", "trustroot", "staging_trusted_root_with_one_tsa.json");
      Path outdatedTsa = Fixtures.path("sigstore-java", "trustroot", "staging_trusted_root_with_outdated_tsa.json");
      assertInstanceOf(Verdict.Verified.class, verify("bundle-with-timestamp.sigstore", oneTsa));
      // Rekor v2 entries (no SET) are checked by parts, which name the log and the timestamp authority
      assertTrue(verify("bundle-with-rekor-v2-entry.sigstore", oneTsa).toString()
          .contains("which the trusted root staging_trusted_root_with_one_tsa.json does not list"));
      assertTrue(verify("bundle-with-timestamp.sigstore", outdatedTsa).toString().contains("RFC3161 timestamp verification failed"));
      assertTrue(verify("bundle-with-rekor-v2-entry.sigstore", outdatedTsa).toString()
          .contains("outside the validity of timestamp authority CN=sigstore-tsa,O=sigstore.dev"));
    }
  }

  @Nested
  class SigstorePython {

    private final Path assets = Fixtures.path("sigstore-python");

    private Verdict verify(String bundle, String artifact, Path root) {
      return BundleVerdicts.verify(evaluator, assets.resolve(bundle),
          Digest.sha256Of(TestPolicies.bytes(assets.resolve(artifact))), anyone(root));
    }

    @Test
    void validBundles() {
      for (String name : List.of("bundle.txt", "bundle_v3.txt", "bundle_v3_alt.txt")) {
        assertInstanceOf(Verdict.Verified.class, verify(name + ".sigstore", name, stagingRoot()), name);
      }
      assertInstanceOf(Verdict.Verified.class, verify("staging-rekor-v2.txt.sigstore.json", "staging-rekor-v2.txt", stagingRoot()));
      Verdict wheel = BundleVerdicts.verify(evaluator, assets.resolve("bundle_v3_github.whl.sigstore"),
          Digest.parse("sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201"),
          keyless("release", productionRoot(), identity("https://token.actions.githubusercontent.com",
              "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2")));
      assertInstanceOf(Verdict.Verified.class, wheel, wheel::toString);
    }

    @Test
    void hashedrekordOverDsseOnRekorV2Verifies() {
      // newer than sigstore-java 2.0.0, which refuses it; sigstore-python expects it to verify
      // the DSSE subject is the conformance suite's a.txt
      Verdict v = BundleVerdicts.verify(evaluator, assets.resolve("a.dsse.staging-rekor-v2.txt.sigstore.json"),
          Digest.sha256Of(TestPolicies.bytes(Fixtures.path("sigstore-conformance", "a.txt"))), anyone(stagingRoot()));
      assertInstanceOf(Verdict.Verified.class, v, v::toString);
    }

    @Test
    void invalidBundles() {
      Map<String, String> cases = Map.of(
          "bundle_cve_2022_36056.txt", "inconsistent with log entry",
          "bundle_invalid_version.txt", "is not a supported Sigstore bundle version",
          "bundle_no_cert_v1.txt", "certificate chain is empty",
          "bundle_no_checkpoint.txt", "checkpoint",
          "bundle_no_log_entry.txt", "has no transparency log entry");
      cases.forEach((name, reason) -> {
        Verdict v = verify(name + ".sigstore", name, stagingRoot());
        assertTrue(v.toString().contains(reason), () -> name + ": " + v);
      });
      // a production certificate: against the production root, only the missing time is wrong
      Verdict noTime = verify("bundle_v3_no_signed_time.txt.sigstore.json", "bundle_v3_no_signed_time.txt", productionRoot());
      assertTrue(noTime.toString().contains("nothing shows when it was signed: it has no signed entry timestamp and no"
          + " RFC 3161 timestamp"), noTime::toString);
    }
  }

  @Nested
  class SigstoreJs {

    private final Path bundles = Fixtures.path("sigstore-js");
    private final Digest tarball = Digest.parse("sha512:7bea9f6e7ff37f5fab0b36bf061200fff03099fd2fd696b91d04bc5e4f225eb9"
        + "fd6e0cadcad54ba980f43fb352a99e8810b4e0abeb5c0ef2cf9108cd1f258b36");
    private final Authority.Keyless brian = keyless("brian", productionRoot(),
        identity("https://github.com/login/oauth", "brian@dehamer.com"));

    @ParameterizedTest
    @ValueSource(strings = {"bundleV01-dsse-with-proof.sigstore", "bundleV01-intoto-with-proof.sigstore",
        "bundleV02-dsse.sigstore", "bundleV02-intoto.sigstore", "bundleV03-dsse.sigstore", "bundleV03-intoto.sigstore"})
    void bundlesWithInclusionProofVerifyBySha512Subject(String bundle) {
      // sigstore-java 2.0.0 verifies none of these (sha256 subjects only, no intoto entries); promgate does
      Verdict v = BundleVerdicts.verify(evaluator, bundles.resolve(bundle), tarball, brian);
      assertInstanceOf(Verdict.Verified.class, v, v::toString);
      rejectedBecause(BundleVerdicts.verify(evaluator, bundles.resolve(bundle), tarball,
          keyless("other", productionRoot(), identity("https://github.com/login/oauth", "someone@dehamer.com"))),
          "signed by brian@dehamer.com (issuer https://github.com/login/oauth), which is not an identity of other");
      rejectedBecause(BundleVerdicts.verify(evaluator, bundles.resolve(bundle), tarball,
          keyless("staging", stagingRoot(), identityRegExp(".*", ".*"))),
          "its certificate is not trusted by the trusted root staging_trusted_root.json: Certificate was not "
              + "verifiable against CAs https://fulcio.sigstage.dev");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bundleV01-dsse-no-proof.sigstore", "bundleV01-intoto-no-proof.sigstore",
        "bundleV01-full-cert-chain.sigstore"})
    void bundlesWithoutInclusionProofAreRefused(String bundle) {
      Verdict v = BundleVerdicts.verify(evaluator, bundles.resolve(bundle), tarball, brian);
      assertTrue(v.toString().contains("Could not find an inclusion proof"), v::toString);
    }

    @Test
    void sha256OfTheTarballIsNotItsSubject() {
      Verdict v = BundleVerdicts.verify(evaluator, bundles.resolve("bundleV02-dsse.sigstore"),
          Digest.parse("sha256:" + "0".repeat(64)), brian);
      assertTrue(v.toString().contains("is about sha512:7bea9f6e7ff3…, not this digest"), v::toString);
    }
  }
}
