package dev.promgate.verification;

import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static dev.promgate.verification.FixtureAttachments.containersImageSignature;
import static dev.promgate.verification.FixtureAttachments.signatures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.promgate.image.ImageReference;
import dev.promgate.notation.NotationVerifier;
import dev.promgate.policy.Authority;
import dev.promgate.policy.NotationAuthority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A verified verdict is cached (and served stale while registries fail) only as long as its evidence
 * counts: a signature that carries an expiry, or whose certificate chain was checked as valid now
 * because nothing dated it, stops counting when the expiry or the first certificate's end comes,
 * and the verdict says so ({@link Verdict.Verified#expiresAt}), so that the verdict cache does not
 * admit it past that moment. Signatures dated by a log or a timestamp do not expire.
 */
class SignatureExpiryTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  private static Path go(String... path) {
    return Fixtures.path("notation-go", path);
  }

  private static List<X509Certificate> certs(Path file) throws Exception {
    List<X509Certificate> all = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        all.add((X509Certificate) c);
      }
    }
    return all;
  }

  private static NotationAuthority notation(List<X509Certificate> ca, List<X509Certificate> tsa) {
    return new NotationAuthority("acme", ca, List.of(), tsa, NotationAuthority.VerifyTimestamp.ALWAYS, List.of(),
        "test", "fingerprint-" + ca.size() + "-" + tsa.size());
  }

  /** A Notation JWS for a docker v2 manifest of 528 bytes with {@code digest}, verified through the evaluator. */
  private Verdict.Verified notationVerdict(Path envelope, String digest, NotationAuthority authority) throws Exception {
    SignedContent content = new SignedContent(List.of(), List.of(), List.of(), List.of(new SignedContent.NotationSignature(
        envelope.getFileName().toString(), NotationVerifier.JWS, Files.readAllBytes(envelope),
        "application/vnd.docker.distribution.manifest.v2+json", 528)));
    Verdict v = evaluator.evaluate(TestPolicies.request(ImageReference.parse("registry.acme.example/net-monitor@" + digest),
        TestPolicies.signatures(authority)), content);
    return assertInstanceOf(Verdict.Verified.class, v, v::toString);
  }

  @Test
  void aNotationSignatureCountsUntilItsExpiry() throws Exception {
    Verdict.Verified v = notationVerdict(go("mock", "ca_valid_sig_env.json"),
        "sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e",
        notation(certs(go("truststore", "x509", "ca", "valid-trust-store", "NotationTestRoot.pem")), List.of()));
    assertEquals(Optional.of(Instant.parse("2120-11-09T07:00:00Z")), v.expiresAt());
  }

  @Test
  void aNotationChainCheckedNowCountsUntilItEnds() throws Exception {
    String digest = "sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda";
    List<X509Certificate> alpine = certs(go("truststore", "x509", "ca", "valid-trust-store", "TestTimestamp.crt"));
    Verdict.Verified unstamped = notationVerdict(go("timestamp", "sigEnv", "withoutTimestamp.sig"), digest,
        notation(alpine, List.of()));
    assertEquals(Optional.of(alpine.get(0).getNotAfter().toInstant()), unstamped.expiresAt());
    // a trusted timestamp dates it: it counts after the certificate ends
    Verdict.Verified stamped = notationVerdict(go("timestamp", "sigEnv", "jwsWithTimestamp.sig"), digest,
        notation(alpine, certs(go("truststore", "x509", "tsa", "test-timestamp", "globalsignRoot.cer"))));
    assertEquals(Optional.empty(), stamped.expiresAt());
  }

  @Test
  void anEnterpriseCertificateCheckedNowCountsUntilItsChainEnds() {
    Path dir = Fixtures.path("containers-image", "dir-img-cosign-pki-valid");
    Authority.CertificateChain pki = TestPolicies.chain("pki", Fixtures.path("containers-image", "pki_root_crts.pem"),
        Fixtures.path("containers-image", "pki_intermediate_crts.pem"), Optional.empty());
    Verdict v = evaluator.evaluate(TestPolicies.request(TestPolicies.sha256(TestPolicies.bytes(dir.resolve("manifest.json"))),
        TestPolicies.signatures(pki)), signatures(List.of(containersImageSignature(dir.resolve("signature-1")))));
    // the root ends first (2052-02-16T14:28:40Z), a few seconds before the intermediate and the leaf
    assertEquals(Optional.of(Instant.parse("2052-02-16T14:28:40Z")),
        assertInstanceOf(Verdict.Verified.class, v, v::toString).expiresAt());
  }

  @Test
  void anEnterpriseCertificateDatedByTheLogDoesNotExpire() {
    Path fulcio = Fixtures.path("containers-image", "dir-img-cosign-fulcio-rekor-valid");
    Authority.CertificateChain logged = TestPolicies.chain("fulcio", Fixtures.path("containers-image", "fulcio_v1.crt.pem"),
        null, Optional.of(new Authority.Transparency(TestPolicies.trustedRoot(productionRoot()), true)));
    Verdict v = evaluator.evaluate(TestPolicies.request(TestPolicies.sha256(TestPolicies.bytes(fulcio.resolve("manifest.json"))),
        TestPolicies.signatures(logged)), signatures(List.of(containersImageSignature(fulcio.resolve("signature-1")))));
    assertEquals(Optional.empty(), assertInstanceOf(Verdict.Verified.class, v, v::toString).expiresAt());
  }
}
