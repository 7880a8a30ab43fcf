package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.verification.CosignFormats.promotion;
import static dev.promgate.verification.CosignFormats.simpleSigning;
import static dev.promgate.verification.CosignFormats.statement;
import static dev.promgate.verification.RequirementsEvaluatorTest.DIGEST;
import static dev.promgate.verification.RequirementsEvaluatorTest.NOW;
import static dev.promgate.verification.RequirementsEvaluatorTest.verified;
import static dev.promgate.verification.TestPolicies.identity;
import static dev.promgate.verification.TestPolicies.identityRegExp;
import static dev.promgate.verification.TestPolicies.request;
import static dev.promgate.verification.TestPolicies.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.verdict.FailureBoundary;
import dev.promgate.verdict.Verdict;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keyless signatures and attestations from a Sigstore instance made for the test: the layouts no
 * fixture covers (keyless {@code .att} layers, cosign 3 image-signature bundles, non-ASCII payloads)
 * and the failures (wrong identity, foreign root, tampering, times outside the certificate).
 */
class KeylessTest {

  static final String ISSUER = "https://accounts.acme.example";
  static final Instant SIGNED = Instant.parse("2026-11-25T09:00:00Z");
  static final TestSigstore SIGSTORE = new TestSigstore();
  static final TestSigstore FOREIGN = new TestSigstore();
  static final TestSigstore.Signer ALICE = SIGSTORE.signer(ISSUER, "alice@acme.example", SIGNED);
  static final TestSigstore.Signer EVE = SIGSTORE.signer("https://accounts.evil.example", "alice@acme.example", SIGNED);
  static final TestSigstore.Signer FOREIGN_ALICE = FOREIGN.signer(ISSUER, "alice@acme.example", SIGNED);

  final RequirementsEvaluator evaluator = new RequirementsEvaluator(Clock.fixed(NOW, ZoneOffset.UTC));
  final Authority.Keyless releaseManagers = SIGSTORE.authority("release-managers", identityRegExp(
      "https://accounts\\.acme\\.example", ".*@acme\\.example"));

  EnvironmentRules signedByReleaseManagers() {
    return TestPolicies.signatures(releaseManagers);
  }

  EnvironmentRules promotedByReleaseManagers() {
    return rules(List.of(), List.of(TestPolicies.promotion("prod", Duration.ofHours(720), releaseManagers)), List.of());
  }

  static SignedContent sig(SignedContent.SignatureLayer layer) {
    return new SignedContent(List.of(layer), List.of(), List.of());
  }

  static SignedContent att(SignedContent.AttestationLayer layer) {
    return new SignedContent(List.of(), List.of(layer), List.of());
  }

  static SignedContent bundle(byte[] json) {
    return new SignedContent(List.of(), List.of(), List.of(new SignedContent.SigstoreBundle("referrer", null, json)));
  }

  @Nested
  class LegacySignatures {

    final byte[] payload = simpleSigning("registry.acme.example/shop/web", DIGEST);

    @Test
    void verifiedWithTheCertificateIdentity() {
      Verdict v = evaluator.evaluate(request(DIGEST, signedByReleaseManagers()), sig(SIGSTORE.cosignSignature(ALICE, payload, SIGNED)));
      assertEquals("alice@acme.example (issuer https://accounts.acme.example)", verified(v).evidence().get(0).identity());
    }

