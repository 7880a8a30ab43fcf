package dev.promgate.verification;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Checks that a transparency-log entry records what is being verified. A signed entry timestamp or
 * an inclusion proof proves that the log holds this body; only this check ties the body to the
 * signature, the artifact and the certificate at hand. Entry kinds:
 * <ul>
 *   <li>{@code hashedrekord 0.0.1 / 0.0.2}: a signature over an artifact digest (0.0.2 over a DSSE
 *       envelope stores the digest of its pre-authentication encoding, Rekor v2's
 *       "hashedrekord-over-DSSE");</li>
 *   <li>{@code dsse 0.0.1 / 0.0.2}: a DSSE envelope by payload digest and signatures;</li>
 *   <li>{@code intoto 0.0.1 / 0.0.2}: the entries {@code cosign attest} and older Sigstore clients
 *       wrote (0.0.2 holds the envelope with its payload and signatures base64-encoded twice).</li>
 * </ul>
 */
final class LogEntryBodies {

  private LogEntryBodies() {}

  /** What the entry must record. */
  sealed interface Expected permits SignedDigest, SignedEnvelope {
    byte[] signature();
  }

  /** A signature over an artifact whose SHA-256 is {@code sha256}. */
  record SignedDigest(byte[] sha256, byte[] signature) implements Expected {}

  /** A signature over a DSSE envelope. */
  record SignedEnvelope(DsseEnvelope envelope, byte[] signature) implements Expected {}

  /** Who made the signature: the log entry must name the same certificate or key. */
  sealed interface Signer permits Certificate, Key {
    /** How messages describe what the entry must name. */
    String describe();
  }

  record Certificate(X509Certificate certificate) implements Signer {
    @Override
    public String describe() {
      return "certificate";
    }
  }

  record Key(PublicKey key) implements Signer {
    @Override
    public String describe() {
      return "key";
    }
  }

  static void check(byte[] canonicalBody, Expected expected, X509Certificate signer) throws Invalid {
    check(canonicalBody, expected, new Certificate(signer));
  }

  static void check(byte[] canonicalBody, Expected expected, Signer signer) throws Invalid {
    String what = "the transparency log entry";
    JsonNode body = Json.parse(canonicalBody, what + " body");
    if (!body.isObject()) {
      throw new Invalid(what + " body is not a JSON object");
    }
    String kind = Json.text(body, "kind", what);
    String version = Json.text(body, "apiVersion", what);
    JsonNode spec = Json.object(body, "spec", what);
    switch (kind + " " + version) {
      case "hashedrekord 0.0.1" -> hashedRekordV1(spec, expected, signer);
      case "hashedrekord 0.0.2" -> hashedRekordV2(Json.object(spec, "hashedRekordV002", what), expected, signer);
      case "dsse 0.0.1" -> dsseV1(spec, envelope(expected, kind), signer);
      case "dsse 0.0.2" -> dsseV2(Json.object(spec, "dsseV002", what), envelope(expected, kind), signer);
      case "intoto 0.0.1" -> intotoV1(spec, envelope(expected, kind), signer);
      case "intoto 0.0.2" -> intotoV2(spec, envelope(expected, kind), signer);
      default -> throw new Invalid(what + " is of kind " + kind + " " + version + ", which promgate does not support");
    }
  }

  private static SignedEnvelope envelope(Expected expected, String kind) throws Invalid {
    if (expected instanceof SignedEnvelope e) {
      return e;
    }
    throw new Invalid("the transparency log entry is a " + kind + " entry, which records an envelope, not this signature");
  }

