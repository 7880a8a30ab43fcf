package dev.promgate.verification;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * ECDSA as cosign and the Sigstore clients sign: DER or raw r||s, the curve's hash or SHA-256,
 * signed here with the JDK's own provider and checked by promgate's verification — and nothing
 * looser: another key, another message, a non-canonical encoding never verify.
 */
class SignaturesTest {

  static final byte[] MESSAGE = "{\"critical\":{\"image\":{\"docker-manifest-digest\":\"sha256:ab\"}}}"
      .getBytes(StandardCharsets.UTF_8);

  static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }

  static byte[] sign(KeyPair key, String algorithm, byte[] message) throws Exception {
    Signature s = Signature.getInstance(algorithm);
    s.initSign(key.getPrivate());
    s.update(message);
    return s.sign();
  }

  @Test
  void p256InDerAndInRawForm() throws Exception {
    KeyPair key = ec("secp256r1");
    assertTrue(Signatures.verify(key.getPublic(), MESSAGE, sign(key, "SHA256withECDSA", MESSAGE)));
    assertTrue(Signatures.verify(key.getPublic(), MESSAGE, sign(key, "SHA256withECDSAinP1363Format", MESSAGE)));
  }

  @Test
  void p384WithItsOwnHashOrWithSha256AsOldCosignSigned() throws Exception {
    KeyPair key = ec("secp384r1");
    assertTrue(Signatures.verify(key.getPublic(), MESSAGE, sign(key, "SHA384withECDSA", MESSAGE)));
    assertTrue(Signatures.verify(key.getPublic(), MESSAGE, sign(key, "SHA256withECDSA", MESSAGE)));
    assertFalse(Signatures.verify(key.getPublic(), MESSAGE, sign(key, "SHA1withECDSA", MESSAGE)));
  }

  @Test
  void aPreHashedMessageAsSigstoreBundlesSignArtifacts() throws Exception {
    KeyPair key = ec("secp256r1");
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(MESSAGE);
    byte[] signature = sign(key, "SHA256withECDSA", MESSAGE);
    assertTrue(Signatures.verifyDigest(key.getPublic(), digest, signature));
    digest[0] ^= 1;
    assertFalse(Signatures.verifyDigest(key.getPublic(), digest, signature));
  }

  @Test
  void anotherKeyAnotherMessageOrAChangedSignatureNeverVerify() throws Exception {
    KeyPair key = ec("secp256r1");
    byte[] signature = sign(key, "SHA256withECDSA", MESSAGE);
    assertFalse(Signatures.verify(ec("secp256r1").getPublic(), MESSAGE, signature));
    byte[] other = MESSAGE.clone();
    other[3] ^= 1;
    assertFalse(Signatures.verify(key.getPublic(), other, signature));
    byte[] flipped = signature.clone();
    flipped[flipped.length - 1] ^= 1;
    assertFalse(Signatures.verify(key.getPublic(), MESSAGE, flipped));
    assertFalse(Signatures.verify(key.getPublic(), MESSAGE, new byte[0]));
  }

  @Test
  void derMustBeCanonical() throws Exception {
    KeyPair key = ec("secp256r1");
    byte[] signature = sign(key, "SHA256withECDSA", MESSAGE);
    byte[] trailing = Arrays.copyOf(signature, signature.length + 1);
    assertFalse(Signatures.verify(key.getPublic(), MESSAGE, trailing), "trailing data");
    // The same SEQUENCE with a long-form length: valid BER, not DER.
    byte[] longForm = new byte[signature.length + 1];
    longForm[0] = 0x30;
    longForm[1] = (byte) 0x81;
    longForm[2] = signature[1];
    System.arraycopy(signature, 2, longForm, 3, signature.length - 2);
    assertFalse(Signatures.verify(key.getPublic(), MESSAGE, longForm), "long-form length");
  }

  @Test
  void theKeysWhosePrecomputationIsKeptAreBounded() throws Exception {
    for (int i = 0; i < Signatures.MAX_KEPT_EC_KEYS + 20; i++) {
      KeyPair key = ec("secp256r1");
      assertTrue(Signatures.verify(key.getPublic(), MESSAGE, sign(key, "SHA256withECDSA", MESSAGE)));
      assertTrue(Signatures.keptEcKeys() <= Signatures.MAX_KEPT_EC_KEYS, "kept " + Signatures.keptEcKeys());
    }
  }
}