    @Test
    void wrongIssuerIsNotTheIdentity() {
      String p = problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()), sig(SIGSTORE.cosignSignature(EVE, payload, SIGNED))));
      assertTrue(p.contains("signed by alice@acme.example (issuer https://accounts.evil.example), which is not an identity of"
          + " release-managers [{issuer ~https://accounts\\.acme\\.example, subject ~.*@acme\\.example}]"), p);
    }

    @Test
    void foreignTrustedRoot() {
      String p = problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          sig(FOREIGN.cosignSignature(FOREIGN_ALICE, payload, SIGNED))));
      assertTrue(p.contains("its certificate is not trusted by the trusted root test_trusted_root.json"), p);
    }

    @Test
    void loggedAfterTheCertificateExpired() {
      String p = problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          sig(SIGSTORE.cosignSignature(ALICE, payload, SIGNED.plus(Duration.ofMinutes(20))))));
      assertTrue(p.contains("its transparency log time 2026-11-25T09:20:00Z is outside the certificate's validity"
          + " (2026-11-25T08:59:00Z to 2026-11-25T09:09:00Z)"), p);
    }

    @Test
    void loggedInTheFuture() {
      Instant later = NOW.plus(Duration.ofDays(2));
      TestSigstore.Signer fromTheFuture = SIGSTORE.signer(ISSUER, "alice@acme.example", later);
      String p = problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          sig(SIGSTORE.cosignSignature(fromTheFuture, payload, later))));
      assertTrue(p.contains("is in the future"), p);
    }

    @Test
    void logEntryOfAnotherSignature() {
      var genuine = SIGSTORE.cosignSignature(ALICE, payload, SIGNED);
      var other = SIGSTORE.cosignSignature(ALICE, simpleSigning("r", "sha256:" + "9".repeat(64)), SIGNED);
      Map<String, String> mixed = new HashMap<>(genuine.annotations());
      mixed.put(CosignLegacy.BUNDLE, other.annotations().get(CosignLegacy.BUNDLE));
      String p = problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()), sig(
          new SignedContent.SignatureLayer("mixed", CosignSignatureLayer.MEDIA_TYPE, payload, mixed))));
      assertTrue(p.contains("the hashedrekord entry: the artifact digest does not match"), p);
    }

    @Test
    void uriIdentityOfACiWorkflow() {
      String workflow = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main";
      TestSigstore.Signer ci = SIGSTORE.signer("https://token.actions.githubusercontent.com", workflow, SIGNED);
      Authority.Keyless github = SIGSTORE.authority("ci", identity("https://token.actions.githubusercontent.com", workflow));
      Verdict v = evaluator.evaluate(request(DIGEST, TestPolicies.signatures(github)), sig(SIGSTORE.cosignSignature(ci, payload, SIGNED)));
      assertEquals(workflow + " (issuer https://token.actions.githubusercontent.com)", verified(v).evidence().get(0).identity());
    }
  }

  @Nested
  class LegacyAttestations {

    @Test
    void keylessPromotionLoggedAsDsseOrIntoto() {
      for (String kind : List.of("dsse", "intoto")) {
        var layer = SIGSTORE.cosignAttestation(ALICE, promotion(DIGEST, "prod", "2026-11-25T09:00:00Z", "alice@acme.example"),
            SIGNED, kind);
        var v = verified(evaluator.evaluate(request(DIGEST, promotedByReleaseManagers()), att(layer)));
        assertEquals("alice@acme.example (issuer https://accounts.acme.example)", v.evidence().get(0).identity(), kind);
      }
    }

    @Test
    void tamperedStatementIsRejected() throws Exception {
      var layer = SIGSTORE.cosignAttestation(ALICE, promotion(DIGEST, "preprod", "2026-11-25T09:00:00Z", "alice"), SIGNED, "dsse");
      ObjectNode envelope = (ObjectNode) Json.MAPPER.readTree(layer.envelope());
      envelope.put("payload", Base64.getEncoder().encodeToString(promotion(DIGEST, "prod", "2026-11-25T09:00:00Z", "alice")));
      String p = problem(evaluator.evaluate(request(DIGEST, promotedByReleaseManagers()), att(new SignedContent.AttestationLayer(
          "tampered", null, Json.MAPPER.writeValueAsBytes(envelope), layer.annotations()))));
      assertTrue(p.contains("the signature does not verify with the key of its certificate"), p);
    }
  }

  @Nested
  class Bundles {

    final byte[] imageSignature = statement(InTotoStatement.COSIGN_IMAGE_SIGNATURE, DIGEST, null, "{}");

    @Test
    void cosign3ImageSignatureWithoutSubjectName() throws Exception {
      byte[] json = SIGSTORE.dsseBundle(ALICE, imageSignature, SIGNED);
      Verdict v = evaluator.evaluate(request(DIGEST, signedByReleaseManagers()), bundle(json));
      assertEquals("alice@acme.example (issuer https://accounts.acme.example)", verified(v).evidence().get(0).identity());

      // sigstore-java 2.0.0 alone cannot read this statement
      TrustMaterial trust = TrustMaterial.of(releaseManagers.trustedRoot(), releaseManagers.root().description());
      var e = assertThrows(KeylessVerificationException.class, () -> trust.keyless().verify(
          Digest.parse(DIGEST).bytes(), Bundle.from(new StringReader(new String(json, StandardCharsets.UTF_8))),
          VerificationOptions.empty()));
      assertTrue(FailureBoundary.describe(e).contains("name"), FailureBoundary.describe(e));
    }

    @Test
    void cosign3ImageSignatureNegatives() throws Exception {
      byte[] json = SIGSTORE.dsseBundle(ALICE, imageSignature, SIGNED);
      assertProblem(evaluator.evaluate(request("sha256:" + "7".repeat(64), signedByReleaseManagers()), bundle(json)),
          "statement is about sha256:ab1200000000…, not this digest");
      assertProblem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          bundle(SIGSTORE.dsseBundle(EVE, imageSignature, SIGNED))), "which is not an identity of release-managers");
      assertProblem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          bundle(FOREIGN.dsseBundle(FOREIGN_ALICE, imageSignature, SIGNED))), "its certificate is not trusted by the trusted root");
      assertProblem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          bundle(SIGSTORE.dsseBundle(ALICE, imageSignature, SIGNED.plus(Duration.ofHours(1))))), "outside the certificate's validity");

      ObjectNode tampered = (ObjectNode) Json.MAPPER.readTree(json);
      ((ObjectNode) tampered.get("dsseEnvelope")).put("payload", Base64.getEncoder().encodeToString(
          statement(InTotoStatement.COSIGN_IMAGE_SIGNATURE, DIGEST, null, "{\"x\":1}")));
      assertProblem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          bundle(Json.MAPPER.writeValueAsBytes(tampered))), "DSSE signature was not valid");

      // a valid log entry, but of another envelope signed by the same certificate
      ObjectNode otherEntry = (ObjectNode) Json.MAPPER.readTree(json);
      ObjectNode other = (ObjectNode) Json.MAPPER.readTree(SIGSTORE.dsseBundle(ALICE, statement(
          InTotoStatement.COSIGN_IMAGE_SIGNATURE, DIGEST, null, "{\"y\":2}"), SIGNED));
      otherEntry.set("verificationMaterial", other.get("verificationMaterial"));
      assertProblem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()),
          bundle(Json.MAPPER.writeValueAsBytes(otherEntry))), "the dsse entry: the payload digest does not match");
    }

    static void assertProblem(Verdict v, String fragment) {
      String p = problem(v);
      assertTrue(p.contains(fragment), () -> "expected \"" + fragment + "\" in: " + p);
    }

    @Test
    void promotionBundleReadBySigstoreJava() throws Exception {
      byte[] json = SIGSTORE.dsseBundle(ALICE, promotion(DIGEST, "prod", "2026-11-25T09:00:00Z", "alice@acme.example"), SIGNED);
      var attachment = SigstoreBundleAttachment.of(new SignedContent.SigstoreBundle("b", null, json), Digest.parse(DIGEST));
      assertTrue(attachment.sigstoreJavaReads(Bundle.from(new StringReader(new String(json, StandardCharsets.UTF_8))),
          TrustMaterial.of(releaseManagers.trustedRoot(), releaseManagers.root().description())));
      verified(evaluator.evaluate(request(DIGEST, promotedByReleaseManagers()), bundle(json)));
    }

    @Test
    void nonAsciiPayloadIsCheckedByBytes() throws Exception {
      byte[] json = SIGSTORE.dsseBundle(ALICE, promotion(DIGEST, "prod", "2026-11-25T09:00:00Z", "jürgen@acme.example"), SIGNED);
      var v = verified(evaluator.evaluate(request(DIGEST, promotedByReleaseManagers()), bundle(json)));
      assertTrue(v.evidence().get(0).detail().contains("jürgen@acme.example"));

      // sigstore-java 2.0.0 counts characters in the DSSE pre-authentication encoding
      TrustMaterial trust = TrustMaterial.of(releaseManagers.trustedRoot(), releaseManagers.root().description());
      var e = assertThrows(KeylessVerificationException.class, () -> trust.keyless().verify(
          Digest.parse(DIGEST).bytes(), Bundle.from(new StringReader(new String(json, StandardCharsets.UTF_8))),
          VerificationOptions.empty()));
      assertTrue(e.getMessage().contains("DSSE signature was not valid"), e.getMessage());
    }

    @Test
    void messageSignatureOverTheManifest() {
      byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
      String digest = Digest.sha256Of(manifest).toString();
      byte[] json = SIGSTORE.messageBundle(ALICE, manifest, SIGNED);
      verified(evaluator.evaluate(request(digest, signedByReleaseManagers()), bundle(json)));
      assertTrue(problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()), bundle(json)))
          .contains("not this digest"));
    }

    @Test
    void keySignedBundles() {
      var ci = CosignFormats.ecdsa("secp256r1", "SHA256withECDSA");
      Authority.Key ciKey = RequirementsEvaluatorTest.keyAuthority("ci", ci);
      DsseEnvelope unsigned = new DsseEnvelope(DsseEnvelope.IN_TOTO, imageSignature, List.of());
      String dsse = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":"
          + "{\"publicKey\":{\"hint\":\"ci\"},\"tlogEntries\":[]},\"dsseEnvelope\":{\"payloadType\":\"application/vnd.in-toto+json\","
          + "\"payload\":\"" + Base64.getEncoder().encodeToString(imageSignature) + "\",\"signatures\":[{\"sig\":\""
          + Base64.getEncoder().encodeToString(ci.sign(unsigned.pae())) + "\"}]}}";
      byte[] json = dsse.getBytes(StandardCharsets.UTF_8);
      verified(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ciKey)), bundle(json)));
      assertTrue(problem(evaluator.evaluate(request(DIGEST, signedByReleaseManagers()), bundle(json)))
          .contains("the bundle is signed with a key, not with a certificate"));

      byte[] manifest = "{}".getBytes(StandardCharsets.UTF_8);
      for (var key : List.of(ci, CosignFormats.rsa(2048, "SHA256withRSA", null), CosignFormats.ed25519())) {
        String message = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":"
            + "{\"publicKey\":{\"hint\":\"k\"},\"tlogEntries\":[]},\"messageSignature\":{\"signature\":\""
            + Base64.getEncoder().encodeToString(key.sign(manifest)) + "\"}}";
        Verdict v = evaluator.evaluate(request(Digest.sha256Of(manifest).toString(), TestPolicies.signatures(
            RequirementsEvaluatorTest.keyAuthority("k", key))), bundle(message.getBytes(StandardCharsets.UTF_8)));
        // Ed25519 cannot sign a pre-hashed message, so a message-signature bundle cannot carry one
        assertEquals(!key.description().equals("ed25519"), v instanceof Verdict.Verified, key.description() + ": " + v);
      }
    }

    @Test
    void oneVerificationPerTrustedRootWhateverTheIdentities() {
      byte[] json = SIGSTORE.dsseBundle(ALICE, imageSignature, SIGNED);
      Authority.Keyless bob = SIGSTORE.authority("bob", identity(ISSUER, "bob@acme.example"));
      Verdict v = evaluator.evaluate(request(DIGEST, TestPolicies.signatures(bob, releaseManagers)), bundle(json));
      assertEquals("release-managers", verified(v).evidence().get(0).authority());
      assertFalse(v.toString().contains("bob"));
    }
  }
}
