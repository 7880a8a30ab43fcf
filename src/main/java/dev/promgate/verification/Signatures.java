package dev.promgate.verification;

import dev.sigstore.encryption.signers.Verifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import java.security.GeneralSecurityException;
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
 * <p>ECDSA and Ed25519 go through BouncyCastle's provider (not registered globally): on the JDK 17
 * this runs on, it verifies ECDSA P-256 about three times faster than SunEC, and a cold
 * verification checks several signatures.
 */
final class Signatures {

  private static final int SHA256_LENGTH = 32;
  private static final Provider FAST = new BouncyCastleProvider();

  private Signatures() {}

  /** Whether {@code signature} is {@code key}'s signature over {@code message}. */
  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      boolean raw = signature.length == 2 * ((bits + 7) / 8);
      for (String hash : ecdsaHashes(bits)) {
        if (jca(hash + "withECDSA", null, key, message, signature, FAST)
            || raw && jca(hash + "withECDSAinP1363Format", null, key, message, signature, null)) {
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
    try {
      return Verifiers.newVerifier(key).verifyDigest(sha256, signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static List<String> ecdsaHashes(int bits) {
    if (bits > 384) {
      return List.of("SHA512", "SHA256");
    }
    if (bits > 256) {
      return List.of("SHA384", "SHA256");
    }
    return List.of("SHA256");
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
