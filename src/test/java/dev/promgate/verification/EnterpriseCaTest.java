package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static dev.promgate.verification.FixtureAttachments.containersImageSignature;
import static dev.promgate.verification.FixtureAttachments.signatures;
import static dev.promgate.verification.TestPolicies.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Certificate-chain authorities: cosign signatures made with a certificate of an enterprise CA
 * ({@code cosign sign --certificate … --certificate-chain …}), containers/image's BYO-PKI fixture
 * (Linuxera test CA, root → intermediate → leaf for qiwan@redhat.com, valid to 2052).
 */
class EnterpriseCaTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  private final Path dir = Fixtures.path("containers-image", "dir-img-cosign-pki-valid");
  private final String digest = TestPolicies.sha256(TestPolicies.bytes(dir.resolve("manifest.json")));
  private final SignedContent.SignatureLayer layer = containersImageSignature(dir.resolve("signature-1"));
  private final Path roots = Fixtures.path("containers-image", "pki_root_crts.pem");
  private final Path intermediates = Fixtures.path("containers-image", "pki_intermediate_crts.pem");

  private Verdict verify(RequirementsEvaluator with, Authority authority, SignedContent.SignatureLayer signature, String digest) {
    return with.evaluate(request(digest, TestPolicies.signatures(authority)), signatures(List.of(signature)));
  }

  private Verdict verify(Authority authority) {
    return verify(evaluator, authority, layer, digest);
  }

  private SignedContent.SignatureLayer without(String annotation) {
    Map<String, String> annotations = new HashMap<>(layer.annotations());
    annotations.remove(annotation);
    return new SignedContent.SignatureLayer(layer.source(), layer.mediaType(), layer.payload(), annotations);
  }

  @Test
  void verifiesAgainstTheEnterpriseRoot() {
    var verified = assertInstanceOf(Verdict.Verified.class, verify(TestPolicies.chain("pki", roots, intermediates,
        Optional.empty(), TestPolicies.subject("qiwan@redhat.com"))));
    assertEquals("qiwan@redhat.com", verified.evidence().get(0).identity());
  }

  @Test
  void theChainAnnotationSuppliesTheIntermediate() {
    assertInstanceOf(Verdict.Verified.class, verify(TestPolicies.chain("pki", roots, null, Optional.empty())));
  }

  @Test
  void withoutAnyIntermediateItDoesNotChain() {
    String p = problem(verify(evaluator, TestPolicies.chain("pki", roots, null, Optional.empty()),
        without(CosignLegacy.CHAIN), digest));
    assertTrue(p.contains("cosign signature dir-img-cosign-pki-valid/signature-1: its certificate"
        + " (CN=Team A Cosign Certificate,OU=Security,O=IT,L=Valencia,C=ES, issued by CN=Linuxera Intermediate"
        + " Certificate Authority,OU=Security,O=IT,L=Valencia,C=ES) does not chain to the roots pki_root_crts.pem"), p);
  }

  @Test
  void anotherRootIsRejected() {
    String p = problem(verify(TestPolicies.chain("other", Fixtures.path("containers-image", "fulcio_v1.crt.pem"), null,
        Optional.empty())));
    assertTrue(p.contains("does not chain to the roots fulcio_v1.crt.pem"), p);
  }

  @Test
  void identitiesMatchAnyNameOfTheCertificate() {
    assertInstanceOf(Verdict.Verified.class, verify(TestPolicies.chain("pki", roots, intermediates, Optional.empty(),
        TestPolicies.subject("myhost.example.com"))));
    assertInstanceOf(Verdict.Verified.class, verify(TestPolicies.chain("pki", roots, intermediates, Optional.empty(),
        new Authority.Identity(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.of(Pattern.compile("CN=Team A Cosign Certificate,.*"))))));
    String p = problem(verify(TestPolicies.chain("pki", roots, intermediates, Optional.empty(),
        TestPolicies.subject("someone@redhat.com"))));
    assertTrue(p.contains("signed by qiwan@redhat.com, which is not an identity of pki [{subject someone@redhat.com}]"), p);
  }

  @Test
  void anIssuerRuleNeedsAnIssuerExtension() {
    String p = problem(verify(TestPolicies.chain("pki", roots, intermediates, Optional.empty(),
        TestPolicies.identity("https://accounts.example", "qiwan@redhat.com"))));
    assertTrue(p.contains("which is not an identity of pki"), p);
  }

  @Test
  void anExpiredCertificateIsRejectedWithoutATrustedSigningTime() {
    RequirementsEvaluator in2053 = new RequirementsEvaluator(Clock.fixed(Instant.parse("2053-01-01T00:00:00Z"),
        ZoneOffset.UTC));
    String p = problem(verify(in2053, TestPolicies.chain("pki", roots, intermediates, Optional.empty()), layer, digest));
    assertTrue(p.contains("does not chain to the roots pki_root_crts.pem at 2053-01-01T00:00:00Z"), p);
  }

  @Test
  void aRequiredLogNeedsARekorBundle() {
    String p = problem(verify(TestPolicies.chain("pki", roots, intermediates,
        Optional.of(new Authority.Transparency(TestPolicies.trustedRoot(productionRoot()), true)))));
    assertTrue(p.contains("cosign signature dir-img-cosign-pki-valid/signature-1: it carries no Rekor bundle"
        + " (dev.sigstore.cosign/bundle)"), p);
  }

  @Test
  void theSignatureMustVerifyWithTheCertificate() {
    Map<String, String> annotations = new HashMap<>(layer.annotations());
    annotations.put(CosignLegacy.CERTIFICATE, TestPolicies.read(Fixtures.path("containers-image", "fulcio-cert")));
    SignedContent.SignatureLayer swapped = new SignedContent.SignatureLayer(layer.source(), layer.mediaType(),
        layer.payload(), annotations);
    String p = problem(verify(evaluator, TestPolicies.chain("pki", roots, intermediates, Optional.empty()), swapped, digest));
    assertTrue(p.contains("the signature does not verify with the key of its certificate"), p);
  }

  @Test
  void anotherDigestIsRejected() {
    String modified = TestPolicies.sha256(TestPolicies.bytes(
        Fixtures.path("containers-image", "dir-img-cosign-modified-manifest", "manifest.json")));
    String p = problem(verify(evaluator, TestPolicies.chain("pki", roots, intermediates, Optional.empty()), layer, modified));
    assertTrue(p.contains("it signs sha256:253c890b744f…, not this digest"), p);
  }

  @Test
  void aFulcioSignatureDoesNotChainToTheEnterpriseRoot() {
    Path fulcio = Fixtures.path("containers-image", "dir-img-cosign-fulcio-rekor-valid");
    String p = problem(verify(evaluator, TestPolicies.chain("pki", roots, intermediates, Optional.empty()),
        containersImageSignature(fulcio.resolve("signature-1")),
        TestPolicies.sha256(TestPolicies.bytes(fulcio.resolve("manifest.json")))));
    assertTrue(p.contains("does not chain to the roots pki_root_crts.pem"), p);
  }

  /**
   * With a log, the certificate must have been valid at the log's time, not now: the Fulcio root as
   * an enterprise root, and a ten-minute Fulcio certificate from 2023 with its Rekor SET.
   */
  @Test
  void withARequiredLogTheCertificateIsCheckedAtTheIntegratedTime() {
    Path fulcio = Fixtures.path("containers-image", "dir-img-cosign-fulcio-rekor-valid");
    String fulcioDigest = TestPolicies.sha256(TestPolicies.bytes(fulcio.resolve("manifest.json")));
    SignedContent.SignatureLayer signature = containersImageSignature(fulcio.resolve("signature-1"));
    Path fulcioRoot = Fixtures.path("containers-image", "fulcio_v1.crt.pem");
    var verified = assertInstanceOf(Verdict.Verified.class, verify(evaluator, TestPolicies.chain("fulcio", fulcioRoot,
        null, Optional.of(new Authority.Transparency(TestPolicies.trustedRoot(productionRoot()), true)),
        TestPolicies.subject("mitr@redhat.com")), signature, fulcioDigest));
    assertEquals("mitr@redhat.com (issuer https://github.com/login/oauth)", verified.evidence().get(0).identity());
    // without a trusted time, the expired certificate is checked now and fails
    String p = problem(verify(evaluator, TestPolicies.chain("fulcio", fulcioRoot, null, Optional.empty()), signature,
        fulcioDigest));
    assertTrue(p.contains("does not chain to the roots fulcio_v1.crt.pem at 2026-11-26T12:00:00Z"), p);
  }

  @Test
  void aKeyOnlySignatureIsNotACertificateSignature() {
    Path keyOnly = Fixtures.path("containers-image", "dir-img-cosign-valid");
    String p = problem(verify(evaluator, TestPolicies.chain("pki", roots, intermediates, Optional.empty()),
        containersImageSignature(keyOnly.resolve("signature-1")),
        TestPolicies.sha256(TestPolicies.bytes(keyOnly.resolve("manifest.json")))));
    assertTrue(p.contains("it carries no certificate (dev.sigstore.cosign/certificate)"), p);
  }
}
