package dev.promgate.verification;

import static dev.promgate.testing.Rejections.problem;
import static dev.promgate.verification.CosignLegacyFixturesTest.productionRoot;
import static dev.promgate.verification.CosignLegacyFixturesTest.stagingRoot;
import static dev.promgate.verification.FixtureAttachments.containersImageSignature;
import static dev.promgate.verification.FixtureAttachments.signatures;
import static dev.promgate.verification.TestPolicies.request;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.image.Digest;
import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Key authorities with {@code transparencyLog: required}: a key-signed signature counts only when
 * its Rekor entry (a legacy SET, or a bundle's inclusion proof) verifies against the authority's
 * trusted root and records this very signature and key.
 */
class KeyTransparencyTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = Mappers.JSON;
  private final RequirementsEvaluator evaluator = new RequirementsEvaluator(NOW);

  private static Path containersImage(String... path) {
    return Fixtures.path("containers-image", path);
  }

  /** {@code cosign sign --key} with Rekor upload (cosign's default), as containers/image tests it. */
  @Nested
  class LegacySignatureWithSet {

    private final Path dir = containersImage("dir-img-cosign-key-rekor-valid");
    private final String digest = TestPolicies.sha256(TestPolicies.bytes(dir.resolve("manifest.json")));
    private final SignedContent.SignatureLayer layer = containersImageSignature(dir.resolve("signature-1"));
    private final Authority.Key logged = TestPolicies.loggedKey("ci", containersImage("cosign2.pub"), productionRoot());

    private Verdict verify(Authority authority, SignedContent.SignatureLayer signature) {
      return evaluator.evaluate(request(digest, TestPolicies.signatures(authority)), signatures(List.of(signature)));
    }

    private SignedContent.SignatureLayer withBundle(SignedContent.SignatureLayer base, String bundle) {
      Map<String, String> annotations = new HashMap<>(base.annotations());
      annotations.put(CosignLegacy.BUNDLE, bundle);
      return new SignedContent.SignatureLayer(base.source(), base.mediaType(), base.payload(), annotations);
    }

    @Test
    void verifiesWithTheKeyAndTheProductionRekorKey() {
      var verified = assertInstanceOf(Verdict.Verified.class, verify(logged, layer));
      String identity = verified.evidence().get(0).identity();
      assertTrue(identity.startsWith("key sha256:") && identity.contains("Rekor entry 11608800 at 2023-01-20T21:57:39Z"),
          identity);
    }

    @Test
    void theOtherKeyDidNotSignIt() {
      String p = problem(verify(TestPolicies.loggedKey("ci", containersImage("cosign.pub"), productionRoot()), layer));
      assertTrue(p.contains("cosign signature dir-img-cosign-key-rekor-valid/signature-1: not signed with the key of ci"), p);
    }

    @Test
    void aTamperedSetIsRejected() throws Exception {
      ObjectNode bundle = (ObjectNode) JSON.readTree(layer.annotations().get(CosignLegacy.BUNDLE));
      byte[] set = Base64.getDecoder().decode(bundle.get("SignedEntryTimestamp").asText());
      set[set.length - 5] ^= 0x01;
      bundle.put("SignedEntryTimestamp", Base64.getEncoder().encodeToString(set));
      String p = problem(verify(logged, withBundle(layer, JSON.writeValueAsString(bundle))));
      assertTrue(p.contains("cosign signature dir-img-cosign-key-rekor-valid/signature-1: signed with the key of ci, but"
          + " its Rekor signed entry timestamp does not verify with the log's key"), p);
    }

    @Test
    void aSetOverAnotherIntegratedTimeIsRejected() throws Exception {
      ObjectNode bundle = (ObjectNode) JSON.readTree(layer.annotations().get(CosignLegacy.BUNDLE));
      ((ObjectNode) bundle.get("Payload")).put("integratedTime", 1674251860L);
      String p = problem(verify(logged, withBundle(layer, JSON.writeValueAsString(bundle))));
      assertTrue(p.contains("its Rekor signed entry timestamp does not verify with the log's key"), p);
    }

    @Test
    void anEntryOfAnotherSignatureDoesNotCount() {
      // the valid entry of this signature, moved onto another signature of the same key's owner: the
      // SET still verifies, but the entry records a different signature and payload
      Path other = containersImage("dir-img-cosign-valid");
      SignedContent.SignatureLayer foreign = withBundle(containersImageSignature(other.resolve("signature-1")),
          layer.annotations().get(CosignLegacy.BUNDLE));
      String otherDigest = TestPolicies.sha256(TestPolicies.bytes(other.resolve("manifest.json")));
      Verdict v = evaluator.evaluate(request(otherDigest, TestPolicies.signatures(
          TestPolicies.loggedKey("ci", containersImage("cosign.pub"), productionRoot()))), signatures(List.of(foreign)));
      String p = problem(v);
      assertTrue(p.contains("signed with the key of ci, but the hashedrekord entry: the artifact digest does not match"), p);
    }

    @Test
    void withoutARekorBundleTheLogRequirementFails() {
      Path unlogged = containersImage("dir-img-cosign-valid");
      String p = problem(evaluator.evaluate(
          request(TestPolicies.sha256(TestPolicies.bytes(unlogged.resolve("manifest.json"))), TestPolicies.signatures(
              TestPolicies.loggedKey("ci", containersImage("cosign.pub"), productionRoot()))),
          signatures(List.of(containersImageSignature(unlogged.resolve("signature-1"))))));
      assertTrue(p.contains("cosign signature dir-img-cosign-valid/signature-1: signed with the key of ci, but it carries"
          + " no Rekor bundle (dev.sigstore.cosign/bundle)"), p);
      assertTrue(p.contains("transparencyLog: required"), p);
    }

    @Test
    void withTheLogIgnoredTheKeyAloneCounts() {
      assertInstanceOf(Verdict.Verified.class, verify(TestPolicies.key("ci", containersImage("cosign2.pub")), layer));
    }

    @Test
    void aRootWithoutThatLogIsRejected() {
      String p = problem(verify(TestPolicies.loggedKey("ci", containersImage("cosign2.pub"), stagingRoot()), layer));
      assertTrue(p.contains("its Rekor entry comes from log c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d,"
          + " which the trusted root"), p);
    }

    @Test
    void theRekorKeyMustBeValidAtTheIntegratedTime() throws Exception {
      Path root = RootEdits.withTlogValidity(productionRoot(), "https://rekor.sigstore.dev",
          "2021-01-12T11:53:27Z", "2022-12-31T00:00:00Z");
      String p = problem(verify(TestPolicies.loggedKey("ci", containersImage("cosign2.pub"), root), layer));
      assertTrue(p.contains("its Rekor entry was integrated at 2023-01-20T21:57:39Z, outside the validity of that log's key"),
          p);
    }
  }

  /** Key-signed Sigstore bundles of the conformance suite, with their log entries checked. */
  @Nested
  class ManagedKeyBundles {

    private final Path suite = Fixtures.path("sigstore-conformance", "bundle-verify");
    private final Digest artifact = Digest.sha256Of(TestPolicies.bytes(Fixtures.path("sigstore-conformance", "a.txt")));

    private Verdict verify(String name, Authority authority) {
      return BundleVerdicts.verify(evaluator, suite.resolve(name).resolve("bundle.sigstore.json"), artifact, authority);
    }

    @Test
    void happyPathVerifiesAgainstTheProductionLog() {
      var verified = assertInstanceOf(Verdict.Verified.class, verify("managed-key-happy-path",
          TestPolicies.loggedKey("k", suite.resolve("managed-key-happy-path/key.pub"), productionRoot())));
      assertTrue(verified.evidence().get(0).identity().contains("Rekor entry"), verified::toString);
    }

    @Test
    void ownTrustedRootVerifies() {
      Path dir = suite.resolve("managed-key-and-trusted-root");
      assertInstanceOf(Verdict.Verified.class, verify("managed-key-and-trusted-root",
          TestPolicies.loggedKey("k", dir.resolve("key.pub"), dir.resolve("trusted_root.json"))));
    }

    @Test
    void theWrongKeyIsRejected() {
      Path dir = suite.resolve("managed-key-wrong-key_fail");
      String p = problem(verify("managed-key-wrong-key_fail", TestPolicies.loggedKey("k", dir.resolve("key.pub"), productionRoot())));
      assertTrue(p.contains("Sigstore bundle (message signature)") && p.contains("not signed with the key of k"), p);
    }

    @Test
    void anotherRootsLogIsRejected() {
      String p = problem(verify("managed-key-happy-path",
          TestPolicies.loggedKey("k", suite.resolve("managed-key-happy-path/key.pub"), stagingRoot())));
      assertTrue(p.contains("Sigstore bundle (message signature)") && p.contains("staging_trusted_root.json"), p);
    }

    @Test
    void aTamperedInclusionProofIsRejected() throws Exception {
      ObjectNode bundle = (ObjectNode) JSON.readTree(suite.resolve("managed-key-happy-path/bundle.sigstore.json").toFile());
      ObjectNode proof = (ObjectNode) bundle.at("/verificationMaterial/tlogEntries/0/inclusionProof");
      proof.put("logIndex", proof.get("logIndex").asLong() + 1);
      ((ObjectNode) bundle.at("/verificationMaterial/tlogEntries/0")).remove("inclusionPromise");
      Verdict v = BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(bundle), "tampered", artifact,
          TestPolicies.loggedKey("k", suite.resolve("managed-key-happy-path/key.pub"), productionRoot()));
      String p = problem(v);
      assertTrue(p.contains("signed with the key of k, but Transparency log entry could not be verified: Inclusion proof"),
          p);
    }

    @Test
    void aBundleWithoutLogEntryFailsTheRequirement() throws Exception {
      ObjectNode bundle = (ObjectNode) JSON.readTree(suite.resolve("managed-key-happy-path/bundle.sigstore.json").toFile());
      ((ObjectNode) bundle.get("verificationMaterial")).remove("tlogEntries");
      Path key = suite.resolve("managed-key-happy-path/key.pub");
      String p = problem(BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(bundle), "unlogged", artifact,
          TestPolicies.loggedKey("k", key, productionRoot())));
      assertTrue(p.contains("the bundle has no transparency log entry, and its authority requires one"), p);
      // the key alone still counts where the log is not required
      assertInstanceOf(Verdict.Verified.class, BundleVerdicts.verify(evaluator, JSON.writeValueAsBytes(bundle),
          "unlogged", artifact, TestPolicies.key("k", key)));
    }
  }
}
