package dev.promgate.verification;

import dev.sigstore.encryption.signers.Verifiers;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.DSAEncoding;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;
import org.bouncycastle.jcajce.provider.asymmetric.util.ECUtil;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Signature checks with the algorithms cosign and the Sigstore clients use for each key type.
 *
 * <ul>
 *   <li>ECDSA: the hash that goes with the curve (P-256 SHA-256, P-384 SHA-384, P-521 SHA-512);
 *       cosign up to v2 hashed with SHA-256 whatever the curve, so that is accepted too. ASN.1 DER
 *       signatures as cosign writes them; raw r||s (IEEE P1363) as a fallback.</li>
 *   <li>RSA: PKCS#1 v1.5 with SHA-256, or PSS with SHA-256/MGF1-SHA-256 and a salt as long as the
 *       hash or as long as possible (the two lengths Go's signers produce).</li>
 *   <li>Ed25519: pure Ed25519 over the message.</li>
 * </ul>
 * Every failure, including a malformed signature, is just "does not verify".
 *
 * <p>ECDSA goes through BouncyCastle's lightweight API with each key's parameters kept
 * ({@link #ecdsaKey}): the multiples of the key and of the curve's generator that verification
 * precomputes are then computed once per key, not once per signature. On the JDK 17 this runs on
 * that verifies ECDSA P-256 about three times faster than BouncyCastle's JCA provider, which is
 * itself about five times faster than SunEC — and a cold verification checks several signatures
 * with the same few policy keys. Ed25519 goes through BouncyCastle's provider (not registered
 * globally).
 */
final class Signatures {

  private static final int SHA256_LENGTH = 32;
  private static final Provider FAST = new BouncyCastleProvider();
  /** Keys whose parameters are kept; past this many (keyless certificates bring new ones), they start over. */
  static final int MAX_KEPT_EC_KEYS = 256;
  private static final Map<PublicKey, ECPublicKeyParameters> EC_KEYS = new ConcurrentHashMap<>();

  private Signatures() {}

  /** Whether {@code signature} is {@code key}'s signature over {@code message}. */
  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      for (String hash : ecdsaHashes(bits)) {
        if (ecdsa(ec, hash(hash, message), signature)) {
          return true;
        }
      }
      return false;
    }
    if (key instanceof RSAPublicKey rsa) {
      if (jca("SHA256withRSA", null, key, message, signature, null)) {
        return true;
      }
      int emLength = (rsa.getModulus().bitLength() - 1 + 7) / 8;
      for (int salt : List.of(SHA256_LENGTH, emLength - SHA256_LENGTH - 2)) {
        PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, salt, 1);
        if (salt >= 0 && jca("RSASSA-PSS", pss, key, message, signature, null)) {
          return true;
        }
      }
      return false;
    }
    if (key instanceof EdECPublicKey) {
      return jca("Ed25519", null, key, message, signature, FAST);
    }
    return false;
  }

  /**
   * Whether {@code signature} is {@code key}'s signature over a message whose SHA-256 is
   * {@code sha256}: how a Sigstore message-signature bundle signs an artifact. Ed25519 cannot sign
   * a pre-hashed message, so it never verifies here.
   */
  static boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) {
    if (key instanceof EdECPublicKey) {
      return false;
    }
    if (key instanceof ECPublicKey ec) {
      return ecdsa(ec, sha256, signature);
    }
    try {
      return Verifiers.newVerifier(key).verifyDigest(sha256, signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> ecdsaHashes(int bits) {
    if (bits > 384) {
      return List.of("SHA-512", "SHA-256");
    }
    if (bits > 256) {
      return List.of("SHA-384", "SHA-256");
    }
    return List.of("SHA-256");
  }

  private static byte[] hash(String algorithm, byte[] message) {
    try {
      return MessageDigest.getInstance(algorithm).digest(message);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from the JDK", e);
    }
  }

  /**
   * ECDSA over a message hash: the signature in ASN.1 DER as cosign writes it (strictly encoded, as
   * BouncyCastle's provider requires), or raw r||s (IEEE P1363) when it is exactly that long.
   */
  private static boolean ecdsa(ECPublicKey key, byte[] hash, byte[] signature) {
    ECPublicKeyParameters parameters;
    try {
      parameters = ecdsaKey(key);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
    BigInteger order = parameters.getParameters().getN();
    int length = (order.bitLength() + 7) / 8;
    return ecdsa(parameters, StandardDSAEncoding.INSTANCE, order, hash, signature)
        || signature.length == 2 * length && ecdsa(parameters, PlainDSAEncoding.INSTANCE, order, hash, signature);
  }

  private static boolean ecdsa(ECPublicKeyParameters key, DSAEncoding encoding, BigInteger order, byte[] hash,
                               byte[] signature) {
    try {
      BigInteger[] rs = encoding.decode(order, signature);
      ECDSASigner verifier = new ECDSASigner();
      verifier.init(false, key);
      return verifier.verifySignature(hash, rs[0], rs[1]);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The key in BouncyCastle's form, kept so that what verification precomputes for it is reused. */
  static ECPublicKeyParameters ecdsaKey(ECPublicKey key) throws InvalidKeyException {
    ECPublicKeyParameters kept = EC_KEYS.get(key);
    if (kept != null) {
      return kept;
    }
    ECPublicKeyParameters parameters = (ECPublicKeyParameters) ECUtil.generatePublicKeyParameter(key);
    if (EC_KEYS.size() >= MAX_KEPT_EC_KEYS) {
      EC_KEYS.clear();
    }
    EC_KEYS.putIfAbsent(key, parameters);
    return parameters;
  }

  /** How many keys' parameters are kept; for tests. */
  static int keptEcKeys() {
    return EC_KEYS.size();
  }

  /**
   * @param provider the provider to try first, or null for the JDK's choice; a key it cannot take
   *                 is verified by the JDK's provider instead
   */
  private static boolean jca(String algorithm, AlgorithmParameterSpec parameters, PublicKey key,
                             byte[] message, byte[] signature, Provider provider) {
    Signature verifier;
    try {
      verifier = provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
      if (parameters != null) {
        verifier.setParameter(parameters);
      }
      verifier.initVerify(key);
    } catch (GeneralSecurityException | RuntimeException e) {
      return provider != null && jca(algorithm, parameters, key, message, signature, null);
    }
    try {
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
