package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.testing.Rejections.rejected;
import static dev.promgate.testing.Rejections.rejectedBecause;
import static dev.promgate.verification.FixtureAttachments.connaisseurDigest;
import static dev.promgate.verification.FixtureAttachments.connaisseurSignatures;
import static dev.promgate.verification.FixtureAttachments.containersImageSignature;
import static dev.promgate.verification.FixtureAttachments.signatures;
import static dev.promgate.verification.TestPolicies.identity;
import static dev.promgate.verification.TestPolicies.identityRegExp;
import static dev.promgate.verification.TestPolicies.key;
import static dev.promgate.verification.TestPolicies.keyless;
import static dev.promgate.verification.TestPolicies.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * cosign's legacy signature layout ({@code sha256-<hex>.sig} layers), as written by real cosign
 * releases and collected by Connaisseur and containers/image: key-based ECDSA signatures, several
 * signatures per manifest, and keyless signatures with a Fulcio certificate, chain and Rekor SET.
 */
class CosignLegacyFixturesTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  static Path productionRoot() {
    return Fixtures.path("sigstore-trusted-roots", "production_trusted_root.json");
  }

  static Path stagingRoot() {
    return Fixtures.path("sigstore-trusted-roots", "staging_trusted_root.json");
  }

  static Verdict.Verified verified(Verdict v) {
    return assertInstanceOf(Verdict.Verified.class, v, () -> "expected verified, got " + v);
  }

  @Nested
  class Connaisseur {

    private Authority.Key connaisseurKey(String name) {
      return key(name, Fixtures.path("connaisseur", "cosign", name + ".key"));
    }

    @Test
    void aliceSignedMultiCosignedAlice() {
      String digest = connaisseurDigest("multi-cosigned-alice");
      assertEquals("sha256:071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81", digest);
      var verdict = verified(evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey("alice"))),
          signatures(connaisseurSignatures(digest))));
      Evidence e = verdict.evidence().get(0);
      assertEquals("signature", e.kind());
      assertEquals("alice", e.authority());
      assertTrue(e.identity().startsWith("key sha256:"), e.identity());
    }

    @Test
    void bobCharlieAndDefaultDidNotSignMultiCosignedAlice() {
      String digest = connaisseurDigest("multi-cosigned-alice");
      for (String other : List.of("bob", "charlie", "default")) {
        String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey(other))),
            signatures(connaisseurSignatures(digest))));
        assertTrue(problem.startsWith("is not signed by " + other + " (found: "), problem);
        assertTrue(problem.contains("not signed with the key of " + other + " (" + other + ".key)"), problem);
      }
    }

    @Test
    void eachOfThreeSignaturesVerifiesOnlyWithItsOwnKey() {
      String digest = connaisseurDigest("multi-cosigned-alice-bob-charlie");
      List<SignedContent.SignatureLayer> layers = connaisseurSignatures(digest);
      assertEquals(3, layers.size());
      List<String> owners = List.of("alice", "bob", "charlie");
      for (int i = 0; i < 3; i++) {
        for (String keyName : List.of("alice", "bob", "charlie", "default")) {
          Verdict v = evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey(keyName))),
              signatures(List.of(layers.get(i))));
          assertEquals(owners.get(i).equals(keyName), v instanceof Verdict.Verified, layers.get(i).source() + " with " + keyName);
        }
      }
    }

    @Test
    void anyListedAuthorityIsEnough() {
      String digest = connaisseurDigest("multi-cosigned-alice-bob-charlie");
      var verdict = verified(evaluator.evaluate(
          request(digest, TestPolicies.signatures(connaisseurKey("default"), connaisseurKey("charlie"))),
          signatures(connaisseurSignatures(digest))));
      assertEquals("charlie", verdict.evidence().get(0).authority());
    }

    @Test
    void bobIsMissingOnMultiCosignedAlice() {
      String digest = connaisseurDigest("multi-cosigned-alice");
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey("bob"))),
          signatures(connaisseurSignatures(digest))));
      assertTrue(problem.contains("testimage:sha256-071bf7a986f1ca9cb2a1f0bc8392822a7777f90d58f2d2c6f271913e08de7c81.sig layer 0"), problem);
    }

    @Test
    void unsignedImageIsRejectedWithTheSignCommand() {
      String digest = "sha256:" + "1".repeat(64);
      Verdict.Rejected r = rejected(evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey("alice"))),
          SignedContent.none()));
      assertEquals("is not signed: no cosign signature, Sigstore bundle or Notation signature was found (required: a signature by alice)",
          r.reasons().get(0).problem());
      assertEquals("sign it with the key of alice: cosign sign --key <private key of alice> registry.acme.example/shop/web@"
          + digest, r.reasons().get(0).fix());
    }

    @Test
    void signaturesOfAnotherDigestDoNotCount() {
      String digest = connaisseurDigest("multi-cosigned-alice-bob-charlie");
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey("alice"))),
          signatures(connaisseurSignatures(connaisseurDigest("multi-cosigned-alice")))));
      assertTrue(problem.contains("it signs sha256:071bf7a986f1…, not this digest"), problem);
    }

    @Test
    void keylessSignatureOfPhilippMatchesThePhilippRule() {
      String digest = connaisseurDigest("keyless");
      assertEquals("sha256:31dc72a13a0c34b40eb95419d2b2fd67320c856baf3b72da518023ee8d370aee", digest);
      Authority.Keyless philipp = keyless("philipp-keyless", productionRoot(), identityRegExp(".*github.*", ".*philipp.*"));
      var verdict = verified(evaluator.evaluate(request(digest, TestPolicies.signatures(philipp)),
          signatures(connaisseurSignatures(digest))));
      assertEquals("philipp.belitz@securesystems.de (issuer https://github.com/login/oauth)",
          verdict.evidence().get(0).identity());
    }

    @Test
    void keylessSignatureOfPhilippIsNotBob() {
      String digest = connaisseurDigest("keyless");
      Authority.Keyless bob = keyless("bob-keyless", productionRoot(), identityRegExp(".*google.*", "bob@gmail\\.com"));
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(bob)),
          signatures(connaisseurSignatures(digest))));
      assertTrue(problem.contains("signed by philipp.belitz@securesystems.de (issuer https://github.com/login/oauth),"
          + " which is not an identity of bob-keyless"), problem);
    }

    @Test
    void keylessIdentityIsMatchedExactlyAndAnchored() {
      String digest = connaisseurDigest("keyless");
      var layers = signatures(connaisseurSignatures(digest));
      verified(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("exact", productionRoot(),
          identity("https://github.com/login/oauth", "philipp.belitz@securesystems.de")))), layers));
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("unanchored", productionRoot(),
          identityRegExp("github", "philipp")))), layers),
          "which is not an identity of unanchored [{issuer ~github, subject ~philipp}]");
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("wrong-issuer", productionRoot(),
          identity("https://accounts.google.com", "philipp.belitz@securesystems.de")))), layers),
          "(issuer https://github.com/login/oauth), which is not an identity of wrong-issuer");
    }

    @Test
    void keylessSignatureDoesNotChainToTheStagingRoot() {
      String digest = connaisseurDigest("keyless");
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(
              keyless("staging", stagingRoot(), identityRegExp(".*", ".*")))),
          signatures(connaisseurSignatures(digest))));
      assertTrue(problem.contains("its certificate is not trusted by the trusted root"), problem);
    }

    @Test
    void keylessSignatureIsNotAKeySignature() {
      String digest = connaisseurDigest("keyless");
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(connaisseurKey("alice"))),
          signatures(connaisseurSignatures(digest))), "not signed with the key of alice (alice.key)");
    }

    @Test
    void tamperedRekorBundleOrCertificateIsRejected() {
      String digest = connaisseurDigest("keyless");
      Authority.Keyless philipp = keyless("philipp", productionRoot(), identityRegExp(".*", ".*philipp.*"));
      SignedContent.SignatureLayer layer = connaisseurSignatures(digest).get(0);

      Map<String, String> laterTime = new java.util.HashMap<>(layer.annotations());
      laterTime.put(CosignLegacy.BUNDLE, laterTime.get(CosignLegacy.BUNDLE).replace("1717082297", "1717082298"));
      assertTrue(problem(evaluator.evaluate(request(digest, TestPolicies.signatures(philipp)), signatures(List.of(
          new SignedContent.SignatureLayer("tampered", layer.mediaType(), layer.payload(), laterTime)))))
          .contains("signed entry timestamp does not verify"));

      Map<String, String> noBundle = new java.util.HashMap<>(layer.annotations());
      noBundle.remove(CosignLegacy.BUNDLE);
      assertTrue(problem(evaluator.evaluate(request(digest, TestPolicies.signatures(philipp)), signatures(List.of(
          new SignedContent.SignatureLayer("no-bundle", layer.mediaType(), layer.payload(), noBundle)))))
          .contains("carries no Rekor bundle"));

      Map<String, String> otherCert = new java.util.HashMap<>(layer.annotations());
      otherCert.put(CosignLegacy.CERTIFICATE, TestPolicies.read(Fixtures.path("containers-image", "fulcio-cert")));
      otherCert.remove(CosignLegacy.CHAIN);
      assertTrue(problem(evaluator.evaluate(request(digest, TestPolicies.signatures(philipp)), signatures(List.of(
          new SignedContent.SignatureLayer("other-cert", layer.mediaType(), layer.payload(), otherCert)))))
          .contains("does not verify with the key of its certificate"));

      byte[] payload = new String(layer.payload(), StandardCharsets.UTF_8).replace("\"optional\":null", "\"optional\":{}")
          .getBytes(StandardCharsets.UTF_8);
      assertTrue(problem(evaluator.evaluate(request(digest, TestPolicies.signatures(philipp)), signatures(List.of(
          new SignedContent.SignatureLayer("other-payload", layer.mediaType(), payload, layer.annotations())))))
          .contains("does not verify with the key of its certificate"));
    }
  }

  @Nested
  class ContainersImage {

    private final Authority.Key cosign = key("cosign", Fixtures.path("containers-image", "cosign.pub"));
    private final Authority.Key cosign2 = key("cosign2", Fixtures.path("containers-image", "cosign2.pub"));

    private SignedContent.SignatureLayer signature(String dir, String file) {
      return containersImageSignature(Fixtures.path("containers-image", dir, file));
    }

    private String manifestDigest(String dir) {
      return TestPolicies.sha256(TestPolicies.bytes(Fixtures.path("containers-image", dir, "manifest.json")));
    }

    @Test
    void validSignatures() {
      String digest = manifestDigest("dir-img-cosign-valid");
      for (var layer : List.of(signature("dir-img-cosign-valid", "signature-1"),
          signature("dir-img-cosign-valid-with-tag", "signature-1"), signature("dir-img-cosign-valid-2", "signature-2"))) {
        verified(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)), signatures(List.of(layer))));
        rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign2)),
            signatures(List.of(layer))), "not signed with the key of cosign2 (cosign2.pub)");
      }
    }

    @Test
    void dockerReferenceOfACopiedImageDoesNotMatter() {
      // signed as 192.168.64.2:5000/cosign-signed-single-sample, admitted as registry.acme.example/shop/web
      String digest = manifestDigest("dir-img-cosign-valid-with-tag");
      var verdict = verified(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)),
          signatures(List.of(signature("dir-img-cosign-valid-with-tag", "signature-1")))));
      // logged for the audit trail, not compared
      assertEquals("dir-img-cosign-valid-with-tag/signature-1 (signed as 192.168.64.2:5000/skopeo-signed:tag)",
          verdict.evidence().get(0).detail());
    }

    @Test
    void unknownKeySignatureIsRejectedAloneAndIgnoredBesideAValidOne() {
      String digest = manifestDigest("dir-img-cosign-valid");
      var unknown = containersImageSignature(Fixtures.path("containers-image", "unknown-cosign-key.signature"));
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign, cosign2)),
          signatures(List.of(unknown))),
          "not signed with the key of cosign (cosign.pub) and not signed with the key of cosign2 (cosign2.pub)");
      verified(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)),
          signatures(List.of(unknown, signature("dir-img-cosign-valid", "signature-1")))));
    }

    @Test
    void modifiedManifestHasAnotherDigest() {
      String digest = manifestDigest("dir-img-cosign-modified-manifest");
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)),
          signatures(List.of(signature("dir-img-cosign-valid", "signature-1")))));
      assertTrue(problem.contains("it signs sha256:634a8f35b5f1…, not this digest"), problem);
    }

    @Test
    void otherAttachmentIsNotASignature() {
      String digest = manifestDigest("dir-img-cosign-valid");
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)),
          signatures(List.of(signature("dir-img-cosign-other-attachment", "signature-1")))));
      assertTrue(problem.contains("its media type is text/plain, not a cosign simple-signing payload"), problem);

      var asIfSimpleSigning = signature("dir-img-cosign-other-attachment", "signature-1");
      problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)), signatures(List.of(
          new SignedContent.SignatureLayer("relabelled", CosignSignatureLayer.MEDIA_TYPE, asIfSimpleSigning.payload(),
              asIfSimpleSigning.annotations())))));
      assertTrue(problem.contains("the simple-signing payload is not valid JSON"), problem);
    }

    @Test
    void keySignedWithRekorBundle() {
      String digest = manifestDigest("dir-img-cosign-key-rekor-valid");
      var layer = signature("dir-img-cosign-key-rekor-valid", "signature-1");
      verified(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign2)), signatures(List.of(layer))));
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign)), signatures(List.of(layer))),
          "not signed with the key of cosign (cosign.pub)");
    }

    @Test
    void fulcioSignedWithRekorBundle() {
      String digest = manifestDigest("dir-img-cosign-fulcio-rekor-valid");
      var layer = signature("dir-img-cosign-fulcio-rekor-valid", "signature-1");
      var verdict = verified(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("redhat", productionRoot(),
          identity("https://github.com/login/oauth", "mitr@redhat.com")))), signatures(List.of(layer))));
      assertEquals("mitr@redhat.com (issuer https://github.com/login/oauth)", verdict.evidence().get(0).identity());
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("someone-else", productionRoot(),
          identity("https://github.com/login/oauth", "someone@redhat.com")))), signatures(List.of(layer))),
          "signed by mitr@redhat.com (issuer https://github.com/login/oauth), which is not an identity of someone-else");
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("staging", stagingRoot(),
          identityRegExp(".*", ".*")))), signatures(List.of(layer))),
          "its certificate is not trusted by the trusted root staging_trusted_root.json");
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(cosign, cosign2)),
          signatures(List.of(layer))),
          "not signed with the key of cosign (cosign.pub) and not signed with the key of cosign2 (cosign2.pub)");
    }

    @Test
    void fulcioSignatureWithoutChainAnnotation() {
      // containers/image's internal testdata: certificate, signature and SET, no chain annotation
      byte[] payload = TestPolicies.bytes(Fixtures.path("containers-image", "internal-testdata", "rekor-payload"));
      var layer = new SignedContent.SignatureLayer("rekor-testdata", CosignSignatureLayer.MEDIA_TYPE, payload, Map.of(
          CosignSignatureLayer.SIGNATURE, TestPolicies.read(Fixtures.path("containers-image", "internal-testdata", "rekor-sig")),
          CosignLegacy.CERTIFICATE, TestPolicies.read(Fixtures.path("containers-image", "internal-testdata", "rekor-cert")),
          CosignLegacy.BUNDLE, TestPolicies.read(Fixtures.path("containers-image", "internal-testdata", "rekor-set"))));
      String digest = "sha256:fa93b01658e3a5a1686dc3ae55f170d8de487006fb53a28efcd12ab0710a2e5f";
      verified(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("redhat", productionRoot(),
          identity("https://github.com/login/oauth", "mitr@redhat.com")))), signatures(List.of(layer))));
    }

    @Test
    void byoPkiIsNotAFulcioIdentityButItsLeafKeyCanBePinned() {
      String digest = manifestDigest("dir-img-cosign-pki-valid");
      var layer = signature("dir-img-cosign-pki-valid", "signature-1");
      // keyless authorities trust Fulcio CAs with CT and Rekor evidence; a private CA chain is not that
      String problem = problem(evaluator.evaluate(request(digest, TestPolicies.signatures(keyless("prod", productionRoot(),
          identityRegExp(".*", ".*")))), signatures(List.of(layer))));
      assertTrue(problem.contains("not trusted by the trusted root") || problem.contains("no Rekor bundle"), problem);
      // the leaf's RSA-4096 key as a key authority: the PKCS#1 v1.5 signature (base64 with a line break) verifies
      verified(evaluator.evaluate(request(digest, TestPolicies.signatures(
          key("pki-leaf", Fixtures.path("containers-image", "pki-cert")))), signatures(List.of(layer))));
      rejectedBecause(evaluator.evaluate(request(digest, TestPolicies.signatures(
          key("some-rsa", Fixtures.path("containers-image", "some-rsa-key.pub")))), signatures(List.of(layer))),
          "not signed with the key of some-rsa (some-rsa-key.pub)");
    }

    @Test
    void allSignaturesOfTheDirectoryFixturesWithTheirKeys() {
      List<String[]> cases = new ArrayList<>();
      cases.add(new String[] {"dir-img-cosign-valid", "signature-1", "cosign"});
      cases.add(new String[] {"dir-img-cosign-valid-with-tag", "signature-1", "cosign"});
      cases.add(new String[] {"dir-img-cosign-key-rekor-valid", "signature-1", "cosign2"});
      for (String[] c : cases) {
        verified(evaluator.evaluate(request(manifestDigest(c[0]),
            TestPolicies.signatures(c[2].equals("cosign") ? cosign : cosign2)), signatures(List.of(signature(c[0], c[1])))));
      }
    }
  }
}
