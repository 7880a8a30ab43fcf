package dev.promgate;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.Authority;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.verdict.VerificationRequest;
import dev.promgate.verification.SignedContent;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A made-up digest signed and promoted the way cosign does it — a {@code .sig} simple-signing layer
 * and a DSSE promotion attestation, both ECDSA P-256 — with the rules that require exactly that,
 * under a throwaway key. For the startup warm-up only: it never meets a registry, a policy or the
 * verdict cache.
 */
record SyntheticSignatures(VerificationRequest request, SignedContent content) {

  private static final String ENVIRONMENT = "warm-up";

  static SyntheticSignatures create() {
    KeyPair key = newKey();
    Digest digest = Digest.sha256Of("promgate warm-up".getBytes(StandardCharsets.UTF_8));
    ImageReference image = ImageReference.parse("warm-up.invalid/promgate/warm-up@" + digest);
    Authority.Key authority = new Authority.Key(ENVIRONMENT, key.getPublic(), "warm-up", "warm-up");
    EnvironmentRules rules = new EnvironmentRules(ENVIRONMENT, Optional.empty(), List.of(authority),
        List.of(new EnvironmentRules.PromotionRule(ENVIRONMENT, List.of(authority), Optional.empty())), List.of(),
        "warm-up");

    byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + image.name() + "\"},\"image\":"
        + "{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
        + "\"optional\":null}").getBytes(StandardCharsets.UTF_8);
    SignedContent.SignatureLayer signature = new SignedContent.SignatureLayer("warm-up.sig layer 0",
        "application/vnd.dev.cosign.simplesigning.v1+json", payload,
        Map.of("dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(sign(key, payload))));

    String promotedAt = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"" + image.name()
        + "\",\"digest\":{\"sha256\":\"" + digest.hex() + "\"}}],\"predicateType\":\""
        + EnvironmentRules.PromotionRule.PREDICATE_TYPE + "\",\"predicate\":{\"environment\":\"" + ENVIRONMENT
        + "\",\"promotedAt\":\"" + promotedAt + "\",\"approver\":\"warm-up\"}}").getBytes(StandardCharsets.UTF_8);
    String payloadType = "application/vnd.in-toto+json";
    byte[] envelope = ("{\"payloadType\":\"" + payloadType + "\",\"payload\":\""
        + Base64.getEncoder().encodeToString(statement) + "\",\"signatures\":[{\"keyid\":\"\",\"sig\":\""
        + Base64.getEncoder().encodeToString(sign(key, pae(payloadType, statement))) + "\"}]}")
        .getBytes(StandardCharsets.UTF_8);
    SignedContent.AttestationLayer attestation = new SignedContent.AttestationLayer("warm-up.att layer 0",
        "application/vnd.dsse.envelope.v1+json", envelope,
        Map.of("predicateType", EnvironmentRules.PromotionRule.PREDICATE_TYPE));

    return new SyntheticSignatures(
        new VerificationRequest(image, ENVIRONMENT, List.of(new VerificationRequest.PolicyRules("warm-up", rules))),
        new SignedContent(List.of(signature), List.of(attestation), List.of(), List.of()));
  }

  private static KeyPair newKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no ECDSA P-256 in this JDK", e);
    }
  }

  private static byte[] sign(KeyPair key, byte[] content) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key.getPrivate());
      s.update(content);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the warm-up payload", e);
    }
  }

  /** DSSE's pre-authentication encoding: {@code DSSEv1 <len> <type> <len> <body>}. */
  private static byte[] pae(String payloadType, byte[] payload) {
    byte[] head = ("DSSEv1 " + payloadType.getBytes(StandardCharsets.UTF_8).length + " " + payloadType + " "
        + payload.length + " ").getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(head, head.length + payload.length);
    System.arraycopy(payload, 0, all, head.length, payload.length);
    return all;
  }
}
