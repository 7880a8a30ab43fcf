package dev.promgate.verification;

import static dev.promgate.testing.Rejections.rejected;
import static dev.promgate.verification.CosignFormats.promotion;
import static dev.promgate.verification.CosignFormats.simpleSigning;
import static dev.promgate.verification.CosignFormats.statement;
import static dev.promgate.verification.TestPolicies.attestation;
import static dev.promgate.verification.TestPolicies.request;
import static dev.promgate.verification.TestPolicies.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.AttestationCondition;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.verdict.Evidence;
import dev.promgate.verdict.PromotionEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verification.CosignFormats.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Requirement evaluation with keys generated here, signing exactly as cosign signs. */
class RequirementsEvaluatorTest {

  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  static final String DIGEST = "sha256:ab12" + "0".repeat(60);
  static final String OTHER_DIGEST = "sha256:cd34" + "0".repeat(60);
  static final String IMAGE = "registry.acme.example/shop/web@" + DIGEST;
  static final Duration MAX_AGE = Duration.ofHours(720);

  static final SigningKey CI = CosignFormats.ecdsa("secp256r1", "SHA256withECDSA");
  static final SigningKey RELEASE = CosignFormats.ecdsa("secp256r1", "SHA256withECDSA");
  static final SigningKey MALLORY = CosignFormats.ecdsa("secp256r1", "SHA256withECDSA");

  final RequirementsEvaluator evaluator = new RequirementsEvaluator(Clock.fixed(NOW, ZoneOffset.UTC));
  final Authority.Key ci = keyAuthority("ci", CI);
  final Authority.Key releaseManagers = keyAuthority("release-managers", RELEASE);

  static Authority.Key keyAuthority(String name, SigningKey key) {
    return TestPolicies.key(name, pem(key.pair().getPublic()), "keys/" + name + ".pub");
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  static SignedContent of(SignedContent.SignatureLayer... signatures) {
    return new SignedContent(List.of(signatures), List.of(), List.of());
  }

  static SignedContent with(List<SignedContent.SignatureLayer> signatures, SignedContent.AttestationLayer... attestations) {
    return new SignedContent(signatures, List.of(attestations), List.of());
  }

  static Verdict.Verified verified(Verdict v) {
    return assertInstanceOf(Verdict.Verified.class, v, v::toString);
  }

  SignedContent.SignatureLayer ciSignature() {
    return CI.signatureLayer(simpleSigning("registry.acme.example/shop/web", DIGEST));
  }

  @Nested
  class KeyAlgorithms {

    static Stream<SigningKey> keys() {
      return Stream.of(
          CosignFormats.ecdsa("secp256r1", "SHA256withECDSA"),
          CosignFormats.ecdsa("secp384r1", "SHA384withECDSA"),
          CosignFormats.ecdsa("secp384r1", "SHA256withECDSA"),
          CosignFormats.ecdsa("secp521r1", "SHA512withECDSA"),
          CosignFormats.ecdsa("secp256r1", "SHA256withECDSAinP1363Format"),
          CosignFormats.rsa(2048, "SHA256withRSA", null),
          CosignFormats.rsa(3072, "RSASSA-PSS", new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1)),
          CosignFormats.rsa(2048, "RSASSA-PSS", new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 256 - 32 - 2, 1)),
          CosignFormats.ed25519());
    }

