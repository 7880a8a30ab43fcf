package dev.promgate.verification;

import static dev.promgate.verification.TestPolicies.attestation;
import static dev.promgate.verification.TestPolicies.key;
import static dev.promgate.verification.TestPolicies.request;
import static dev.promgate.verification.TestPolicies.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.policy.Authority;
import dev.promgate.testing.Fixtures;
import dev.promgate.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** cosign legacy attestation layers (DSSE envelopes signed with a key), as Kyverno's tests use them. */
class KyvernoAttestationsTest {

  private static final String DIGEST = "sha256:b31bfb4d0213f254d361e0079deaaebefa4f82ba7aa76ef82e90b4935ad5b105";
  private static final String CODE_REVIEW = "https://example.com/CodeReview/v1";
  private final RequirementsEvaluator evaluator =
      new RequirementsEvaluator(Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC));
  private final Authority.Key signer = key("ci", Fixtures.path("kyverno", "attestation-signer.pub"));
  private final Authority.Key other = key("other", Fixtures.path("kyverno", "other.pub"));

  private static String predicateType(String file) {
    return file.contains("codereview") ? CODE_REVIEW : "cosign.sigstore.dev/attestation/v1";
  }

  private Verdict verify(String file, Authority authority) {
    return evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(), List.of(attestation(predicateType(file), null, authority)))),
        FixtureAttachments.attestations(List.of(FixtureAttachments.attestationLayer(Fixtures.path("kyverno", file)))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pause2-att-0-codereview.dsse.json", "pause2-att-1-cosign-custom.dsse.json",
      "pause2-att-2-codereview.dsse.json"})
  void validWithTheSignerKeyInvalidWithTheOther(String file) {
    Verdict ok = verify(file, signer);
    var verified = assertInstanceOf(Verdict.Verified.class, ok, ok::toString);
    assertEquals(predicateType(file), verified.evidence().get(0).detail());
    Verdict bad = verify(file, other);
    assertTrue(bad.toString().contains("not signed with the key of other (other.pub)"), bad::toString);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pause2-att-0-codereview.dsse.json", "pause2-att-1-cosign-custom.dsse.json"})
  void tamperedEnvelopesAreInvalid(String file) throws Exception {
    String envelope = TestPolicies.read(Fixtures.path("kyverno", file));
    var tree = (tools.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(envelope);
    String payload = new String(java.util.Base64.getDecoder().decode(tree.get("payload").asText()), StandardCharsets.UTF_8);

    var otherPayload = tree.deepCopy();
    otherPayload.put("payload", java.util.Base64.getEncoder().encodeToString(
        payload.replace("\"predicate\":{", "\"predicate\":{\"x\":1,").getBytes(StandardCharsets.UTF_8)));
    var otherType = tree.deepCopy();
    otherType.put("payloadType", "application/vnd.in-toto+json");

    for (var tampered : List.of(otherPayload, otherType)) {
      Verdict v = evaluator.evaluate(request(DIGEST, rules(List.of(), List.of(), List.of(attestation(predicateType(file), null, signer)))),
          FixtureAttachments.attestations(List.of(new SignedContent.AttestationLayer("tampered", null,
              Json.MAPPER.writeValueAsBytes(tampered), Map.of()))));
      assertTrue(v.toString().contains("not signed with the key of ci"), v::toString);
    }
  }

  @Test
  void attestationOfAnotherImageDoesNotCount() {
    Verdict v = evaluator.evaluate(request("sha256:" + "2".repeat(64), rules(List.of(), List.of(), List.of(attestation(CODE_REVIEW, null, signer)))),
        FixtureAttachments.attestations(List.of(FixtureAttachments.attestationLayer(
            Fixtures.path("kyverno", "pause2-att-0-codereview.dsse.json")))));
    assertTrue(v.toString().contains("statement is about sha256:b31bfb4d0213…, not this digest"), v::toString);
  }

  @Test
  void conditionsSeeTheStatement() {
    var reviewedByBob = TestPolicies.condition("'mailto:bob@example.com' in predicate.reviewers",
        s -> ((List<?>) ((Map<?, ?>) s.get("predicate")).get("reviewers")).contains("mailto:bob@example.com"));
    var reviewedByEve = TestPolicies.condition("'mailto:eve@example.com' in predicate.reviewers",
        s -> ((List<?>) ((Map<?, ?>) s.get("predicate")).get("reviewers")).contains("mailto:eve@example.com"));
    var layers = FixtureAttachments.attestations(List.of(
        FixtureAttachments.attestationLayer(Fixtures.path("kyverno", "pause2-att-0-codereview.dsse.json"))));
    assertInstanceOf(Verdict.Verified.class, evaluator.evaluate(request(DIGEST,
        rules(List.of(), List.of(), List.of(attestation(CODE_REVIEW, reviewedByBob, signer)))), layers));
    Verdict v = evaluator.evaluate(request(DIGEST,
        rules(List.of(), List.of(), List.of(attestation(CODE_REVIEW, reviewedByEve, signer)))), layers);
    assertTrue(v.toString().contains("for which 'mailto:eve@example.com' in predicate.reviewers holds"), v::toString);
    assertTrue(v.toString().contains("the condition is false"), v::toString);
  }
}