  private static void hashedRekordV1(JsonNode spec, Expected expected, Signer signer) throws Invalid {
    if (!(expected instanceof SignedDigest d)) {
      throw new Invalid("the transparency log entry is a hashedrekord 0.0.1 entry, which cannot record a DSSE envelope");
    }
    String what = "the hashedrekord entry";
    JsonNode hash = Json.object(Json.object(spec, "data", what), "hash", what + " data");
    requireHex(hash, "sha256", d.sha256(), what + ": the artifact digest");
    JsonNode signature = Json.object(spec, "signature", what);
    requireEqual(Json.base64Field(signature, "content", what + " signature"), d.signature(),
        what + " holds a different signature");
    JsonNode publicKey = Json.object(signature, "publicKey", what + " signature");
    requireSigner(Json.base64Field(publicKey, "content", what + " public key"), signer, what);
  }

  private static void hashedRekordV2(JsonNode spec, Expected expected, Signer signer) throws Invalid {
    String what = "the hashedrekord 0.0.2 entry";
    JsonNode data = Json.object(spec, "data", what);
    if (!"SHA2_256".equals(Json.text(data, "algorithm", what + " data"))) {
      throw new Invalid(what + " uses digest algorithm " + data.get("algorithm") + ", not SHA2_256");
    }
    byte[] digest = expected instanceof SignedDigest d ? d.sha256() : sha256(((SignedEnvelope) expected).envelope().pae());
    requireEqual(Json.base64Field(data, "digest", what + " data"), digest,
        what + " records a different " + (expected instanceof SignedDigest ? "artifact digest" : "DSSE envelope"));
    JsonNode signature = Json.object(spec, "signature", what);
    requireEqual(Json.base64Field(signature, "content", what + " signature"), expected.signature(),
        what + " holds a different signature");
    requireV2Verifier(Json.object(signature, "verifier", what + " signature"), signer, what);
  }

  private static void dsseV1(JsonNode spec, SignedEnvelope expected, Signer signer) throws Invalid {
    String what = "the dsse entry";
    requireHex(Json.object(spec, "payloadHash", what), "sha256", sha256(expected.envelope().payload()),
        what + ": the payload digest");
    JsonNode signatures = Json.array(spec, "signatures", what);
    for (JsonNode s : signatures) {
      if (Arrays.equals(Json.base64Field(s, "signature", what + " signature"), expected.signature())) {
        requireSigner(Json.base64Field(s, "verifier", what + " verifier"), signer, what);
        return;
      }
    }
    throw new Invalid(what + " holds a different signature");
  }

  private static void dsseV2(JsonNode spec, SignedEnvelope expected, Signer signer) throws Invalid {
    String what = "the dsse 0.0.2 entry";
    JsonNode payloadHash = Json.object(spec, "payloadHash", what);
    if (!"SHA2_256".equals(Json.text(payloadHash, "algorithm", what + " payloadHash"))) {
      throw new Invalid(what + " uses digest algorithm " + payloadHash.get("algorithm") + ", not SHA2_256");
    }
    requireEqual(Json.base64Field(payloadHash, "digest", what + " payloadHash"),
        sha256(expected.envelope().payload()), what + " records a different payload");
    for (JsonNode s : Json.array(spec, "signatures", what)) {
      if (Arrays.equals(Json.base64Field(s, "content", what + " signature"), expected.signature())) {
        requireV2Verifier(Json.object(s, "verifier", what + " signature"), signer, what);
        return;
      }
    }
    throw new Invalid(what + " holds a different signature");
  }

  private static void intotoV1(JsonNode spec, SignedEnvelope expected, Signer signer) throws Invalid {
    String what = "the intoto 0.0.1 entry";
    JsonNode content = Json.object(spec, "content", what);
    requireHex(Json.object(content, "payloadHash", what + " content"), "sha256",
        sha256(expected.envelope().payload()), what + ": the payload digest");
    requireSigner(Json.base64Field(spec, "publicKey", what), signer, what);
  }

