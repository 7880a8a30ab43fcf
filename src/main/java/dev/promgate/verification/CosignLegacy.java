package dev.promgate.verification;

import dev.sigstore.rekor.client.ImmutableRekorEntry;
import dev.sigstore.rekor.client.ImmutableVerification;
import dev.sigstore.rekor.client.RekorEntry;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Verification of a signature in cosign's legacy layout beyond the signature itself: a signing
 * certificate and its chain in layer annotations, a Rekor "bundle" annotation holding the log
 * entry and its signed entry timestamp (SET), but no inclusion proof, and on {@code .sig} layers an
 * RFC 3161 timestamp annotation ({@code cosign sign/attest --timestamp-server-url}). sigstore-java 2.0.0's
 * {@code KeylessVerifier} insists on an inclusion proof, so the checks are assembled from its parts
 * ({@link SignerChecks}, {@link TransparencyEvidence}), in this order:
 * <ol>
 *   <li>the signature verifies with the certificate's key;</li>
 *   <li>keyless: the certificate chains to a Fulcio CA of the trusted root and carries a valid
 *       embedded SCT from a CT log of that root ({@code FulcioVerifier}); enterprise: it chains to the
 *       authority's roots at the signing time;</li>
 *   <li>the SET is the trusted root's Rekor key's signature over the canonical JSON of
 *       {@code {body, integratedTime, logID, logIndex}}, with the key valid at that time;</li>
 *   <li>the certificate was valid at the integrated time (Fulcio certificates live ten minutes;
 *       the log's time stands in for the signing time), which is not in the future;</li>
 *   <li>the log entry body records this signature, this artifact and this certificate (or, for a
 *       key authority with {@code transparencyLog: required}, this key).</li>
 * </ol>
 * The timestamp annotation {@code {"SignedRFC3161Timestamp": base64 DER}} is over the raw signature
 * bytes of a {@code .sig} layer and over the whole envelope of a {@code .att} layer, as cosign's
 * {@code VerifyRFC3161Timestamp} checks it. It is read when the authority's
 * trusted root lists a timestamp authority (cosign, too, uses signed timestamps only when given
 * one), and must then verify ({@link Rfc3161Timestamps}); its time dates the signature as the log's
 * does. It never stands in for a log entry the authority requires.
 */
final class CosignLegacy {

  static final String CERTIFICATE = "dev.sigstore.cosign/certificate";
  static final String CHAIN = "dev.sigstore.cosign/chain";
  static final String BUNDLE = "dev.sigstore.cosign/bundle";
  static final String RFC3161_TIMESTAMP = "dev.sigstore.cosign/rfc3161timestamp";
  /** The most certificates a chain annotation may hold. */
  private static final int MAX_CHAIN = 8;

  private CosignLegacy() {}

  /**
   * A signature made with a certificate (Fulcio's or an enterprise CA's).
   *
   * @param signatureCheck whether a signature made with the given certificate key verifies, and
   *                       which signature bytes the log must record for it (null when none verifies)
   * @param timestamped    the bytes a timestamp annotation is over, or null when the layer's
   *                       timestamp annotation is not read
   */
  static SignerChecks.CertifiedSigner verifyCertificate(Map<String, String> annotations, SignerTrust.Certificates trust,
                                                        Instant now, SignatureCheck signatureCheck, byte[] timestamped)
      throws Invalid {
    String leafPem = annotations.get(CERTIFICATE);
    if (leafPem == null || leafPem.isBlank()) {
      throw new Invalid("it carries no certificate (" + CERTIFICATE + "), so it is not signed with a certificate");
    }
    X509Certificate leaf = CertificateIdentity.parsePem(leafPem, "the certificate annotation").get(0);
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    String chainPem = annotations.get(CHAIN);
    if (chainPem != null && !chainPem.isBlank()) {
      path.addAll(CertificateIdentity.parsePem(chainPem, "the certificate chain annotation"));
      if (path.size() > MAX_CHAIN) {
        throw new Invalid("its certificate chain annotation holds more than " + MAX_CHAIN + " certificates");
      }
    }
    LogEntryBodies.Expected expected = signatureCheck.verifiedWith(leaf.getPublicKey());
    if (expected == null) {
      throw new Invalid("the signature does not verify with the key of its certificate (issued to "
          + describe(leaf) + ")");
    }
    boolean logRequired;
    TrustMaterial material;
    if (trust instanceof SignerTrust.Keyless k) {
      logRequired = k.logRequired();
      material = k.material();
    } else {
      Optional<SignerTrust.Transparency> transparency = ((SignerTrust.Enterprise) trust).transparency();
      logRequired = transparency.map(SignerTrust.Transparency::logRequired).orElse(false);
      material = transparency.map(SignerTrust.Transparency::material).orElse(null);
    }
    return SignerChecks.certificate(path, found(annotations, logRequired, trust instanceof SignerTrust.Keyless,
        material, timestamped), expected, trust, now);
  }

  /**
   * A signature that verified with a key authority's key, checked against the log the authority
   * requires.
   *
   * @return what shows it was logged, for the evidence; empty when nothing is required
   */
  static String verifyKey(Map<String, String> annotations, SignerTrust.Key trust, Instant now,
                          LogEntryBodies.Expected expected, byte[] timestamped) throws Invalid {
    boolean logRequired = trust.transparency().map(SignerTrust.Transparency::logRequired).orElse(false);
    TrustMaterial material = trust.transparency().map(SignerTrust.Transparency::material).orElse(null);
    return SignerChecks.key(trust, found(annotations, logRequired, false, material, timestamped), expected, now);
  }

  /** The log entry of the bundle annotation when the log counts, and the timestamp annotation's token. */
  private static TransparencyEvidence.Found found(Map<String, String> annotations, boolean logRequired,
                                                  boolean keyless, TrustMaterial material, byte[] timestamped)
      throws Invalid {
    List<byte[]> timestamps = timestamped == null ? List.of() : timestamps(annotations, material);
    String bundleJson = annotations.get(BUNDLE);
    if (!logRequired) {
      return new TransparencyEvidence.Found(List.of(), timestamps, timestamped);
    }
    if (bundleJson == null || bundleJson.isBlank()) {
      throw new Invalid("it carries no Rekor bundle (" + BUNDLE + "), so nothing shows it was logged; "
          + (keyless ? "keyless signatures must be logged in Rekor"
              : "its authority requires a transparency log entry (transparencyLog: required)")
          + (timestamps.isEmpty() ? "" : ", and its RFC 3161 timestamp does not stand in for one"));
    }
    return new TransparencyEvidence.Found(List.of(rekorEntry(bundleJson)), timestamps, timestamped);
  }

  /**
   * The token of cosign's timestamp annotation, {@code {"SignedRFC3161Timestamp": base64}}; none when
   * absent or when the trusted root lists no timestamp authority to check it with.
   */
  private static List<byte[]> timestamps(Map<String, String> annotations, TrustMaterial material) throws Invalid {
    String json = annotations.get(RFC3161_TIMESTAMP);
    if (json == null || json.isBlank() || material == null || material.root().getTSAs().isEmpty()) {
      return List.of();
    }
    String what = "the RFC 3161 timestamp annotation (" + RFC3161_TIMESTAMP + ")";
    JsonNode annotation = Json.parse(json.getBytes(StandardCharsets.UTF_8), what);
    if (!annotation.isObject()) {
      throw new Invalid(what + " is not a JSON object");
    }
    return List.of(Json.base64Field(annotation, "SignedRFC3161Timestamp", what));
  }

  /** Reads cosign's bundle annotation: {@code {"SignedEntryTimestamp": b64, "Payload": {...}}}. */
  private static RekorEntry rekorEntry(String json) throws Invalid {
    String what = "the Rekor bundle annotation";
    JsonNode bundle = Json.parse(json.getBytes(StandardCharsets.UTF_8), what);
    if (!bundle.isObject()) {
      throw new Invalid(what + " is not a JSON object");
    }
    byte[] set = Json.base64Field(bundle, "SignedEntryTimestamp", what);
    JsonNode payload = Json.object(bundle, "Payload", what);
    String body = Json.text(payload, "body", what + " payload");
    String logId = Json.text(payload, "logID", what + " payload");
    try {
      HexFormat.of().parseHex(logId);
    } catch (IllegalArgumentException e) {
      throw new Invalid(what + ": logID is not hex");
    }
    return ImmutableRekorEntry.builder()
        .body(body)
        .integratedTime(Json.number(payload, "integratedTime", what + " payload"))
        .logIndex(Json.number(payload, "logIndex", what + " payload"))
        .logID(logId)
        .verification(ImmutableVerification.builder()
            .signedEntryTimestamp(Base64.getEncoder().encodeToString(set))
            .build())
        .build();
  }

  static String describe(X509Certificate certificate) {
    try {
      return CertificateIdentity.of(certificate).toString();
    } catch (Invalid e) {
      return certificate.getSubjectX500Principal().getName();
    }
  }

  /** The signature part of a keyless check: does it verify with this key, and what must the log hold. */
  @FunctionalInterface
  interface SignatureCheck {
    /** The log record expected for the signature that verifies with {@code key}, or null if none does. */
    LogEntryBodies.Expected verifiedWith(PublicKey key);

    static SignatureCheck of(Predicate<PublicKey> verifies, LogEntryBodies.Expected expected) {
      return key -> verifies.test(key) ? expected : null;
    }
  }
}
