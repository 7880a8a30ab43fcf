package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.sigstore.fulcio.client.FulcioVerificationException;
import java.io.IOException;
import java.security.cert.CertPath;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The checks that make a verified signature count for an authority, the same for every format
 * (cosign's legacy layers, Sigstore bundles). The signature itself has been verified with the
 * signer's key before these run; what remains is who the signer is and when it signed:
 * <ul>
 *   <li>Fulcio certificate: it chains to a certificate authority of the trusted root (with an SCT of
 *       one of its CT logs unless the authority waives it); the log entry (unless waived) and every
 *       timestamp verify and are bound to this signature; the certificate was valid at every trusted
 *       time, of which there must be one.</li>
 *   <li>Enterprise certificate: with a trusted root, the log entry (when required) and every
 *       timestamp verify, and the certificate chains to the enterprise roots at each trusted time;
 *       without a trusted time, it must chain now, and counts only until its chain expires.</li>
 *   <li>Key with {@code transparencyLog: required}: the log entry verifies and records this
 *       signature and key; timestamps present verify too.</li>
 * </ul>
 */
final class SignerChecks {

  private SignerChecks() {}

  /**
   * A certificate signer that passed, and the trusted times that dated its signature.
   *
   * @param validUntil when it stops counting: with no trusted time, its chain was checked as valid
   *                   now, and holds only until the first certificate of it expires
   */
  record CertifiedSigner(CertificateIdentity identity, List<TransparencyEvidence.TrustedTime> times,
                         Optional<Instant> validUntil) {}

  /**
   * @param certificates the signing certificate first, then whatever chain came with the signature
   * @param expected     what the log entry must record (the signature and what it signs)
   */
  static CertifiedSigner certificate(List<X509Certificate> certificates, TransparencyEvidence.Found found,
                                     LogEntryBodies.Expected expected, SignerTrust.Certificates trust, Instant now)
      throws Invalid {
    X509Certificate leaf = certificates.get(0);
    LogEntryBodies.Signer signer = new LogEntryBodies.Certificate(leaf);
    if (trust instanceof SignerTrust.Keyless keyless) {
      TrustMaterial material = keyless.material();
      if (keyless.sctRequired()) {
        try {
          CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(certificates);
          material.fulcio().verifySigningCertificate(path);
        } catch (FulcioVerificationException e) {
          throw new Invalid("its certificate is not trusted by the " + material.description() + ": "
              + FailureBoundary.describe(e));
        } catch (CertificateException | IOException | RuntimeException e) {
          throw new Invalid("its certificate chain cannot be checked: " + FailureBoundary.describe(e));
        }
      } else {
        CertificateChains.validateFulcio(certificates, material);
      }
      List<TransparencyEvidence.TrustedTime> times =
          TransparencyEvidence.verify(found, material, expected, signer, keyless.logRequired(), now);
      TransparencyEvidence.requireValidAt(leaf, times, keyless.logRequired()
          ? "nothing shows when it was signed: it has no signed entry timestamp and no RFC 3161 timestamp"
          : "nothing shows when it was signed: its authority does not require a transparency log"
              + " (transparencyLog: ignored), so it needs an RFC 3161 timestamp of the " + material.description());
      return new CertifiedSigner(CertificateIdentity.of(leaf), times, Optional.empty());
    }
    SignerTrust.Enterprise enterprise = (SignerTrust.Enterprise) trust;
    List<TransparencyEvidence.TrustedTime> times = new ArrayList<>();
    if (enterprise.transparency().isPresent()) {
      SignerTrust.Transparency t = enterprise.transparency().get();
      times.addAll(TransparencyEvidence.verify(found, t.material(), expected, signer, t.logRequired(), now));
    }
    List<X509Certificate> untrusted = new ArrayList<>(enterprise.intermediates());
    untrusted.addAll(certificates.subList(1, certificates.size()));
    Optional<Instant> validUntil = Optional.empty();
    if (times.isEmpty()) {
      validUntil = CertificateChains.validate(leaf, untrusted, enterprise.roots(), now, enterprise.rootsName()).stream()
          .map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo);
    } else {
      for (TransparencyEvidence.TrustedTime t : times) {
        try {
          CertificateChains.validate(leaf, untrusted, enterprise.roots(), t.time(), enterprise.rootsName());
        } catch (Invalid e) {
          throw e.reworded(e.getMessage() + " (signing time from its " + t.source() + ")");
        }
      }
    }
    return new CertifiedSigner(CertificateIdentity.ofEnterprise(leaf), times, validUntil);
  }

  /**
   * A key authority's transparency requirement, for a signature that verified with its key.
   *
   * @return what shows the signature was logged or timestamped, for the evidence; empty when the
   *         authority asks for nothing
   */
  static String key(SignerTrust.Key trust, TransparencyEvidence.Found found, LogEntryBodies.Expected expected,
                    Instant now) throws Invalid {
    if (trust.transparency().isEmpty()) {
      return "";
    }
    SignerTrust.Transparency t = trust.transparency().get();
    List<TransparencyEvidence.TrustedTime> times = TransparencyEvidence.verify(found, t.material(), expected,
        new LogEntryBodies.Key(trust.key()), t.logRequired(), now);
    if (times.isEmpty() && t.logRequired()) {
      return "Rekor entry " + found.entries().get(0).getLogIndex();
    }
    return times.stream().map(TransparencyEvidence.TrustedTime::evidence).collect(Collectors.joining(", "));
  }
}