  private static void intotoV2(JsonNode spec, SignedEnvelope expected, Signer signer) throws Invalid {
    String what = "the intoto 0.0.2 entry";
    JsonNode content = Json.object(spec, "content", what);
    requireHex(Json.object(content, "payloadHash", what + " content"), "sha256",
        sha256(expected.envelope().payload()), what + ": the payload digest");
    JsonNode envelope = Json.object(content, "envelope", what + " content");
    if (!expected.envelope().payloadType().equals(Json.text(envelope, "payloadType", what + " envelope"))) {
      throw new Invalid(what + " records a different payload type");
    }
    // Rekor keeps the payload only on some entries; its hash (checked above) is always there
    if (envelope.hasNonNull("payload")) {
      byte[] payload = Json.base64(new String(Json.base64Field(envelope, "payload", what + " envelope"),
          StandardCharsets.US_ASCII), what + " envelope payload");
      requireEqual(payload, expected.envelope().payload(), what + " records a different payload");
    }
    for (JsonNode s : Json.array(envelope, "signatures", what + " envelope")) {
      byte[] sig;
      try {
        sig = Json.base64(new String(Json.base64Field(s, "sig", what + " signature"),
            StandardCharsets.US_ASCII), what + " signature");
      } catch (Invalid notDoublyEncoded) {
        continue; // not a signature in this entry's encoding, so not ours
      }
      if (Arrays.equals(sig, expected.signature())) {
        requireSigner(Json.base64Field(s, "publicKey", what + " signature"), signer, what);
        return;
      }
    }
    throw new Invalid(what + " holds a different signature");
  }

  private static void requireV2Verifier(JsonNode verifier, Signer signer, String what) throws Invalid {
    if (signer instanceof Key key) {
      JsonNode publicKey = verifier.get("publicKey");
      if (publicKey == null || !publicKey.isObject()) {
        throw new Invalid(what + " names no public key as verifier");
      }
      requireEqual(Json.base64Field(publicKey, "rawBytes", what + " public key"), key.key().getEncoded(),
          what + " names a different key");
      return;
    }
    JsonNode certificate = verifier.get("x509Certificate");
    if (certificate == null || !certificate.isObject()) {
      throw new Invalid(what + " names no certificate as verifier");
    }
    byte[] der = Json.base64Field(certificate, "rawBytes", what + " certificate");
    requireEqual(der, encoded(((Certificate) signer).certificate()), what + " names a different certificate");
  }

  /**
   * {@code pem} is the base64-decoded verifier field: a PEM certificate, or for key-signed entries a
   * PEM public key.
   */
  private static void requireSigner(byte[] pem, Signer signer, String what) throws Invalid {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (signer instanceof Key key) {
      PublicKey named;
      try {
        named = dev.promgate.policy.PublicKeys.parsePem(text);
      } catch (IllegalArgumentException e) {
        throw new Invalid(what + " verifier is not a public key or certificate: " + e.getMessage());
      }
      requireEqual(named.getEncoded(), key.key().getEncoded(), what + " names a different key");
      return;
    }
    List<java.security.cert.X509Certificate> certificates = CertificateIdentity.parsePem(text, what + " verifier");
    requireEqual(encoded(certificates.get(0)), encoded(((Certificate) signer).certificate()),
        what + " names a different certificate");
  }

  private static void requireHex(JsonNode hash, String algorithm, byte[] expected, String what) throws Invalid {
    String actualAlgorithm = Json.text(hash, "algorithm", what);
    if (!algorithm.equals(actualAlgorithm)) {
      throw new Invalid(what + " uses " + InTotoStatement.abbreviate(actualAlgorithm) + ", not " + algorithm);
    }
    String value = Json.text(hash, "value", what).toLowerCase(Locale.ROOT);
    if (!value.equals(HexFormat.of().formatHex(expected))) {
      throw new Invalid(what + " does not match (the entry records " + InTotoStatement.abbreviate(value) + ")");
    }
  }

  private static void requireEqual(byte[] actual, byte[] expected, String message) throws Invalid {
    if (!MessageDigest.isEqual(actual, expected)) {
      throw new Invalid(message);
    }
  }

  private static byte[] encoded(X509Certificate certificate) throws Invalid {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new Invalid("the certificate cannot be encoded");
    }
  }

  static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks SHA-256", e);
    }
  }
}
