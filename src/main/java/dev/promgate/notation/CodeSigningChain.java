package dev.promgate.notation;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * The Notary Project's rules for a signing certificate chain (notation-core-go
 * {@code ValidateCodeSigningCertChain}): leaf first, each certificate issued by the next, ending in
 * a self-signed root (or a single self-signed leaf); the leaf not a CA, its critical key usage
 * "digital signature" only, no server/client/e-mail/timestamping/OCSP extended key usage; each CA
 * with basic constraints {@code CA:TRUE}, a path length that allows the chain below it and a
 * critical key usage with "certificate sign". Validity in time is checked elsewhere, against the
 * time that counts.
 */
final class CodeSigningChain {

  private static final String KEY_USAGE = "2.5.29.15";
  private static final Set<String> EXCLUDED_EKU = Set.of(
      "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9");
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;

  private CodeSigningChain() {}

  static void validate(List<X509Certificate> chain) throws Failure {
    if (chain.size() == 1) {
      X509Certificate cert = chain.get(0);
      if (!issuedBy(cert, cert)) {
        throw Failure.integrity("the single certificate " + subject(cert) + " is not self-signed");
      }
      leaf(cert);
      return;
    }
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate cert = chain.get(i);
      boolean selfSigned = issuedBy(cert, cert);
      if (i == chain.size() - 1) {
        if (!selfSigned) {
          throw Failure.integrity("the root certificate " + subject(cert)
              + " is not self-signed; the chain must end with a self-signed root");
        }
      } else {
        if (selfSigned) {
          throw Failure.integrity((i == 0 ? "the leaf" : "the intermediate") + " certificate " + subject(cert)
              + " is self-signed");
        }
        if (!issuedBy(cert, chain.get(i + 1))) {
          throw Failure.integrity("the certificate " + subject(cert) + " is not issued by "
              + subject(chain.get(i + 1)));
        }
      }
      if (i == 0) {
        leaf(cert);
      } else {
        ca(cert, i - 1);
      }
    }
  }

  private static void leaf(X509Certificate cert) throws Failure {
    if (cert.getBasicConstraints() >= 0) {
      throw Failure.integrity("the signing certificate " + subject(cert) + " is a CA certificate");
    }
    keyUsagePresent(cert);
    boolean[] usage = cert.getKeyUsage();
    if (!bit(usage, DIGITAL_SIGNATURE)) {
      throw Failure.integrity("the signing certificate " + subject(cert) + " lacks the \"digital signature\" key usage");
    }
    for (int b = 1; b < usage.length; b++) {
      if (b != 1 && usage[b]) { // bit 1 is non-repudiation (content commitment), which is allowed
        throw Failure.integrity("the signing certificate " + subject(cert)
            + " has key usages besides \"digital signature\"");
      }
    }
    try {
      List<String> eku = cert.getExtendedKeyUsage();
      if (eku != null) {
        for (String oid : eku) {
          if (EXCLUDED_EKU.contains(oid)) {
            throw Failure.integrity("the signing certificate " + subject(cert)
                + " has an extended key usage that excludes code signing (" + oid + ")");
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw Failure.integrity("the extended key usage of " + subject(cert) + " cannot be read");
    }
    Envelope.algorithmFor(cert.getPublicKey());
  }

  private static void ca(X509Certificate cert, int below) throws Failure {
    int pathLength = cert.getBasicConstraints();
    if (pathLength < 0) {
      throw Failure.integrity("the certificate " + subject(cert) + " issues others but is not a CA (basic constraints)");
    }
    if (pathLength < below) {
      throw Failure.integrity("the certificate " + subject(cert) + " allows a path length of " + pathLength
          + ", but " + below + " CA certificates follow it");
    }
    keyUsagePresent(cert);
    if (!bit(cert.getKeyUsage(), KEY_CERT_SIGN)) {
      throw Failure.integrity("the CA certificate " + subject(cert) + " lacks the \"certificate sign\" key usage");
    }
  }

  private static void keyUsagePresent(X509Certificate cert) throws Failure {
    Set<String> critical = cert.getCriticalExtensionOIDs();
    if (cert.getKeyUsage() == null) {
      throw Failure.integrity("the certificate " + subject(cert) + " has no key usage extension");
    }
    if (critical == null || !critical.contains(KEY_USAGE)) {
      throw Failure.integrity("the key usage extension of " + subject(cert) + " is not critical");
    }
  }

  private static boolean bit(boolean[] usage, int bit) {
    return usage != null && usage.length > bit && usage[bit];
  }

  static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static String subject(X509Certificate cert) {
    return "\"" + cert.getSubjectX500Principal().getName() + "\"";
  }
}