    @ParameterizedTest
    @MethodSource("keys")
    void signaturesAndAttestationsVerifyWithTheirKeyOnly(SigningKey key) {
      Authority.Key authority = keyAuthority("signer", key);
      var signature = key.signatureLayer(simpleSigning("registry.acme.example/shop/web", DIGEST));
      Verdict v = evaluator.evaluate(request(DIGEST, TestPolicies.signatures(authority)), of(signature));
      Evidence e = verified(v).evidence().get(0);
      assertEquals("key sha256:" + authority.fingerprint(), e.identity());

      rejected(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)), of(signature)));

      var attestationLayer = key.attestationLayer(promotion(DIGEST, "prod", "2026-11-20T09:00:00Z", "alice@acme.example"));
      verified(evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(TestPolicies.promotion("prod", MAX_AGE, authority)), List.of())),
          with(List.of(), attestationLayer)));
      rejected(evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(TestPolicies.promotion("prod", MAX_AGE, ci)), List.of())),
          with(List.of(), attestationLayer)));
    }

    @Test
    void signatureWithLineBreaksInItsBase64Verifies() {
      byte[] payload = simpleSigning("registry.acme.example/shop/web", DIGEST);
      String wrapped = Base64.getMimeEncoder(20, new byte[] {'\n'}).encodeToString(CI.sign(payload));
      verified(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)), of(new SignedContent.SignatureLayer(
          "wrapped", CosignSignatureLayer.MEDIA_TYPE, payload, Map.of(CosignSignatureLayer.SIGNATURE, wrapped)))));
    }
  }

  @Nested
  class Signatures {

    @Test
    void signedByAnyListedAuthority() {
      Verdict v = evaluator.evaluate(request(DIGEST, TestPolicies.signatures(releaseManagers, ci)), of(ciSignature()));
      assertEquals("ci", verified(v).evidence().get(0).authority());
    }

    @Test
    void untrustedKeyIsRejectedWithWhatWasFoundAndTheFix() {
      var r = rejected(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)),
          of(MALLORY.signatureLayer(simpleSigning("registry.acme.example/shop/web", DIGEST)))));
      assertEquals("is not signed by ci (found: cosign signature " + MALLORY.description()
          + ".sig layer: not signed with the key of ci (ci.pub))", r.reasons().get(0).problem());
      assertEquals("sign it with the key of ci: cosign sign --key <private key of ci> " + IMAGE, r.reasons().get(0).fix());
    }

    @Test
    void signatureOfAnotherDigestDoesNotCount() {
      var r = rejected(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)),
          of(CI.signatureLayer(simpleSigning("registry.acme.example/shop/web", OTHER_DIGEST)))));
      assertTrue(r.reasons().get(0).problem().contains("it signs sha256:cd3400000000…, not this digest"), r::toString);
    }

    @Test
    void oneValidSignatureAmongJunkIsEnough() {
      var junk = new SignedContent.SignatureLayer("junk", CosignSignatureLayer.MEDIA_TYPE,
          "not json".getBytes(StandardCharsets.UTF_8), Map.of(CosignSignatureLayer.SIGNATURE, "!!"));
      verified(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)),
          of(junk, MALLORY.signatureLayer(simpleSigning("x", DIGEST)), ciSignature())));
    }

    @Test
    void aGenuineSignatureAfterManyForeignOnesCounts() {
      // The registry step bounds how many candidates arrive (spec.limits.maxAttachments); the
      // evaluator checks every one of them, so the genuine one after 60 foreign ones is found.
      List<SignedContent.SignatureLayer> many = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        many.add(MALLORY.signatureLayer(simpleSigning("r", DIGEST)));
      }
      many.add(ciSignature());
      verified(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)),
          new SignedContent(many, List.of(), List.of())));
    }

    @Test
    void attestationsAreNotSignatures() {
      var r = rejected(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)),
          with(List.of(), CI.attestationLayer(promotion(DIGEST, "prod", "2026-11-20T09:00:00Z", "alice")))));
      assertTrue(r.reasons().get(0).problem().startsWith("is not signed: no cosign signature"), r::toString);
    }
  }

  @Nested
  class Promotions {

    EnvironmentRules prodRules() {
      return rules(List.of(ci), List.of(TestPolicies.promotion("preprod", null, releaseManagers),
          TestPolicies.promotion("prod", MAX_AGE, releaseManagers)), List.of());
    }

    SignedContent.AttestationLayer promoted(SigningKey key, String environment, String at, String approver) {
      return key.attestationLayer(promotion(DIGEST, environment, at, approver));
    }

    @Test
    void signedAndPromotedIsVerifiedWithEvidence() {
      Verdict v = evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice@acme.example"),
          promoted(RELEASE, "prod", "2026-11-26T09:00:00Z", "bob@acme.example")));
      var verified = verified(v);
      assertEquals(3, verified.evidence().size());
      Evidence prod = verified.evidence().get(2);
      assertEquals("promotion", prod.kind());
      assertEquals("release-managers", prod.authority());
      assertEquals("prod, 2026-11-26T09:00:00Z, bob@acme.example, from preprod, CHG-1234, https://ci.acme.example/runs/42",
          prod.detail());
      assertEquals(Optional.of(Instant.parse("2026-11-26T09:00:00Z").plus(MAX_AGE)), prod.expiresAt());
      assertEquals(Optional.empty(), verified.evidence().get(1).expiresAt());
      assertEquals(Optional.of(Instant.parse("2026-11-26T09:00:00Z").plus(MAX_AGE)), verified.expiresAt());
    }

    @Test
    void aPromotionKeepsEveryFieldApartHoweverItsTextsAreWritten() {
      String approver = "Doe, John \\\"JD\\\" Ærøskøbing";
      String change = "CHG-1, \\\"urgent\\\", Ünïcode";
      String run = "https://ci.acme.example/runs/42?stages=a,b・本番";
      byte[] statement = statement(Promotion.PREDICATE_TYPE, DIGEST, "registry.acme.example/shop/web",
          "{\"environment\":\"prod\",\"promotedAt\":\"2026-11-26T09:00:00Z\",\"approver\":\"" + approver
              + "\",\"from\":\"preprod\",\"change\":\"" + change + "\",\"pipelineRun\":\"" + run + "\"}");
      var verified = verified(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice@acme.example"),
          RELEASE.attestationLayer(statement))));
      PromotionEvidence prod = assertInstanceOf(PromotionEvidence.class, verified.evidence().get(2));
      assertEquals(Optional.of("Doe, John \"JD\" Ærøskøbing"), prod.approver());
      assertEquals(Optional.of("CHG-1, \"urgent\", Ünïcode"), prod.change());
      assertEquals(Optional.of(run), prod.pipelineRun());
      assertEquals(Optional.of("preprod"), prod.from());
      assertEquals("prod, 2026-11-26T09:00:00Z, Doe, John \"JD\" Ærøskøbing, from preprod, CHG-1, \"urgent\", Ünïcode, "
          + run, prod.detail());
    }

    @Test
    void promotedToPreprodOnlyIsDeniedInProdWithWhatWasFound() {
      var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice@acme.example"))));
      assertEquals(1, r.reasons().size());
      assertEquals("has no promotion to prod signed by release-managers (found: preprod, 2026-11-20, alice@acme.example)",
          r.reasons().get(0).problem());
      assertEquals("promote it: cosign attest --type https://promgate.dev/promotion/v1 --predicate promotion.json"
          + " --key <private key of release-managers> " + IMAGE + ", where promotion.json is {\"environment\": \"prod\","
          + " \"promotedAt\": \"<now, RFC 3339>\", \"approver\": \"<you>\"}", r.reasons().get(0).fix());
      assertEquals(2, r.evidence().size(), "the signature and the preprod promotion held");
    }

    @Test
    void noPromotionsAtAll() {
      var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), of(ciSignature())));
      assertEquals(List.of("has no promotion to preprod signed by release-managers (found: no promotions)",
          "has no promotion to prod signed by release-managers (found: no promotions)"),
          r.reasons().stream().map(Verdict.Reason::problem).toList());
    }

    @Test
    void promotionSignedByTheWrongAuthority() {
      var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice@acme.example"),
          promoted(MALLORY, "prod", "2026-11-25T09:00:00Z", "mallory@acme.example"))));
      assertEquals("has no promotion to prod signed by release-managers (found: preprod, 2026-11-20, alice@acme.example;"
          + " prod, 2026-11-25, mallory@acme.example (not signed by release-managers: not signed with the key of"
          + " release-managers (release-managers.pub)))", r.reasons().get(0).problem());
    }

    @Test
    void expiredPromotion() {
      var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-10-20T09:00:00Z", "alice@acme.example"),
          promoted(RELEASE, "prod", "2026-10-26T09:00:00Z", "bob@acme.example"))));
      assertEquals(1, r.reasons().size(), "preprod has no maxAge");
      assertEquals("has no current promotion to prod: the newest one signed by release-managers"
          + " (prod, 2026-10-26, bob@acme.example) is 31 days old, older than maxAge 720h", r.reasons().get(0).problem());
      assertTrue(r.reasons().get(0).fix().startsWith("promote it: cosign attest --type https://promgate.dev/promotion/v1"));
    }

    @Test
    void theNewestPromotionCounts() {
      Verdict v = evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-10-20T09:00:00Z", "alice@acme.example"),
          promoted(RELEASE, "prod", "2026-09-01T09:00:00Z", "old@acme.example"),
          promoted(RELEASE, "prod", "2026-11-25T09:00:00Z", "new@acme.example")));
      assertTrue(verified(v).evidence().get(2).detail().contains("new@acme.example"));
    }

    @Test
    void promotionExactlyAtMaxAgeStillCounts() {
      Instant at = NOW.minus(MAX_AGE);
      verified(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-10-20T09:00:00Z", "alice"), promoted(RELEASE, "prod", at.toString(), "bob"))));
    }

    @Test
    void promotionFromTheFutureDoesNotCount() {
      var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice"),
          promoted(RELEASE, "prod", "2027-01-01T00:00:00Z", "eager"))));
      assertTrue(r.reasons().get(0).problem().contains("prod, 2027-01-01, eager (promotedAt 2027-01-01T00:00:00Z is in the future)"),
          r::toString);
    }

    @Test
    void promotionOfAnotherDigestDoesNotCount() {
      var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice"),
          RELEASE.attestationLayer(promotion(OTHER_DIGEST, "prod", "2026-11-25T09:00:00Z", "bob")))));
      assertTrue(r.reasons().get(0).problem().contains("statement is about sha256:cd3400000000…, not this digest"), r::toString);
    }

    @Test
    void promotionWithOffsetTimeIsRfc3339() {
      verified(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
          promoted(RELEASE, "preprod", "2026-11-20T10:00:00+01:00", "alice"),
          promoted(RELEASE, "prod", "2026-11-26T10:00:00.5+01:00", "bob"))));
    }

    @Test
    void malformedPromotionPredicates() {
      Map<String, String> cases = Map.of(
          "{\"environment\":\"prod\"}", "the promotion predicate has no \"promotedAt\"",
          "{\"promotedAt\":\"2026-11-25T09:00:00Z\"}", "the promotion predicate has no \"environment\"",
          "{\"environment\":\"prod\",\"promotedAt\":\"yesterday\"}", "promotedAt \"yesterday\" is not an RFC 3339 time",
          "{\"environment\":\"prod\",\"promotedAt\":\"2026-11-25 09:00\"}", "is not an RFC 3339 time",
          "{\"environment\":42,\"promotedAt\":\"2026-11-25T09:00:00Z\"}", "\"environment\" must be a string, found a number",
          "{\"environment\":\"prod\",\"promotedAt\":\"2026-11-25T09:00:00Z\",\"approver\":[\"a\"]}", "\"approver\" must be a string",
          "[\"prod\"]", "the promotion predicate must be a JSON object, found an array");
      cases.forEach((predicate, reason) -> {
        var r = rejected(evaluator.evaluate(request(DIGEST, prodRules()), with(List.of(ciSignature()),
            promoted(RELEASE, "preprod", "2026-11-20T09:00:00Z", "alice"),
            RELEASE.attestationLayer(statement(Promotion.PREDICATE_TYPE, DIGEST, "x", predicate)))));
        assertTrue(r.reasons().get(0).problem().contains(reason), () -> predicate + ": " + r);
      });
    }
  }

  @Nested
  class Attestations {

    static final String SLSA = "https://slsa.dev/provenance/v1";
    static final byte[] PROVENANCE = statement(SLSA, DIGEST, "registry.acme.example/shop/web",
        "{\"buildDefinition\":{\"buildType\":\"https://actions.github.io/buildtypes/workflow/v1\",\"externalParameters\":{}},"
            + "\"runDetails\":{\"builder\":{\"id\":\"https://github.com/actions/runner\"}}}");

    static final AttestationCondition HTTPS_BUILD_TYPE = TestPolicies.condition(
        "predicate.buildDefinition.buildType.startsWith(\"https://\")",
        s -> ((String) ((Map<?, ?>) ((Map<?, ?>) s.get("predicate")).get("buildDefinition")).get("buildType")).startsWith("https://"));

    Verdict evaluate(AttestationCondition condition, SignedContent.AttestationLayer... layers) {
      return evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(), List.of(attestation(SLSA, condition, ci)))),
          with(List.of(), layers));
    }

    @Test
    void conditionTrue() {
      Evidence e = verified(evaluate(HTTPS_BUILD_TYPE, CI.attestationLayer(PROVENANCE))).evidence().get(0);
      assertEquals("attestation", e.kind());
      assertEquals(SLSA + " where predicate.buildDefinition.buildType.startsWith(\"https://\")", e.detail());
    }

    @Test
    void celConditionsOfThePolicyLoader() {
      var https = dev.promgate.policy.CelAttestationCondition.compile(
          "predicate.buildDefinition.buildType.startsWith(\"https://\")");
      verified(evaluate(https, CI.attestationLayer(PROVENANCE)));
      byte[] http = statement(SLSA, DIGEST, "x", "{\"buildDefinition\":{\"buildType\":\"http://insecure\"}}");
      assertTrue(rejected(evaluate(https, CI.attestationLayer(http))).reasons().get(0).problem()
          .contains("the condition is false"));
      byte[] missing = statement(SLSA, DIGEST, "x", "{\"runDetails\":{}}");
      assertTrue(rejected(evaluate(https, CI.attestationLayer(missing))).reasons().get(0).problem()
          .contains("the condition could not be evaluated"));
      var counts = dev.promgate.policy.CelAttestationCondition.compile(
          "size(statement.subject) == 1 && predicateType == \"" + SLSA + "\"");
      verified(evaluate(counts, CI.attestationLayer(PROVENANCE)));
    }

    @Test
    void noCondition() {
      verified(evaluate(null, CI.attestationLayer(PROVENANCE)));
    }

    @Test
    void conditionFalse() {
      var r = rejected(evaluate(TestPolicies.condition("predicate.runDetails.builder.id == \"x\"", s -> false),
          CI.attestationLayer(PROVENANCE)));
      assertEquals("has no " + SLSA + " attestation signed by ci for which predicate.runDetails.builder.id == \"x\" holds"
          + " (found: cosign attestation " + CI.description() + ".att layer by ci: the condition is false)", r.reasons().get(0).problem());
      assertTrue(r.reasons().get(0).fix().startsWith("attest a predicate for which the condition holds: cosign attest --type "
          + SLSA + " --predicate <predicate.json> --key <private key of ci> " + IMAGE));
    }

    @Test
    void conditionError() {
      var r = rejected(evaluate(TestPolicies.failingCondition("predicate.missing.field", "no such key: missing"),
          CI.attestationLayer(PROVENANCE)));
      assertTrue(r.reasons().get(0).problem().contains("the condition could not be evaluated: no such key: missing"), r::toString);
    }

    @Test
    void conditionThrowing() {
      var r = rejected(evaluate(TestPolicies.condition("boom", s -> {
        throw new IllegalStateException("cost limit exceeded");
      }), CI.attestationLayer(PROVENANCE)));
      assertTrue(r.reasons().get(0).problem().contains("could not be evaluated: cost limit exceeded"), r::toString);
    }

    @Test
    void oneSatisfyingAttestationIsEnough() {
      byte[] other = statement(SLSA, DIGEST, "x", "{\"buildDefinition\":{\"buildType\":\"http://insecure\"}}");
      verified(evaluate(HTTPS_BUILD_TYPE, CI.attestationLayer(other), MALLORY.attestationLayer(PROVENANCE),
          CI.attestationLayer(PROVENANCE)));
    }

    @Test
    void conditionIsOnlyAskedOfSignedAttestations() {
      List<Object> seen = new ArrayList<>();
      var r = rejected(evaluate(TestPolicies.condition("true", s -> seen.add(s)), MALLORY.attestationLayer(PROVENANCE)));
      assertTrue(seen.isEmpty());
      assertEquals("has no " + SLSA + " attestation signed by ci (found: cosign attestation " + MALLORY.description()
          + ".att layer: not signed with the key of ci (ci.pub))", r.reasons().get(0).problem());
    }

    @Test
    void conditionSeesTheStatementAsPlainValues() {
      List<Map<String, Object>> seen = new ArrayList<>();
      byte[] typed = statement(SLSA, DIGEST, "x", "{\"n\":3,\"f\":1.5,\"b\":true,\"z\":null,\"l\":[1,\"a\"]}");
      verified(evaluate(TestPolicies.condition("true", s -> seen.add(s)), CI.attestationLayer(typed)));
      Map<?, ?> predicate = (Map<?, ?>) seen.get(0).get("predicate");
      assertEquals(3L, predicate.get("n"));
      assertEquals(1.5, predicate.get("f"));
      assertEquals(true, predicate.get("b"));
      assertTrue(predicate.containsKey("z"));
      assertEquals(List.of(1L, "a"), predicate.get("l"));
      assertEquals(SLSA, seen.get(0).get("predicateType"));
      assertEquals("https://in-toto.io/Statement/v1", seen.get(0).get("_type"));
    }

    @Test
    void missingAttestationNamesWhatWasFound() {
      var r = rejected(evaluate(null, CI.attestationLayer(promotion(DIGEST, "prod", "2026-11-20T09:00:00Z", "a"))));
      assertEquals("has no " + SLSA + " attestation (found: attestations of https://promgate.dev/promotion/v1)",
          r.reasons().get(0).problem());
      var none = rejected(evaluate(null));
      assertEquals("has no " + SLSA + " attestation (found: no attestations)", none.reasons().get(0).problem());
    }

    @Test
    void inTotoV01StatementsCount() {
      byte[] v01 = new String(PROVENANCE, StandardCharsets.UTF_8)
          .replace("https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1").getBytes(StandardCharsets.UTF_8);
      verified(evaluate(HTTPS_BUILD_TYPE, CI.attestationLayer(v01)));
    }

    @Test
    void sha512SubjectOfASha512Digest() {
      String sha512 = "sha512:" + "ef".repeat(64);
      byte[] s = statement(SLSA, sha512, "x", "{}");
      verified(evaluator.evaluate(request(sha512, rules(List.of(), List.of(), List.of(attestation(SLSA, null, ci)))),
          with(List.of(), CI.attestationLayer(s))));
    }
  }

  @Nested
  class SeveralPolicies {

    @Test
    void allPoliciesMustPass() {
      EnvironmentRules signedByCi = TestPolicies.signatures(ci);
      EnvironmentRules promoted = rules(List.of(), List.of(TestPolicies.promotion("prod", MAX_AGE, releaseManagers)), List.of());
      var r = rejected(evaluator.evaluate(request(DIGEST, signedByCi, promoted), of(ciSignature())));
      assertEquals(1, r.reasons().size());
      assertEquals("has no promotion to prod signed by release-managers (found: no promotions) [policy policy-1]",
          r.reasons().get(0).problem());
      assertEquals("ci", r.evidence().get(0).authority());

      var v = verified(evaluator.evaluate(request(DIGEST, signedByCi, promoted), with(List.of(ciSignature()),
          RELEASE.attestationLayer(promotion(DIGEST, "prod", "2026-11-25T09:00:00Z", "bob")))));
      assertEquals(2, v.evidence().size());
    }

    @Test
    void sameEvidenceIsListedOnce() {
      var v = verified(evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci), TestPolicies.signatures(ci)),
          of(ciSignature())));
      assertEquals(1, v.evidence().size());
    }

    @Test
    void rulesWithoutRequirementsAndRequestsWithoutPolicies() {
      assertEquals(List.of(), verified(evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(), List.of())),
          SignedContent.none())).evidence());
      var r = rejected(evaluator.evaluate(request(DIGEST), SignedContent.none()));
      assertEquals("is governed by no policy in prod", r.reasons().get(0).problem());
    }
  }

  @Nested
  class MalformedInput {

    Verdict signature(byte[] payload, Map<String, String> annotations) {
      return evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci)),
          of(new SignedContent.SignatureLayer("layer", CosignSignatureLayer.MEDIA_TYPE, payload, annotations)));
    }

    Verdict attestationEnvelope(byte[] envelope) {
      return evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(TestPolicies.promotion("prod", null, ci)), List.of())),
          with(List.of(), new SignedContent.AttestationLayer("att", null, envelope, Map.of())));
    }

    @Test
    void malformedSimpleSigningPayloads() {
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("", "the simple-signing payload is empty");
      cases.put("{", "the simple-signing payload is not valid JSON");
      cases.put("[]", "must be a JSON object, found an array");
      cases.put("{}", "the simple-signing payload has no \"critical\"");
      cases.put("{\"critical\":\"x\"}", "\"critical\" must be an object, found a string");
      cases.put("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" + DIGEST + "\"}}}",
          "has type \"atomic container signature\", not \"cosign container image signature\"");
      cases.put("{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":5}}}",
          "\"docker-manifest-digest\" must be a string, found a number");
      cases.put("{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"sha256:xyz\"}}}",
          "names an invalid docker-manifest-digest");
      cases.put("{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\""
          + OTHER_DIGEST + "\",\"docker-manifest-digest\":\"" + DIGEST + "\"}}}", "Duplicate Object property \"docker-manifest-digest\"");
      cases.put(new String(simpleSigning("r", DIGEST), StandardCharsets.UTF_8) + " trailing", "is not valid JSON");
      cases.forEach((payload, reason) -> {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        var r = rejected(signature(bytes, Map.of(CosignSignatureLayer.SIGNATURE, Base64.getEncoder().encodeToString(CI.sign(bytes)))));
        assertTrue(r.reasons().get(0).problem().contains(reason), () -> payload + ": " + r);
      });
    }

    @Test
    void malformedSignatureAnnotations() {
      byte[] payload = simpleSigning("r", DIGEST);
      assertTrue(rejected(signature(payload, Map.of())).reasons().get(0).problem()
          .contains("it has no dev.cosignproject.cosign/signature annotation"));
      assertTrue(rejected(signature(payload, Map.of(CosignSignatureLayer.SIGNATURE, "not*base64"))).reasons().get(0).problem()
          .contains("its dev.cosignproject.cosign/signature annotation is not valid base64"));
      assertTrue(rejected(signature(payload, Map.of(CosignSignatureLayer.SIGNATURE, "AAAA"))).reasons().get(0).problem()
          .contains("not signed with the key of ci"));
    }

    @Test
    void malformedEnvelopesAndStatements() {
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("nope", "the DSSE envelope is not valid JSON");
      cases.put("\"text\"", "the DSSE envelope must be a JSON object, found a string");
      cases.put("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"%%%\",\"signatures\":[{\"sig\":\"AA==\"}]}",
          "the DSSE envelope \"payload\" is not valid base64");
      cases.put("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\",\"signatures\":[]}",
          "the DSSE envelope has no signatures");
      cases.put("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"e30=\",\"signatures\":{}}",
          "\"signatures\" must be an array, found an object");
      String wrongType = Base64.getEncoder().encodeToString(("{\"_type\":\"https://example.com/Statement\","
          + "\"subject\":[],\"predicateType\":\"x\"}").getBytes(StandardCharsets.UTF_8));
      cases.put("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + wrongType + "\",\"signatures\":[{\"sig\":\"AA==\"}]}",
          "has _type \"https://example.com/Statement\"");
      String badSubject = Base64.getEncoder().encodeToString(("{\"_type\":\"https://in-toto.io/Statement/v1\","
          + "\"subject\":[{\"digest\":{\"sha256\":7}}],\"predicateType\":\"x\"}").getBytes(StandardCharsets.UTF_8));
      cases.put("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + badSubject + "\",\"signatures\":[{\"sig\":\"AA==\"}]}",
          "subject digest \"sha256\" must be a string");
      String noSubject = Base64.getEncoder().encodeToString(("{\"_type\":\"https://in-toto.io/Statement/v1\","
          + "\"subject\":[],\"predicateType\":\"x\"}").getBytes(StandardCharsets.UTF_8));
      cases.put("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + noSubject + "\",\"signatures\":[{\"sig\":\"AA==\"}]}",
          "the in-toto statement has no subject");
      cases.forEach((envelope, reason) -> {
        var r = rejected(attestationEnvelope(envelope.getBytes(StandardCharsets.UTF_8)));
        assertTrue(r.reasons().get(0).problem().contains(reason), () -> envelope + ": " + r);
      });
    }

    @Test
    void malformedBundles() {
      Map<String, String> cases = new java.util.LinkedHashMap<>();
      cases.put("", "the Sigstore bundle is empty");
      cases.put("{\"mediaType\":", "the Sigstore bundle is not valid JSON");
      cases.put("{}", "the Sigstore bundle has no \"mediaType\"");
      cases.put("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}", "has no \"verificationMaterial\"");
      cases.put("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{}}",
          "has neither a message signature nor a DSSE envelope");
      cases.put("{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{},"
          + "\"messageSignature\":{\"signature\":\"AA==\"}}", "has no certificate, certificate chain or public key");
      cases.forEach((json, reason) -> {
        Verdict v = evaluator.evaluate(request(DIGEST, TestPolicies.signatures(ci, new TestSigstore().authority("k",
                TestPolicies.identityRegExp(".*", ".*")))),
            new SignedContent(List.of(), List.of(), List.of(new SignedContent.SigstoreBundle("b", null,
                json.getBytes(StandardCharsets.UTF_8)))));
        assertTrue(rejected(v).reasons().get(0).problem().contains(reason), () -> json + ": " + v);
      });
    }

    @Test
    void aBugBecomesUnverifiableNotAnException() {
      AttestationCondition broken = new AttestationCondition() {
        @Override
        public String expression() {
          throw new IllegalStateException("bug");
        }

        @Override
        public Result evaluate(Map<String, Object> statement) {
          return Result.of(false);
        }
      };
      Verdict v = evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(), List.of(attestation("t", broken, ci)))),
          with(List.of(), CI.attestationLayer(statement("t", DIGEST, "x", "{}"))));
      var u = assertInstanceOf(Verdict.Unverifiable.class, v);
      assertEquals(Verdict.Unverifiable.Category.VERIFICATION_ERROR, u.category());
      assertFalse(u.cause().isEmpty());
    }
  }
}
