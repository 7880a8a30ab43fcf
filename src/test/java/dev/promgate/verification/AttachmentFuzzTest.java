package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.testing.FuzzSeeds;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerificationRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes what is attached to an image — cosign signature layers, DSSE envelopes (attestations and
 * promotions) and Sigstore bundles — against requirements nobody here can satisfy: a key whose
 * private half is thrown away, and (with the fixtures) a keyless authority that accepts any
 * identity under the public-good and staging roots, for an image digest that nothing ever signed.
 * Invariant: whatever the bytes (real signatures of other artifacts from the fixtures included), the
 * verdict is never Verified, and evaluation never throws.
 */
class AttachmentFuzzTest {

  private static final Digest SUBJECT = Digest.sha256Of("an image nothing ever signed".getBytes(StandardCharsets.UTF_8));
  private static final ImageReference IMAGE = ImageReference.of("registry.acme.example", "shop/web", SUBJECT);
  private static final RequirementsEvaluator EVALUATOR =
      new RequirementsEvaluator(Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));
  private static final List<VerificationRequest> REQUESTS = requests();

  private static List<VerificationRequest> requests() {
    List<Authority> authorities = new ArrayList<>();
    authorities.add(TestPolicies.key("ci", dev.promgate.testing.TestPolicies.newEcKey().getPublic()));
    for (String root : List.of("cosign/trusted_root_pgi.json", "sigstore-trusted-roots/staging_trusted_root.json")) {
      Path file = fixtures().resolve(root);
      if (Files.isRegularFile(file)) {
        authorities.add(TestPolicies.keyless("anyone-" + authorities.size(), file, TestPolicies.identityRegExp(".*", ".*")));
      }
    }
    Authority[] any = authorities.toArray(Authority[]::new);
    EnvironmentRules signed = TestPolicies.signatures(any);
    EnvironmentRules promoted = TestPolicies.rules(List.of(), List.of(TestPolicies.promotion("prod", Duration.ofDays(3650), any)),
        List.of());
    EnvironmentRules attested = TestPolicies.rules(List.of(), List.of(), List.of(
        TestPolicies.attestation("https://slsa.dev/provenance/v1", null, any),
        TestPolicies.attestation("https://promgate.dev/promotion/v1", null, any)));
    return List.of(TestPolicies.request(IMAGE, signed), TestPolicies.request(IMAGE, promoted),
        TestPolicies.request(IMAGE, attested));
  }

  private static Path fixtures() {
    String configured = System.getProperty("promgate.fixtures", System.getenv("PROMGATE_FIXTURES"));
    return Path.of(configured == null || configured.isBlank() ? "../shared/fixtures" : configured);
  }

  @FuzzTest(maxDuration = "30s")
  void attachment(byte[] bytes) {
    check(bytes);
  }

  static Stream<Arguments> seeds() {
    return FuzzSeeds.of(List.of(), List.of("**/*.sigstore", "**/*.sigstore.json", "**/*.dsse.json", "**/*.intoto.json",
        "**/blobs/*.json", "**/*.sig", "**/*.payload"), 60);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("seeds")
  void seedCorpus(String name, byte[] bytes) {
    check(bytes);
  }

  static void check(byte[] bytes) {
    String signature = Base64.getEncoder().encodeToString(Digest.sha256Of(bytes).bytes());
    SignedContent attachments = new SignedContent(
        List.of(new SignedContent.SignatureLayer("fuzz.sig", "application/vnd.dev.cosign.simplesigning.v1+json", bytes,
            Map.of("dev.cosignproject.cosign/signature", signature))),
        List.of(new SignedContent.AttestationLayer("fuzz.att", "application/vnd.dsse.envelope.v1+json", bytes,
            Map.of("predicateType", "https://promgate.dev/promotion/v1"))),
        List.of(new SignedContent.SigstoreBundle("fuzz.sigstore", "application/vnd.dev.sigstore.bundle.v0.3+json", bytes)));
    for (VerificationRequest request : REQUESTS) {
      Verdict v = EVALUATOR.evaluate(request, attachments);
      assertFalse(v instanceof Verdict.Verified, () -> "verified without a signature by any authority: " + v);
    }
  }
}
