package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.promgate.policy.CertificateExtension;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * GitHub artifact attestations ({@code actions/attest-build-provenance}): from private repositories
 * they come from GitHub's own Sigstore instance, whose trusted root has timestamp authorities and no
 * transparency or CT logs, so a bundle's only trusted time is an RFC 3161 timestamp. Authorities
 * that say so ({@code transparencyLog: ignored, certificateTransparency: ignored}) accept them;
 * public-good rules and roots do not. Identity rules can pin the calling repository through Fulcio's
 * certificate extensions.
 */
class GitHubAttestationsTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = Mappers.JSON;
  private static final String ACTIONS = "https://token.actions.githubusercontent.com";
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  private static Path githubRoot() {
    return Fixtures.path("sigstore-java-github-private", "derived", "github-trusted-root.json");
  }

  /** A private repository's attestation, signed by a reusable workflow of another repository. */
  @Nested
  class PrivateRepository {

    private static final String WORKFLOW = "https://github.com/neverendingsupport/slsa-attestations/.github/workflows/"
        + "attest.yml@9f6d9dc1bfc02986955721eb15f89ad618f1cedb";
    private static final String CALLER = "https://github.com/neverendingsupport/nes-java-test-lib-a";
    private final Path bundle = Fixtures.path("sigstore-java-github-private", "attestation.sigstore.json");
    private final Digest jar = Digest.parse("sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551");

    private Authority.Keyless github(Path root, Authority.Identity identity) {
      return TestPolicies.keyless("github", root, false, false, identity);
    }

    private Verdict verify(Digest digest, Authority authority) {
      return BundleVerdicts.verify(evaluator, bundle, digest, authority);
    }

    @Test
    void verifiesAgainstGitHubsRootWithItsTimestamp() {
      var verified = assertInstanceOf(Verdict.Verified.class, verify(jar, github(githubRoot(),
          TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertEquals(WORKFLOW + " (issuer " + ACTIONS + ")", verified.evidence().get(0).identity());
    }

    @Test
    void everySubjectOfTheStatementCounts() {
      for (String sha : List.of("138280fd3302b9706596621761945a1ae958f93a15e4372ddae4fc00a93b09a2",
          "267fd5753211c3625a0075ee81e3392b49d16bd23f595922c404249d71d039e0",
          "5b851141151dbc935e332d44e3057192d879bcbad7e05f7926d35e37c95f9846")) {
        assertInstanceOf(Verdict.Verified.class, verify(Digest.parse("sha256:" + sha),
            github(githubRoot(), TestPolicies.identity(ACTIONS, WORKFLOW))), sha);
      }
    }

    @Test
    void theCallingRepositoryIsPinnedThroughFulcioExtensions() {
      Authority.Identity caller = TestPolicies.identity(ACTIONS, "https://github\\.com/neverendingsupport/slsa-attestations/.*",
          Map.of(CertificateExtension.SOURCE_REPOSITORY_URI, CALLER,
              CertificateExtension.SOURCE_REPOSITORY_REF, "refs/tags/nes-v1.0.12",
              CertificateExtension.RUNNER_ENVIRONMENT, "github-hosted",
              CertificateExtension.SOURCE_REPOSITORY_VISIBILITY_AT_SIGNING, "private"));
      assertInstanceOf(Verdict.Verified.class, verify(jar, github(githubRoot(), caller)));

      Authority.Identity otherCaller = TestPolicies.identity(ACTIONS, "https://github\\.com/neverendingsupport/slsa-attestations/.*",
          Map.of(CertificateExtension.SOURCE_REPOSITORY_URI, "https://github.com/neverendingsupport/other-repository"));
      String p = problem(verify(jar, github(githubRoot(), otherCaller)));
      assertTrue(p.contains("which is not an identity of github [{issuer " + ACTIONS + ", subject ~https://github"), p);
      assertTrue(p.contains("sourceRepositoryURI https://github.com/neverendingsupport/other-repository"), p);

      // matched as a whole, like the SAN: a prefix is not enough
      Authority.Identity prefix = TestPolicies.identity(ACTIONS, ".*",
          Map.of(CertificateExtension.SOURCE_REPOSITORY_URI, "https://github.com/neverendingsupport"));
      problem(verify(jar, github(githubRoot(), prefix)));
    }

    @Test
    void publicGoodRulesRejectIt() {
      String p = problem(verify(jar, TestPolicies.keyless("github", githubRoot(), TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(p.contains("Sigstore bundle (DSSE attestation) attestation.sigstore.json: the bundle has no transparency"
          + " log entry, and its authority requires one"), p);
      String noSct = problem(verify(jar, TestPolicies.keyless("github", githubRoot(), false, true,
          TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(noSct.contains("its certificate is not trusted by the trusted root github-trusted-root.json"), noSct);
    }

    @Test
    void thePublicGoodRootDoesNotTrustGitHubsCa() {
      String p = problem(verify(jar, github(productionRoot(), TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(p.contains("Sigstore bundle (DSSE attestation)") && p.contains("does not chain to the certificate authority"),
          p);
    }

    @Test
    void anotherDigestIsRejected() {
      String p = problem(verify(Digest.sha256Of("nonsense".getBytes()), github(githubRoot(),
          TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(p.contains("statement is about sha256:138280fd3302…"), p);
    }

    @Test
    void anotherWorkflowIsRejected() {
      String main = "https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml@main";
      String p = problem(verify(jar, github(githubRoot(), TestPolicies.identity(ACTIONS, main))));
      assertTrue(p.contains("signed by " + WORKFLOW + " (issuer " + ACTIONS + "), which is not an identity of github"), p);
    }

    @Test
    void aTamperedTimestampIsRejected() throws Exception {
      ObjectNode json = (ObjectNode) JSON.readTree(bundle.toFile());
      ObjectNode stamp = (ObjectNode) json.at("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0");
      byte[] token = Base64.getDecoder().decode(stamp.get("signedTimestamp").asText());
      token[token.length - 10] ^= 0x01;
      stamp.put("signedTimestamp", Base64.getEncoder().encodeToString(token));
      String p = problem(BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(json), "tampered", jar,
          github(githubRoot(), TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(p.contains("Sigstore bundle (DSSE attestation) tampered: its RFC 3161 timestamp"), p);
    }

    @Test
    void withoutATimestampNothingShowsWhenItWasSigned() throws Exception {
      ObjectNode json = (ObjectNode) JSON.readTree(bundle.toFile());
      ((ObjectNode) json.get("verificationMaterial")).remove("timestampVerificationData");
      String p = problem(BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(json), "untimed", jar,
          github(githubRoot(), TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(p.contains("nothing shows when it was signed: its authority does not require a transparency log"
          + " (transparencyLog: ignored), so it needs an RFC 3161 timestamp"), p);
    }

    @Test
    void theTimestampMustFallInTheAuthoritysValidity() {
      Path root = RootEdits.withTsaValidity(githubRoot(), "timestamp.githubapp.com", "2023-10-27T16:30:00Z",
          "2026-07-01T00:00:00Z");
      String p = problem(verify(jar, github(root, TestPolicies.identity(ACTIONS, WORKFLOW))));
      assertTrue(p.contains("its RFC 3161 timestamp was made at 2026-07-24T15:30:27Z, outside the validity of timestamp"
          + " authority CN=TSA Timestamping,O=GitHub\\, Inc."), p);
    }
  }

  /** The GitHub CLI's test attestations. */
  @Nested
  class GitHubCli {

    private final Path dir = Fixtures.path("gh-cli-attestation");
    private final Digest wheel = Digest.parse("sha256:ae57936def59bc4c75edd3a837d89bcefc6d3a5e31d55a6fa7a71624f92c3c3b");
    private final Authority.Identity demo = TestPolicies.identity(ACTIONS,
        "https://github.com/actions/attest-demo/.github/workflows/build-python.yml@refs/heads/main");

    @Test
    void aGitHubInstanceBundleVerifiesAgainstGitHubsRoot() {
      assertInstanceOf(Verdict.Verified.class, BundleVerdicts.verify(evaluator,
          dir.resolve("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl"), wheel,
          TestPolicies.keyless("github", githubRoot(), false, false, demo)));
    }

    @Test
    void itFailsUnderPublicGoodRulesOrRoots() {
      Path bundle = dir.resolve("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl");
      problem(BundleVerdicts.verify(evaluator, bundle, wheel, TestPolicies.keyless("github", githubRoot(), demo)));
      problem(BundleVerdicts.verify(evaluator, bundle, wheel, TestPolicies.keyless("github", dir.resolve("trusted_root.json"),
          false, false, demo)));
    }

    @Test
    void malformedBundlesAreRejected() {
      String noCert = problem(BundleVerdicts.verify(evaluator,
          dir.resolve("github_provenance_demo-0.0.12-py3-none-any-bundle-missing-cert.jsonl"), wheel,
          TestPolicies.keyless("github", githubRoot(), false, false, demo)));
      assertTrue(noCert.contains("has neither a message signature nor a DSSE envelope"), noCert);
      String noMaterial = problem(BundleVerdicts.verify(evaluator,
          dir.resolve("github_provenance_demo-0.0.12-py3-none-any-bundle-missing-verification-material.jsonl"), wheel,
          TestPolicies.keyless("github", githubRoot(), false, false, demo)));
      assertTrue(noMaterial.contains("has no \"verificationMaterial\""), noMaterial);
    }

    @Test
    void aCustomIssuerIsMatchedExactly() {
      Path bundle = dir.resolve("custom-issuer.sigstore.json");
      Digest artifact = Digest.sha256Of(TestPolicies.bytes(dir.resolve("custom-issuer-artifact")));
      String san = "https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main";
      assertInstanceOf(Verdict.Verified.class, BundleVerdicts.verify(evaluator, bundle, artifact,
          TestPolicies.keyless("ghes", dir.resolve("trusted_root.json"), TestPolicies.identity(ACTIONS + "/hammer-time", san))));
      String p = problem(BundleVerdicts.verify(evaluator, bundle, artifact,
          TestPolicies.keyless("actions", productionRoot(), TestPolicies.identity(ACTIONS, san))));
      assertTrue(p.contains("(issuer " + ACTIONS + "/hammer-time), which is not an identity of actions"), p);
    }
  }
}
