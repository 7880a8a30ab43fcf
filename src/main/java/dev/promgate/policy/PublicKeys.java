package dev.promgate.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads public keys the way cosign writes them: a PEM {@code PUBLIC KEY} block (SubjectPublicKeyInfo)
 * holding an ECDSA (P-256, P-384, P-521), RSA (2048 bits or more) or Ed25519 key. A PEM
 * {@code CERTIFICATE} is accepted too; its key is used. PEM is read by BouncyCastle's reader.
 */
public final class PublicKeys {

  private static final List<String> ALGORITHMS = List.of("EC", "RSA", "Ed25519");

  private PublicKeys() {}

  /**
   * Parses the first PEM block of {@code pem}.
   *
   * @throws IllegalArgumentException saying what is wrong, e.g. a private key where a public key belongs
   */
  public static PublicKey parsePem(String pem) {
    PemObject block;
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      block = reader.readPemObject();
    } catch (IOException | RuntimeException e) {
      // BouncyCastle says what is wrong: no END line, base64 that does not decode, …
      throw new IllegalArgumentException("not a valid PEM block: " + e.getMessage());
    }
    if (block == null) {
      throw new IllegalArgumentException("no PEM block found (expected -----BEGIN PUBLIC KEY-----)");
    }
    String type = block.getType();
    byte[] der = block.getContent();
    return switch (type) {
      case "PUBLIC KEY" -> checked(parseDer(der));
      case "CERTIFICATE" -> checked(certificateKey(der));
      case "RSA PUBLIC KEY" -> throw new IllegalArgumentException(
          "PKCS#1 \"RSA PUBLIC KEY\" is not supported; convert it with: openssl rsa -RSAPublicKey_in -pubout");
      default -> {
        if (type.contains("PRIVATE")) {
          throw new IllegalArgumentException("this is a private key (" + type
              + "); policies take the public key (cosign public-key --key …)");
        }
        throw new IllegalArgumentException("unsupported PEM block \"" + type + "\"; expected PUBLIC KEY");
      }
    };
  }

  /** Parses a DER SubjectPublicKeyInfo of any supported algorithm. */
  public static PublicKey parseDer(byte[] der) {
    for (String algorithm : ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm: KeyFactory only tells "not mine" by throwing
      }
    }
    throw new IllegalArgumentException("not an ECDSA, RSA or Ed25519 public key");
  }

  /** sha256 over the key's DER encoding, lowercase hex: a stable name for a key. */
  public static String fingerprint(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A short description for messages: {@code ECDSA P-256}, {@code RSA 4096}, {@code Ed25519}. */
  public static String describe(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      return "ECDSA P-" + ec.getParams().getCurve().getField().getFieldSize();
    }
    if (key instanceof RSAPublicKey rsa) {
      return "RSA " + rsa.getModulus().bitLength();
    }
    return key.getAlgorithm();
  }

  private static PublicKey checked(PublicKey key) {
    if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
      throw new IllegalArgumentException("RSA key has " + rsa.getModulus().bitLength()
          + " bits; at least 2048 are required");
    }
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits != 256 && bits != 384 && bits != 521) {
        throw new IllegalArgumentException("unsupported elliptic curve of " + bits + " bits");
      }
    }
    return key;
  }

  private static PublicKey certificateKey(byte[] der) {
    try {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      return cert.getPublicKey();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("CERTIFICATE block is not a valid X.509 certificate");
    }
  }

}
