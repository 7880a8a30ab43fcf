package dev.promgate.verification;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Base64;
import java.util.Map;

/**
 * What cosign writes, byte for byte where it matters: simple-signing payloads, in-toto statements
 * in DSSE envelopes signed over the pre-authentication encoding, promotion predicates.
 */
final class CosignFormats {

  private CosignFormats() {}

  /** cosign's payload for {@code cosign sign reference@digest}. */
  static byte[] simpleSigning(String dockerReference, String digest) {
    return ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + dockerReference + "\"},\"image\":"
        + "{\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
        + "\"optional\":null}").getBytes(StandardCharsets.UTF_8);
  }

  /** An in-toto v1 statement about {@code digest}; {@code subjectName} null leaves the name out, as cosign 3 does. */
  static byte[] statement(String predicateType, String digest, String subjectName, String predicateJson) {
    String[] parts = digest.split(":", 2);
    String name = subjectName == null ? "" : "\"name\":\"" + subjectName + "\",";
    return ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{" + name + "\"digest\":{\""
        + parts[0] + "\":\"" + parts[1] + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":"
        + predicateJson + "}").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] promotion(String digest, String environment, String promotedAt, String approver) {
    return statement(Promotion.PREDICATE_TYPE, digest, "registry.acme.example/shop/web",
        "{\"environment\":\"" + environment + "\",\"promotedAt\":\"" + promotedAt + "\",\"approver\":\"" + approver
            + "\",\"from\":\"preprod\",\"change\":\"CHG-1234\",\"pipelineRun\":\"https://ci.acme.example/runs/42\","
            + "\"source\":{\"repository\":\"https://git.acme.example/shop/web\",\"commit\":\"4f1c\"}}");
  }

  /** A key and the JCA algorithm cosign signs with for it. */
  record SigningKey(String description, KeyPair pair, String algorithm, AlgorithmParameterSpec parameters) {

    byte[] sign(byte[] content) {
      try {
        Signature s = Signature.getInstance(algorithm);
        if (parameters != null) {
          s.setParameter(parameters);
        }
        s.initSign(pair.getPrivate());
        s.update(content);
        return s.sign();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** A cosign {@code .sig} layer with this key's signature over {@code payload}. */
    SignedContent.SignatureLayer signatureLayer(byte[] payload) {
      return new SignedContent.SignatureLayer(description + ".sig layer", CosignSignatureLayer.MEDIA_TYPE, payload,
          Map.of(CosignSignatureLayer.SIGNATURE, Base64.getEncoder().encodeToString(sign(payload))));
    }

    /** A cosign {@code .att} layer: {@code statement} in a DSSE envelope signed with this key. */
    SignedContent.AttestationLayer attestationLayer(byte[] statement) {
      DsseEnvelope unsigned = new DsseEnvelope(DsseEnvelope.IN_TOTO, statement, java.util.List.of());
      return new SignedContent.AttestationLayer(description + ".att layer", "application/vnd.dsse.envelope.v1+json",
          TestSigstore.envelopeJson(DsseEnvelope.IN_TOTO, statement, sign(unsigned.pae())), Map.of());
    }
  }

  static SigningKey ecdsa(String curve, String algorithm) {
    return new SigningKey("ecdsa-" + curve + "-" + algorithm, TestSigstore.ecKey(curve), algorithm, null);
  }

  static SigningKey rsa(int bits, String algorithm, AlgorithmParameterSpec parameters) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return new SigningKey("rsa-" + bits + "-" + algorithm, g.generateKeyPair(), algorithm, parameters);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static SigningKey ed25519() {
    try {
      return new SigningKey("ed25519", KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "Ed25519", null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
