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
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Verification of a signature in cosign's legacy layout beyond the signature itself: a signing
 * certificate and its chain in layer annotations, and a Rekor "bundle" annotation holding the log
 * entry and its signed entry timestamp (SET), but no inclusion proof. sigstore-java 2.0.0's
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
 */
final class CosignLegacy {

  static final String CERTIFICATE = "dev.sigstore.cosign/certificate";
  static final String CHAIN = "dev.sigstore.cosign/chain";
  static final String BUNDLE = "dev.sigstore.cosign/bundle";
  /** The most certificates a chain annotation may hold. */
  private static final int MAX_CHAIN = 8;

  private CosignLegacy() {}

  /**
   * A signature made with a certificate (Fulcio's or an enterprise CA's).
   *
   * @param signatureCheck whether a signature made with the given certificate key verifies, and
   *                       which signature bytes the log must record for it (null when none verifies)
   */
  static SignerChecks.CertifiedSigner verifyCertificate(Map<String, String> annotations, SignerTrust.Certificates trust,
                                                        Instant now, SignatureCheck signatureCheck) throws Invalid {
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
    boolean logRequired = trust instanceof SignerTrust.Keyless k ? k.logRequired()
        : ((SignerTrust.Enterprise) trust).transparency().map(SignerTrust.Transparency::logRequired).orElse(false);
    return SignerChecks.certificate(path, found(annotations, logRequired, trust instanceof SignerTrust.Keyless),
        expected, trust, now);
  }

  /**
   * A signature that verified with a key authority's key, checked against the log the authority
   * requires.
   *
   * @return what shows it was logged, for the evidence; empty when nothing is required
   */
  static String verifyKey(Map<String, String> annotations, SignerTrust.Key trust, Instant now,
                          LogEntryBodies.Expected expected) throws Invalid {
    boolean logRequired = trust.transparency().map(SignerTrust.Transparency::logRequired).orElse(false);
    return SignerChecks.key(trust, found(annotations, logRequired, false), expected, now);
  }

  /** The log entry of the bundle annotation, when the log counts. */
  private static TransparencyEvidence.Found found(Map<String, String> annotations, boolean logRequired,
                                                  boolean keyless) throws Invalid {
    String bundleJson = annotations.get(BUNDLE);
    if (!logRequired) {
      return TransparencyEvidence.Found.none();
    }
    if (bundleJson == null || bundleJson.isBlank()) {
      throw new Invalid("it carries no Rekor bundle (" + BUNDLE + "), so nothing shows when it was signed; "
          + (keyless ? "keyless signatures must be logged in Rekor"
              : "its authority requires a transparency log entry (transparencyLog: required)"));
    }
    return new TransparencyEvidence.Found(List.of(rekorEntry(bundleJson)), List.of());
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
