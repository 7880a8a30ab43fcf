package dev.promgate.verification;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.json.Mappers;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.verdict.Verdict;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs one Sigstore bundle through the evaluator the way an image would meet it: a DSSE bundle as
 * an attestation of its own predicate type, a message-signature bundle as the image signature.
 */
final class BundleVerdicts {

  private static final ObjectMapper MAPPER = Mappers.JSON;

  private BundleVerdicts() {}

  static Verdict verify(RequirementsEvaluator evaluator, Path bundle, Digest digest, Authority authority) {
    return verify(evaluator, TestPolicies.bytes(bundle), bundle.getFileName().toString(), digest, authority);
  }

  static Verdict verify(RequirementsEvaluator evaluator, byte[] bundle, String source, Digest digest, Authority authority) {
    EnvironmentRules rules = predicateType(bundle)
        .map(type -> TestPolicies.rules(List.of(), List.of(), List.of(TestPolicies.attestation(type, null, authority))))
        .orElseGet(() -> TestPolicies.signatures(authority));
    return evaluator.evaluate(TestPolicies.request(ImageReference.of("registry.test", "artifact", digest), rules),
        FixtureAttachments.bundles(List.of(new SignedContent.SigstoreBundle(source, null, bundle))));
  }

  /** The predicate type of a DSSE bundle's statement; empty for message signatures and unreadable bundles. */
  static java.util.Optional<String> predicateType(byte[] bundle) {
    try {
      JsonNode envelope = MAPPER.readTree(bundle).get("dsseEnvelope");
      if (envelope == null) {
        return java.util.Optional.empty();
      }
      JsonNode statement = MAPPER.readTree(Base64.getDecoder().decode(envelope.get("payload").asText()));
      return java.util.Optional.of(statement.get("predicateType").asText());
    } catch (Exception e) {
      return java.util.Optional.empty();
    }
  }
}
