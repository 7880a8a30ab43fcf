package dev.promgate.promotion;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Keys for promotion tests, written in the file formats {@code promote --key} reads. */
final class TestKeys {

  private TestKeys() {}

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ed25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code -----BEGIN PRIVATE KEY-----}: PKCS#8, as {@code openssl genpkey} writes it. */
  static String pkcs8(KeyPair pair) {
    return pem("PRIVATE KEY", pair.getPrivate().getEncoded());
  }

  /** {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY}: OpenSSL's traditional format. */
  static String traditional(KeyPair pair) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(pair);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** {@code EC PRIVATE KEY} as {@code openssl ecparam -genkey} writes it: SEC 1 with the named curve and public key. */
  static String secEcPrivateKey(KeyPair pair) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
      java.math.BigInteger d = ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS();
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
      org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d,
          spki.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
      return pem("EC PRIVATE KEY", sec1.getEncoded());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A P-256 key in PKCS#8 with the curve given as explicit parameters instead of its name. */
  static byte[] explicitCurvePkcs8(KeyPair pair) {
    try {
      java.math.BigInteger d = ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS();
      return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
          new X962Parameters(ECNamedCurveTable.getByName("P-256"))),
          new org.bouncycastle.asn1.sec.ECPrivateKey(256, d, null)).getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A PKCS#8 key on secp256k1, a curve cosign and promgate do not sign with. */
  static byte[] secp256k1Pkcs8() {
    try {
      return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256k1),
          new org.bouncycastle.asn1.sec.ECPrivateKey(256, java.math.BigInteger.valueOf(12345), null)).getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** cosign's {@code ENCRYPTED SIGSTORE PRIVATE KEY}, encrypted here with promgate's own encryptor. */
  static String cosignEncrypted(KeyPair pair, String password) {
    return pem(CosignEncryptedKey.SIGSTORE_PEM_TYPE,
        CosignEncryptedKey.encrypt(pair.getPrivate().getEncoded(), password.toCharArray()));
  }

  /** The public key as a policy's {@code publicKeyFile} holds it. */
  static String publicPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
