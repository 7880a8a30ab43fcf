package dev.promgate.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reading and writing the PEM files of a certificate folder; every failure names the file. */
final class Pem {

  static final String RSA_OID = "1.2.840.113549.1.1.1";
  static final String EC_OID = "1.2.840.10045.2.1";
  static final String ED25519_OID = "1.3.101.112";
  static final String ED448_OID = "1.3.101.113";

  private static final Base64.Encoder BASE64_LINES =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private Pem() {}

  /** {@code -----BEGIN type-----}, the DER in base64 lines of 64, {@code -----END type-----}. */
  static byte[] encode(String type, byte[] der) {
    String text = "-----BEGIN " + type + "-----\n" + BASE64_LINES.encodeToString(der)
        + "\n-----END " + type + "-----\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** The certificates of a PEM file, in file order (leaf first, as TLS sends them). */
  static List<X509Certificate> certificates(Path file, byte[] content) {
    List<Object> objects = parse(file, content, "CERTIFICATE");
    List<X509Certificate> certificates = new ArrayList<>();
    boolean sawPrivateKey = false;
    for (Object object : objects) {
      if (object instanceof X509CertificateHolder holder) {
        certificates.add(toX509(file, holder, certificates.size() + 1));
      } else if (isPrivateKey(object)) {
        sawPrivateKey = true;
      }
    }
    if (certificates.isEmpty()) {
      throw new CertificateFilesException(file + " holds no certificate"
          + (sawPrivateKey ? " but a private key (are tls.crt and tls.key swapped?)"
              : " (expected a -----BEGIN CERTIFICATE----- block)"));
    }
    if (sawPrivateKey) {
      // A certificate file is something one shares; a key inside it is shared along with it.
      throw new CertificateFilesException(file + " holds a private key next to its certificates; only "
          + "certificates belong in it (put the key in its own file, tls.key)");
    }
    return certificates;
  }

  /** The one private key of a PEM file: PKCS#8, or OpenSSL's "EC PRIVATE KEY" / "RSA PRIVATE KEY". */
  static PrivateKey privateKey(Path file, byte[] content) {
    List<Object> objects = parse(file, content, "PRIVATE KEY");
    List<PrivateKeyInfo> keys = new ArrayList<>();
    boolean sawCertificate = false;
    boolean sawPublicKey = false;
    for (Object object : objects) {
      if (object instanceof PrivateKeyInfo info) {
        keys.add(info);
      } else if (object instanceof PEMKeyPair pair) {
        keys.add(pair.getPrivateKeyInfo());
      } else if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
        throw new CertificateFilesException(file + " holds an encrypted private key; promgate needs it"
            + " unencrypted (for example: openssl pkey -in encrypted.key -out " + file.getFileName() + ")");
      } else if (object instanceof X509CertificateHolder) {
        sawCertificate = true;
      } else if (object instanceof SubjectPublicKeyInfo) {
        sawPublicKey = true;
      }
      // Anything else (such as the EC PARAMETERS block `openssl ecparam -genkey` writes) is not a key.
    }
    if (keys.isEmpty()) {
      throw new CertificateFilesException(file + " holds no private key"
          + (sawCertificate ? " but a certificate (are tls.crt and tls.key swapped?)"
              : sawPublicKey ? " but a public key"
              : " (expected a -----BEGIN PRIVATE KEY----- block)"));
    }
    if (keys.size() > 1) {
      throw new CertificateFilesException(file + " holds " + keys.size()
          + " private keys; it must hold exactly one");
    }
    return toPrivateKey(file, keys.get(0));
  }

  private static List<Object> parse(Path file, byte[] content, String expected) {
    if (content.length == 0) {
      throw new CertificateFilesException(file + " is empty");
    }
    String text = new String(content, StandardCharsets.ISO_8859_1);
    if (!text.contains("-----BEGIN ")) {
      throw new CertificateFilesException(file + " is not PEM: it has no -----BEGIN " + expected
          + "----- line" + ((content[0] & 0xff) == 0x30
              ? " (it looks like binary DER; convert it with openssl x509/pkey -outform pem)" : ""));
    }
    List<Object> objects = new ArrayList<>();
    try (Reader reader = new InputStreamReader(new ByteArrayInputStream(content), StandardCharsets.US_ASCII);
         PEMParser parser = new PEMParser(reader)) {
      Object object;
      while ((object = parser.readObject()) != null) {
        objects.add(object);
      }
    } catch (IOException | RuntimeException e) {
      throw new CertificateFilesException(file + " is not valid PEM: " + describe(e), e);
    }
    if (objects.isEmpty()) {
      throw new CertificateFilesException(file + " is not valid PEM: no complete -----BEGIN/-----END block");
    }
    return objects;
  }

  private static X509Certificate toX509(Path file, X509CertificateHolder holder, int position) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
    } catch (CertificateException | IOException e) {
      throw new CertificateFilesException(file + ": certificate " + position + " cannot be read: " + describe(e), e);
    }
  }

  private static PrivateKey toPrivateKey(Path file, PrivateKeyInfo info) {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm = switch (oid.getId()) {
      case RSA_OID -> "RSA";
      case EC_OID -> "EC";
      case ED25519_OID -> "Ed25519";
      case ED448_OID -> "Ed448";
      default -> throw new CertificateFilesException(file + " holds a private key of type " + oid.getId()
          + "; supported are RSA, EC (P-256, P-384, P-521) and Ed25519");
    };
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException | IOException e) {
      throw new CertificateFilesException(file + ": the " + algorithm + " private key cannot be read: "
          + describe(e), e);
    }
  }

  private static boolean isPrivateKey(Object object) {
    return object instanceof PrivateKeyInfo || object instanceof PEMKeyPair
        || object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair;
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
