package dev.promgate.promotion;

import dev.promgate.policy.PublicKeys;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * A private key that signs promotions the way cosign signs attestations with {@code --key}.
 *
 * <p><b>Files read</b> (the first PEM block counts):
 * <ul>
 *   <li>{@code ENCRYPTED SIGSTORE PRIVATE KEY} and {@code ENCRYPTED COSIGN PRIVATE KEY}: what
 *       {@code cosign generate-key-pair} and {@code cosign import-key-pair} write, decrypted with the
 *       password (see {@link CosignEncryptedKey});</li>
 *   <li>{@code PRIVATE KEY} (PKCS#8), {@code EC PRIVATE KEY} (SEC 1) and {@code RSA PRIVATE KEY}
 *       (PKCS#1), unencrypted, as openssl writes them.</li>
 * </ul>
 *
 * <p><b>Signatures</b>, as cosign makes them: ECDSA P-256, P-384 and P-521 with SHA-256, SHA-384
 * and SHA-512 (ASN.1 DER), RSA (at least 2048 bits) PKCS#1 v1.5 with SHA-256, and pure Ed25519.
 * promgate's verification accepts each of them.
 */
public final class SigningKey {

  /** A key file that cannot be used; the message says why and what to do. */
  public static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;

    public Unusable(String message) {
      super(message, null, false, false);
    }
  }

  /** Supplies the password of an encrypted key; asked only when the key is encrypted. */
  @FunctionalInterface
  public interface Password {
    char[] get() throws Unusable;
  }

  private static final Map<String, String> CURVES = Map.of(
      SECObjectIdentifiers.secp256r1.getId(), "P-256",
      SECObjectIdentifiers.secp384r1.getId(), "P-384",
      SECObjectIdentifiers.secp521r1.getId(), "P-521");
  private static final Map<String, String> ECDSA_HASHES = Map.of(
      "P-256", "SHA256withECDSA", "P-384", "SHA384withECDSA", "P-521", "SHA512withECDSA");

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String algorithm;
  private final String description;

  private SigningKey(PrivateKey privateKey, PublicKey publicKey, String algorithm, String description) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.algorithm = algorithm;
    this.description = description;
  }

  /** Reads a key file; {@code password} is asked only for cosign's encrypted keys. */
  public static SigningKey read(Path file, Password password) throws Unusable {
    String text;
    try {
      if (Files.size(file) > 1 << 20) {
        throw new Unusable("key file " + file + " is larger than 1 MiB; it is not a private key");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.MalformedInputException e) {
      throw new Unusable("key file " + file + " is not a PEM file");
    } catch (IOException e) {
      throw new Unusable("cannot read key file " + file + ": " + e.getMessage());
    }
    return fromPem(text, file.toString(), password);
  }

  /**
   * Reads a PEM key.
   *
   * @param name how messages name it, e.g. the file name
   */
  public static SigningKey fromPem(String pem, String name, Password password) throws Unusable {
    PemObject first;
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      first = reader.readPemObject();
    } catch (IOException | RuntimeException e) {
      throw new Unusable(name + " is not a valid PEM file: " + e.getMessage());
    }
    if (first == null) {
      throw new Unusable(name + " holds no PEM block; expected a cosign key (cosign generate-key-pair) or "
          + "a PKCS#8 \"PRIVATE KEY\"");
    }
    String type = first.getType();
    PrivateKeyInfo info;
    switch (type) {
      case CosignEncryptedKey.SIGSTORE_PEM_TYPE, CosignEncryptedKey.COSIGN_PEM_TYPE -> {
        char[] secret = password.get();
        byte[] der;
        try {
          der = CosignEncryptedKey.decrypt(first.getContent(), secret);
        } catch (CosignEncryptedKey.Undecryptable e) {
          throw new Unusable(name + ": " + e.getMessage());
        } finally {
          Arrays.fill(secret, '\0');
        }
        info = privateKeyInfo(der, name + " (decrypted)");
        Arrays.fill(der, (byte) 0);
      }
      case "PRIVATE KEY" -> info = privateKeyInfo(first.getContent(), name);
      case "EC PRIVATE KEY", "RSA PRIVATE KEY" -> info = legacy(pem, name);
      case "ENCRYPTED PRIVATE KEY" -> throw new Unusable(name + " is a password-protected PKCS#8 key, which "
          + "cosign does not read either; convert it with: cosign import-key-pair --key " + name);
      case "PUBLIC KEY" -> throw new Unusable(name + " is a public key; promote signs with the private key "
          + "(cosign.key), and the policy holds the public key");
      default -> throw new Unusable(name + " holds a \"" + type + "\" PEM block; expected "
          + CosignEncryptedKey.SIGSTORE_PEM_TYPE + " (cosign generate-key-pair), PRIVATE KEY, EC PRIVATE KEY "
          + "or RSA PRIVATE KEY");
    }
    return fromPrivateKeyInfo(info, name);
  }

  /** The public half, as a policy's {@code publicKeyFile} holds it. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** sha256 of the public key's DER encoding, hex: how policies and evidence name keys. */
  public String fingerprint() {
    return PublicKeys.fingerprint(publicKey);
  }

  /** For messages: {@code ECDSA P-256 key keys/release.key}. */
  public String description() {
    return description;
  }

  /** The JCA signature algorithm: {@code SHA256withECDSA}, {@code SHA256withRSA}, {@code Ed25519}. */
  public String algorithm() {
    return algorithm;
  }

  /** Signs {@code message} as cosign would with this key. */
  public byte[] sign(byte[] message) {
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with " + description + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return description + " (sha256:" + fingerprint() + ")";
  }

  // ---------------------------------------------------------------------------------------------

  private static PrivateKeyInfo privateKeyInfo(byte[] der, String name) throws Unusable {
    try {
      return PrivateKeyInfo.getInstance(der);
    } catch (RuntimeException e) {
      throw new Unusable(name + " is not a PKCS#8 private key");
    }
  }

  /** SEC 1 and PKCS#1 blocks, through BouncyCastle's PEM parser, which turns them into PKCS#8. */
  private static PrivateKeyInfo legacy(String pem, String name) throws Unusable {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object parsed = parser.readObject();
      if (parsed instanceof PEMEncryptedKeyPair) {
        throw new Unusable(name + " is encrypted with an OpenSSL password, which promgate does not read; "
            + "convert it with: cosign import-key-pair --key " + name);
      }
      if (parsed instanceof PEMKeyPair pair) {
        return pair.getPrivateKeyInfo();
      }
      throw new Unusable(name + " is not a private key");
    } catch (IOException | RuntimeException e) {
      throw new Unusable(name + " is not a valid private key: " + e.getMessage());
    }
  }

  private static SigningKey fromPrivateKeyInfo(PrivateKeyInfo info, String name) throws Unusable {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    try {
      byte[] pkcs8 = info.getEncoded();
      if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
        return ecdsa(info, name);
      }
      if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
        return rsa(pkcs8, name);
      }
      if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
        return ed25519(info, pkcs8, name);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new Unusable(name + " is not a valid private key: " + e.getMessage());
    }
    throw new Unusable(name + " is a private key of algorithm " + oid.getId()
        + "; promotions are signed with ECDSA (P-256, P-384, P-521), RSA or Ed25519 keys");
  }

  private static SigningKey ecdsa(PrivateKeyInfo info, String name)
      throws IOException, GeneralSecurityException, Unusable {
    ASN1ObjectIdentifier curveOid = namedCurve(info.getPrivateKeyAlgorithm().getParameters());
    String curve = curveOid == null ? null : CURVES.get(curveOid.getId());
    if (curveOid == null) {
      throw new Unusable(name + " is an ECDSA key whose curve is not named, or not P-256, P-384 or P-521");
    }
    if (curve == null) {
      throw new Unusable(name + " is an ECDSA key on curve " + curveOid.getId()
          + "; cosign and promgate use P-256, P-384 or P-521");
    }
    BigInteger d = ECPrivateKey.getInstance(info.parsePrivateKey()).getKey();
    X9ECParameters parameters = ECNamedCurveTable.getByOID(curveOid);
    // Re-encoded with the named curve, whatever form the file used.
    byte[] named = new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curveOid),
        new ECPrivateKey(parameters.getN().bitLength(), d, null)).getEncoded();
    byte[] point = parameters.getG().multiply(d).normalize().getEncoded(false);
    SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curveOid), new DERBitString(point));
    KeyFactory factory = KeyFactory.getInstance("EC");
    return new SigningKey(factory.generatePrivate(new PKCS8EncodedKeySpec(named)),
        factory.generatePublic(new X509EncodedKeySpec(spki.getEncoded())),
        ECDSA_HASHES.get(curve), "ECDSA " + curve + " key " + name);
  }

  /**
   * The curve's OID: named, or, for keys some Java tools write with explicit parameters, the named
   * curve (P-256, P-384, P-521) those parameters are; null otherwise.
   */
  private static ASN1ObjectIdentifier namedCurve(ASN1Encodable parameters) {
    if (parameters instanceof ASN1ObjectIdentifier oid) {
      return oid;
    }
    X9ECParameters explicit;
    try {
      explicit = X9ECParameters.getInstance(parameters);
    } catch (RuntimeException e) {
      return null;
    }
    if (explicit == null) {
      return null;
    }
    for (String id : CURVES.keySet()) {
      X9ECParameters named = ECNamedCurveTable.getByOID(new ASN1ObjectIdentifier(id));
      if (named.getCurve().equals(explicit.getCurve()) && named.getG().equals(explicit.getG())) {
        return new ASN1ObjectIdentifier(id);
      }
    }
    return null;
  }

  private static SigningKey rsa(byte[] pkcs8, String name) throws GeneralSecurityException, Unusable {
    KeyFactory factory = KeyFactory.getInstance("RSA");
    PrivateKey key = factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    if (!(key instanceof RSAPrivateCrtKey crt)) {
      throw new Unusable(name + " is an RSA key without its public exponent");
    }
    int bits = crt.getModulus().bitLength();
    if (bits < 2048) {
      throw new Unusable(name + " is an RSA key of " + bits + " bits; at least 2048 are required");
    }
    PublicKey publicKey = factory.generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
    return new SigningKey(key, publicKey, "SHA256withRSA", "RSA " + bits + " key " + name);
  }

  private static SigningKey ed25519(PrivateKeyInfo info, byte[] pkcs8, String name)
      throws IOException, GeneralSecurityException {
    byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
    byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
    Arrays.fill(seed, (byte) 0);
    SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), raw);
    KeyFactory factory = KeyFactory.getInstance("Ed25519");
    return new SigningKey(factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
        factory.generatePublic(new X509EncodedKeySpec(spki.getEncoded())), "Ed25519", "Ed25519 key " + name);
  }
}
