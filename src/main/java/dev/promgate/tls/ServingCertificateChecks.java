package dev.promgate.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The checks a serving certificate passes before promgate serves it: what the Kubernetes API
 * server's Go TLS client would refuse later, refused now with the file and the problem named.
 */
final class ServingCertificateChecks {

  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
  private static final Map<String, String> SUPPORTED_CURVES = Map.of(
      "1.2.840.10045.3.1.7", "P-256", "1.3.132.0.34", "P-384", "1.3.132.0.35", "P-521");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ServingCertificateChecks() {}

  /** Every certificate of the chain is within its validity period at {@code now}. */
  static void checkValidity(Path certificateFile, List<X509Certificate> chain, Instant now) {
    for (int i = 0; i < chain.size(); i++) {
      X509Certificate certificate = chain.get(i);
      String which = chain.size() == 1 ? "the certificate" : "certificate " + (i + 1) + " of " + chain.size();
      Instant notBefore = certificate.getNotBefore().toInstant();
      Instant notAfter = certificate.getNotAfter().toInstant();
      if (now.isAfter(notAfter)) {
        throw new CertificateFilesException(certificateFile + ": " + which + " (" + subject(certificate)
            + ") expired on " + notAfter);
      }
      if (now.isBefore(notBefore)) {
        throw new CertificateFilesException(certificateFile + ": " + which + " (" + subject(certificate)
            + ") is not valid until " + notBefore + " (is this machine's clock right?)");
      }
    }
  }

  static void subjectAlternativeNames(Path file, X509Certificate leaf, List<String> dns, List<String> ip) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new CertificateFilesException(file + ": the subject alternative names cannot be read: "
          + Pem.describe(e), e);
    }
    if (names == null) {
      return;
    }
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      if (type == 2) {
        dns.add((String) name.get(1));
      } else if (type == 7) {
        ip.add((String) name.get(1));
      }
    }
  }

  static void checkUsage(Path file, X509Certificate leaf) {
    List<String> extendedKeyUsage;
    try {
      extendedKeyUsage = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new CertificateFilesException(file + ": the extended key usage cannot be read: " + Pem.describe(e), e);
    }
    if (extendedKeyUsage != null && !extendedKeyUsage.contains(SERVER_AUTH)
        && !extendedKeyUsage.contains(ANY_EXTENDED_KEY_USAGE)) {
      throw new CertificateFilesException(file + ": the certificate (" + subject(leaf) + ") is not for TLS"
          + " servers: its extended key usage lacks serverAuth");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && !keyUsage[0]) {
      throw new CertificateFilesException(file + ": the certificate (" + subject(leaf) + ") does not allow"
          + " digitalSignature in its key usage, which TLS servers need");
    }
  }

  static void checkKey(Path certificateFile, Path keyFile, X509Certificate leaf, PrivateKey key) {
    PublicKey publicKey = leaf.getPublicKey();
    String keyType = keyType(key);
    String certificateKeyType = keyType(publicKey);
    if (!keyType.equals(certificateKeyType)) {
      throw new CertificateFilesException(keyFile + " does not match " + certificateFile + ": the key is "
          + article(keyType) + " key, the certificate (" + subject(leaf) + ") holds " + article(certificateKeyType)
          + " public key");
    }
    switch (keyType) {
      case "RSA" -> {
        int bits = ((RSAKey) publicKey).getModulus().bitLength();
        if (bits < 2048) {
          throw new CertificateFilesException(certificateFile + ": the RSA key has " + bits
              + " bits; use 2048 or more");
        }
      }
      case "EC" -> {
        ASN1Encodable parameters = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded())
            .getAlgorithm().getParameters();
        String curve = parameters instanceof ASN1ObjectIdentifier oid ? SUPPORTED_CURVES.get(oid.getId()) : null;
        if (curve == null) {
          throw new CertificateFilesException(certificateFile + ": the EC key is on curve " + parameters
              + "; Kubernetes' TLS client accepts P-256, P-384 and P-521");
        }
      }
      case "Ed25519" -> { }
      default -> throw new CertificateFilesException(certificateFile + ": " + keyType + " keys are not"
          + " accepted by Kubernetes' TLS client; use EC (P-256), RSA (2048+ bits) or Ed25519");
    }
    if (!signsFor(key, publicKey)) {
      throw new CertificateFilesException(keyFile + " does not match " + certificateFile + ": it is not the"
          + " private key of the certificate (" + subject(leaf) + ", serial "
          + leaf.getSerialNumber().toString(16) + ")");
    }
  }

  /** Whether a signature made with {@code key} verifies with {@code publicKey}. */
  private static boolean signsFor(PrivateKey key, PublicKey publicKey) {
    String algorithm = key instanceof RSAKey ? "SHA256withRSA"
        : key instanceof ECKey ? "SHA256withECDSA"
        : ((EdECKey) key).getParams().getName();
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String keyType(java.security.Key key) {
    if (key instanceof RSAKey) {
      return "RSA";
    }
    if (key instanceof ECKey) {
      return "EC";
    }
    if (key instanceof EdECKey edec) {
      return edec.getParams().getName();
    }
    return key.getAlgorithm();
  }

  private static String article(String keyType) {
    return (keyType.startsWith("E") || keyType.startsWith("R") ? "an " : "a ") + keyType;
  }

  static String subject(X509Certificate certificate) {
    String name = certificate.getSubjectX500Principal().getName();
    return name.isEmpty() ? "no subject" : name;
  }
}
