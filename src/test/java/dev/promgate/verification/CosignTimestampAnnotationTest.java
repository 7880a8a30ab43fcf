package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.verification.RequirementsEvaluatorTest.DIGEST;
import static dev.promgate.verification.RequirementsEvaluatorTest.OTHER_DIGEST;
import static dev.promgate.verification.RequirementsEvaluatorTest.verified;
import static dev.promgate.verification.TestPolicies.identity;
import static dev.promgate.verification.TestPolicies.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.testing.SigstoreJs;
import dev.promgate.testing.SigstoreJs.Instance;
import dev.promgate.testing.SigstoreJs.LegacySignature;
import dev.promgate.verdict.Verdict;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cosign's legacy RFC 3161 timestamp annotation ({@code cosign sign --timestamp-server-url}, without
 * {@code --new-bundle-format}): real signatures, certificates and timestamps from a local Sigstore
 * instance with a timestamp authority (sigstore-js' mocks, {@code src/test/js/signer.mjs}), in the
 * exact layer layout cosign writes. Verified an hour after the ten-minute certificate expired, so the
 * timestamp (or the log's time) is the only thing that can date the signature.
 */
class CosignTimestampAnnotationTest {

  private static final String ISSUER = "https://accounts.acme.example";
  private static final String ALICE = "alice@acme.example";
  private static final String REFERENCE = "registry.acme.example/shop/web";

  @TempDir
  static Path tmp;

  static Instance withTsa;
  static Instance foreign;
  static LegacySignature timestampedOnly;
  static LegacySignature loggedAndTimestamped;
  static LegacySignature ofAnotherDigest;
  static LegacySignature foreignTimestamp;
  static LegacySignature attestation;
  static LegacySignature otherAttestation;

  @BeforeAll
  static void sign() {
    SigstoreJs signer = SigstoreJs.require();
    withTsa = signer.trustRoot(tmp.resolve("with-tsa"), true);
    foreign = signer.trustRoot(tmp.resolve("foreign"), true);
    timestampedOnly = signer.cosignSignLegacy(withTsa, DIGEST, REFERENCE, ALICE, ISSUER, false);
    loggedAndTimestamped = signer.cosignSignLegacy(withTsa, DIGEST, REFERENCE, ALICE, ISSUER, true);
    ofAnotherDigest = signer.cosignSignLegacy(withTsa, OTHER_DIGEST, REFERENCE, ALICE, ISSUER, false);
    foreignTimestamp = signer.cosignSignLegacy(foreign, DIGEST, REFERENCE, ALICE, ISSUER, false);
    attestation = signer.cosignAttestLegacy(withTsa, DIGEST, REFERENCE, ALICE, ISSUER, PROVENANCE, "{\"builder\":1}");
    otherAttestation = signer.cosignAttestLegacy(withTsa, DIGEST, REFERENCE, ALICE, ISSUER, PROVENANCE, "{\"builder\":2}");
  }

  private static final String PROVENANCE = "https://slsa.dev/provenance/v1";

  private static Verdict evaluateAttestation(LegacySignature att, Map<String, String> annotations) {
    SignedContent.AttestationLayer layer = new SignedContent.AttestationLayer("sha256-ab12.att layer 0",
        att.mediaType(), att.payload(), annotations);
    EnvironmentRules rules = TestPolicies.rules(java.util.List.of(), java.util.List.of(),
        java.util.List.of(TestPolicies.attestation(PROVENANCE, null, alice(withTsa, false))));
    return anHourAfterExpiry(att).evaluate(request(DIGEST, rules),
        new SignedContent(java.util.List.of(), java.util.List.of(layer), java.util.List.of()));
  }

  @Test
  void anAttestationsTimestampIsOverItsEnvelope() {
    assertEquals(ALICE + " (issuer " + ISSUER + ")",
        verified(evaluateAttestation(attestation, attestation.annotations())).evidence().get(0).identity());
    String untimed = problem(evaluateAttestation(attestation, with(attestation, CosignLegacy.RFC3161_TIMESTAMP, null)));
    assertTrue(untimed.contains("nothing shows when it was signed"), untimed);
    String other = problem(evaluateAttestation(attestation, with(attestation, CosignLegacy.RFC3161_TIMESTAMP,
        otherAttestation.annotations().get(CosignLegacy.RFC3161_TIMESTAMP))));
    assertTrue(other.contains("message imprint mismatch"), other);
  }

  /** An hour after the signing certificate expired: no check can pass on "now". */
  private static RequirementsEvaluator anHourAfterExpiry(LegacySignature signature) {
    Instant expired = certificate(signature).getNotAfter().toInstant();
    return new RequirementsEvaluator(Clock.fixed(expired.plus(Duration.ofHours(1)), ZoneOffset.UTC));
  }

  private static X509Certificate certificate(LegacySignature signature) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(
          signature.annotations().get(CosignLegacy.CERTIFICATE).getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Authority.Keyless alice(Instance instance, boolean logRequired) {
    return TestPolicies.keyless("release", instance.trustedRoot(), logRequired, true, identity(ISSUER, ALICE));
  }

  private static Verdict evaluate(LegacySignature signature, Map<String, String> annotations, Authority authority) {
    SignedContent.SignatureLayer layer = new SignedContent.SignatureLayer("sha256-ab12.sig layer 0",
        signature.mediaType(), signature.payload(), annotations);
    return anHourAfterExpiry(signature).evaluate(request(DIGEST, TestPolicies.signatures(authority)),
        new SignedContent(java.util.List.of(layer), java.util.List.of(), java.util.List.of()));
  }

  private static Map<String, String> with(LegacySignature signature, String key, String value) {
    Map<String, String> annotations = new HashMap<>(signature.annotations());
    if (value == null) {
      annotations.remove(key);
    } else {
      annotations.put(key, value);
    }
    return annotations;
  }

  @Test
  void theLayerIsCosignsLegacyLayout() {
    Map<String, String> a = timestampedOnly.annotations();
    assertEquals(CosignSignatureLayer.MEDIA_TYPE, timestampedOnly.mediaType());
    assertTrue(a.get(CosignLegacy.RFC3161_TIMESTAMP).startsWith("{\"SignedRFC3161Timestamp\":\""), a.toString());
    assertTrue(!a.containsKey(CosignLegacy.BUNDLE), "signed without a log entry");
    assertTrue(loggedAndTimestamped.annotations().containsKey(CosignLegacy.BUNDLE));
  }

  @Test
  void aTimestampDatesASignatureWhoseCertificateHasExpired() {
    Verdict v = evaluate(timestampedOnly, timestampedOnly.annotations(), alice(withTsa, false));
    assertEquals(ALICE + " (issuer " + ISSUER + ")", verified(v).evidence().get(0).identity());
  }

  @Test
  void withoutTheTimestampNothingDatesIt() {
    String p = problem(evaluate(timestampedOnly, with(timestampedOnly, CosignLegacy.RFC3161_TIMESTAMP, null),
        alice(withTsa, false)));
    assertTrue(p.contains("nothing shows when it was signed"), p);
  }

  @Test
  void aTimestampNeverStandsInForARequiredLogEntry() {
    String p = problem(evaluate(timestampedOnly, timestampedOnly.annotations(), alice(withTsa, true)));
    assertTrue(p.contains("it carries no Rekor bundle (dev.sigstore.cosign/bundle)"), p);
    assertTrue(p.contains("its RFC 3161 timestamp does not stand in for one"), p);
  }

  @Test
  void loggedAndTimestampedVerifiesWithBoth() {
    Verdict v = evaluate(loggedAndTimestamped, loggedAndTimestamped.annotations(), alice(withTsa, true));
    assertEquals(ALICE + " (issuer " + ISSUER + ")", verified(v).evidence().get(0).identity());
  }

  @Test
  void aTimestampOverOtherBytesFails() {
    String p = problem(evaluate(timestampedOnly, with(timestampedOnly, CosignLegacy.RFC3161_TIMESTAMP,
        ofAnotherDigest.annotations().get(CosignLegacy.RFC3161_TIMESTAMP)), alice(withTsa, false)));
    assertTrue(p.contains("its RFC 3161 timestamp is over other data than this signature (message imprint mismatch)"), p);
  }

  @Test
  void aTimestampOverOtherBytesFailsEvenBesideAGoodLogEntry() {
    String p = problem(evaluate(loggedAndTimestamped, with(loggedAndTimestamped, CosignLegacy.RFC3161_TIMESTAMP,
        ofAnotherDigest.annotations().get(CosignLegacy.RFC3161_TIMESTAMP)), alice(withTsa, true)));
    assertTrue(p.contains("message imprint mismatch"), p);
  }

  @Test
  void aTimestampOfAnUntrustedAuthorityFails() {
    String p = problem(evaluate(timestampedOnly, with(timestampedOnly, CosignLegacy.RFC3161_TIMESTAMP,
        foreignTimestamp.annotations().get(CosignLegacy.RFC3161_TIMESTAMP)), alice(withTsa, false)));
    // Both instances' TSAs share their names; the random serial of the signing certificate tells them apart.
    assertTrue(p.contains("its RFC 3161 timestamp is signed by CN=tsa,O=sigstore.mock (serial ")
        && p.contains("which is no timestamp authority of the trusted root trusted_root.json"), p);
  }

  @Test
  void aMalformedAnnotationIsNamed() {
    String p = problem(evaluate(timestampedOnly, with(timestampedOnly, CosignLegacy.RFC3161_TIMESTAMP,
        "{\"SignedRFC3161Timestamp\":\"not base64!\"}"), alice(withTsa, false)));
    assertTrue(p.contains("the RFC 3161 timestamp annotation (dev.sigstore.cosign/rfc3161timestamp)"), p);
  }
}
