package dev.promgate.verification;

import static dev.promgate.testing.Rejections.rejectedBecause;
import static dev.promgate.verification.CosignFormats.statement;
import static dev.promgate.verification.TestPolicies.attestation;
import static dev.promgate.verification.TestPolicies.promotion;
import static dev.promgate.verification.TestPolicies.request;
import static dev.promgate.verification.TestPolicies.rules;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.promgate.policy.Authority;
import dev.promgate.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a signed attestation proves is what its signed statement says: the predicate type and the
 * subject inside the signature, never a layer annotation or a referrer's artifact type beside it;
 * and an attestation without a signature proves nothing, wherever it is found.
 */
class AttestationBindingTest {

  static final String DIGEST = "sha256:ab12" + "0".repeat(60);
  static final String SLSA = "https://slsa.dev/provenance/v1";
  static final String VULN = "https://cosign.sigstore.dev/attestation/vuln/v1";
  static final String PROMOTION_JSON = "{\"environment\":\"prod\",\"promotedAt\":\"2026-11-20T09:00:00Z\","
      + "\"approver\":\"alice@acme.example\"}";

  static final CosignFormats.SigningKey CI = CosignFormats.ecdsa("secp256r1", "SHA256withECDSA");
  final Authority.Key ci = RequirementsEvaluatorTest.keyAuthority("ci", CI);
  final RequirementsEvaluator evaluator =
      new RequirementsEvaluator(Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));

  private Verdict provenanceRequired(SignedContent attachments) {
    return evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(), List.of(attestation(SLSA, null, ci)))),
        attachments);
  }

  private Verdict promotionRequired(SignedContent attachments) {
    return evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(promotion("prod", Duration.ofDays(30), ci)),
        List.of())), attachments);
  }

  private static SignedContent attestations(SignedContent.AttestationLayer... layers) {
    return new SignedContent(List.of(), List.of(layers), List.of());
  }

  @Test
  void aSignedStatementOfAnotherPredicateTypeDoesNotCountWhateverTheLayerAnnotationClaims() {
    SignedContent.AttestationLayer signed = CI.attestationLayer(statement(VULN, DIGEST, "x", "{}"));
    SignedContent.AttestationLayer claimed = new SignedContent.AttestationLayer(signed.source(), signed.mediaType(),
        signed.envelope(), Map.of("predicateType", SLSA));

    rejectedBecause(provenanceRequired(attestations(claimed)),
        "has no " + SLSA + " attestation (found: attestations of " + VULN + ")");
  }

  @Test
  void aPromotionPredicateUnderAnotherTypeIsNoPromotion() {
    SignedContent.AttestationLayer mislabelled = CI.attestationLayer(statement(SLSA, DIGEST, "x", PROMOTION_JSON));

    rejectedBecause(promotionRequired(attestations(mislabelled)),
        "has no promotion to prod signed by ci (found: no promotions)");
    // The same predicate under its own type is a promotion: the rejection above is about the type alone.
    assertInstanceOf(Verdict.Verified.class, promotionRequired(attestations(CI.attestationLayer(
        statement(Promotion.PREDICATE_TYPE, DIGEST, "x", PROMOTION_JSON)))));
  }

  @Test
  void anEnvelopeWithoutSignaturesDoesNotCount() {
    byte[] unsigned = TestSigstore.envelopeJson(DsseEnvelope.IN_TOTO, statement(SLSA, DIGEST, "x", "{}"));
    SignedContent.AttestationLayer layer = new SignedContent.AttestationLayer("unsigned.att",
        "application/vnd.dsse.envelope.v1+json", unsigned, Map.of("predicateType", SLSA));

    rejectedBecause(provenanceRequired(attestations(layer)), "unsigned.att: the DSSE envelope has no signatures");
  }

  @Test
  void aSignedEnvelopeWhosePayloadIsNotInTotoDoesNotCount() {
    byte[] payload = statement(SLSA, DIGEST, "x", "{}");
    DsseEnvelope unsignedEnvelope = new DsseEnvelope("text/plain", payload, List.of());
    byte[] envelope = TestSigstore.envelopeJson("text/plain", payload, CI.sign(unsignedEnvelope.pae()));
    SignedContent.AttestationLayer layer = new SignedContent.AttestationLayer("plain.att",
        "application/vnd.dsse.envelope.v1+json", envelope, Map.of());

    rejectedBecause(provenanceRequired(attestations(layer)),
        "plain.att: its DSSE payload type is text/plain, neither application/vnd.in-toto+json nor the statement's "
            + "predicate type");
  }

  /** An OCI 1.1 referrer that holds a bare statement or an envelope with no verification material. */
  @Test
  void anUnsignedOci11ReferrerDoesNotCount() {
    byte[] bareStatement = statement(SLSA, DIGEST, "x", "{}");
    byte[] bundleWithoutMaterial = ("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
        + "\"dsseEnvelope\":" + new String(TestSigstore.envelopeJson(DsseEnvelope.IN_TOTO, bareStatement),
            StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8);
    Map<byte[], String> why = Map.of(bareStatement, "the Sigstore bundle has no \"mediaType\"",
        bundleWithoutMaterial, "the Sigstore bundle has no \"verificationMaterial\"");
    for (Map.Entry<byte[], String> referrer : why.entrySet()) {
      SignedContent found = new SignedContent(List.of(), List.of(), List.of(new SignedContent.SigstoreBundle(
          "referrer", "application/vnd.dev.sigstore.bundle.v0.3+json", referrer.getKey())));
      rejectedBecause(provenanceRequired(found), "has no " + SLSA + " attestation (found: Sigstore bundle referrer: "
          + referrer.getValue());
      rejectedBecause(promotionRequired(found), "has no promotion to prod signed by ci (found: Sigstore bundle "
          + "referrer: " + referrer.getValue());
    }
  }

  @Test
  void aStatementAboutAnotherSubjectDoesNotCountEvenWhenSignedAndNamedLikeTheImage() {
    SignedContent.AttestationLayer other = CI.attestationLayer(
        statement(SLSA, "sha256:cd34" + "0".repeat(60), "registry.acme.example/shop/web", "{}"));

    rejectedBecause(provenanceRequired(attestations(other)),
        "its " + SLSA + " statement is about sha256:cd3400000000…, not this digest");
  }
}
