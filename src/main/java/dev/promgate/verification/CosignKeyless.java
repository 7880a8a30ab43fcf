package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import dev.sigstore.rekor.client.ImmutableRekorEntry;
import dev.sigstore.rekor.client.ImmutableVerification;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.trustroot.TransparencyLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertPath;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Keyless verification of a signature in cosign's legacy layout: a Fulcio certificate and its chain
 * in layer annotations, and a Rekor "bundle" annotation holding the log entry and its signed entry
 * timestamp (SET), but no inclusion proof. sigstore-java 2.0.0's {@code KeylessVerifier} insists on
 * an inclusion proof, so the checks are assembled here from its parts, in this order:
 * <ol>
 *   <li>the signature verifies with the certificate's key;</li>
 *   <li>the certificate chains to a Fulcio CA of the trusted root and carries a valid embedded SCT
 *       from a CT log of that root ({@code FulcioVerifier});</li>
 *   <li>the SET is the trusted root's Rekor key's signature over the canonical JSON of
 *       {@code {body, integratedTime, logID, logIndex}}, with the key valid at that time;</li>
 *   <li>the certificate was valid at the integrated time (Fulcio certificates live ten minutes;
 *       the log's time stands in for the signing time), which is not in the future;</li>
 *   <li>the log entry body records this signature, this artifact and this certificate.</li>
 * </ol>
 */
final class CosignKeyless {

  static final String CERTIFICATE = "dev.sigstore.cosign/certificate";
  static final String CHAIN = "dev.sigstore.cosign/chain";
  static final String BUNDLE = "dev.sigstore.cosign/bundle";
  /** Clocks disagree a little; a log time this far ahead of ours is still accepted. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private CosignKeyless() {}

  /**
   * @param signatureCheck whether a signature made with the given certificate key verifies, and
   *                       which signature bytes the log must record for it (null when none verifies)
   */
  static CertificateIdentity verify(Map<String, String> annotations, TrustMaterial trust, Instant now,
                                    SignatureCheck signatureCheck) throws Invalid {
    String leafPem = annotations.get(CERTIFICATE);
    if (leafPem == null || leafPem.isBlank()) {
      throw new Invalid("it carries no certificate (" + CERTIFICATE + "), so it is not a keyless signature");
    }
    X509Certificate leaf = CertificateIdentity.parsePem(leafPem, "the certificate annotation").get(0);
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    String chainPem = annotations.get(CHAIN);
    if (chainPem != null && !chainPem.isBlank()) {
      path.addAll(CertificateIdentity.parsePem(chainPem, "the certificate chain annotation"));
    }

    LogEntryBodies.Expected expected = signatureCheck.verifiedWith(leaf.getPublicKey());
    if (expected == null) {
      throw new Invalid("the signature does not verify with the key of its certificate (issued to "
          + describe(leaf) + ")");
    }

    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      trust.fulcio().verifySigningCertificate(certPath);
    } catch (FulcioVerificationException e) {
      throw new Invalid("its certificate is not trusted by the " + trust.description() + ": "
          + FailureBoundary.describe(e));
    } catch (CertificateException | IOException | RuntimeException e) {
      throw new Invalid("its certificate chain cannot be checked: " + e.getMessage());
    }

    String bundleJson = annotations.get(BUNDLE);
    if (bundleJson == null || bundleJson.isBlank()) {
      throw new Invalid("it carries no Rekor bundle (" + BUNDLE
          + "), so nothing shows when it was signed; keyless signatures must be logged in Rekor");
    }
    RekorEntry entry = rekorEntry(bundleJson);
    Instant integrated = Instant.ofEpochSecond(entry.getIntegratedTime());
    TransparencyLog log = trust.transparencyLog(HexFormat.of().parseHex(entry.getLogID()))
        .orElseThrow(() -> new Invalid("its Rekor entry comes from log " + entry.getLogID()
            + ", which the " + trust.description() + " does not list"));
    if (!log.getPublicKey().getValidFor().contains(integrated)) {
      throw new Invalid("its Rekor entry was integrated at " + integrated
          + ", outside the validity of that log's key in the " + trust.description());
    }
    byte[] set = Base64.getDecoder().decode(entry.getVerification().getSignedEntryTimestamp());
    PublicKey logKey;
    try {
      logKey = log.getPublicKey().toJavaPublicKey();
    } catch (java.security.GeneralSecurityException e) {
      throw new Invalid("the Rekor key in the " + trust.description() + " cannot be read");
    }
    if (!Signatures.verify(logKey, entry.getSignableContent(), set)) {
      throw new Invalid("its Rekor signed entry timestamp does not verify with the log's key");
    }
    checkSigningTime(leaf, integrated, now);
    LogEntryBodies.check(Json.base64(entry.getBody(), "the Rekor entry body"), expected, leaf);
    return CertificateIdentity.of(leaf);
  }

  /** The certificate must have been valid when the log saw the signature, and that not in the future. */
  static void checkSigningTime(X509Certificate leaf, Instant integrated, Instant now) throws Invalid {
    try {
      leaf.checkValidity(Date.from(integrated));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new Invalid("its transparency log time " + integrated + " is outside the certificate's validity ("
          + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")");
    }
    if (integrated.isAfter(now.plus(CLOCK_SKEW))) {
      throw new Invalid("its transparency log time " + integrated + " is in the future");
    }
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
