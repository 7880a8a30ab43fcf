package dev.promgate.promotion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.json.Mappers;
import dev.promgate.verification.DsseEncoding;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SigningKeyTest {

  static final byte[] MESSAGE = DsseEncoding.pae(DsseEncoding.IN_TOTO_PAYLOAD_TYPE, "{\"_type\":\"x\"}".getBytes(StandardCharsets.UTF_8));

  static final SigningKey.Password NEVER_ASKED = () -> {
    throw new AssertionError("the password must not be asked for an unencrypted key");
  };

  static SigningKey.Password password(String p) {
    return p::toCharArray;
  }

  /** Verifies as promgate's verification does for the key type. */
  static boolean verifies(PublicKey key, String algorithm, byte[] message, byte[] signature) throws Exception {
    Signature v = Signature.getInstance(algorithm);
    v.initVerify(key);
    v.update(message);
    return v.verify(signature);
  }

  // ---- the cipher, against go-securesystemslib's vectors --------------------------------------

  @Test
  void decryptsGoSecuresystemslibVectorsForEveryScryptParameterSet() throws Exception {
    // The three parameter-set vectors were made with Marshal, which encrypts the JSON encoding of the
    // bytes (a base64 string); TestDecrypt's vector holds the bytes themselves.
    String marshalled = "\"" + Base64.getEncoder().encodeToString(
        CosignKeyVectors.SECURESYSTEMSLIB_PLAINTEXT.getBytes(StandardCharsets.UTF_8)) + "\"";
    String[] expected = {marshalled, marshalled, marshalled, CosignKeyVectors.SECURESYSTEMSLIB_PLAINTEXT};
    for (int i = 0; i < expected.length; i++) {
      String vector = CosignKeyVectors.SECURESYSTEMSLIB_VECTORS[i];
      byte[] plain = CosignEncryptedKey.decrypt(vector.getBytes(StandardCharsets.UTF_8),
          CosignKeyVectors.SECURESYSTEMSLIB_PASSWORD.toCharArray());
      assertEquals(expected[i], new String(plain, StandardCharsets.UTF_8), vector);
    }
  }

  @Test
  void refusesScryptParametersCosignNeverWrites() {
    var e = assertThrows(CosignEncryptedKey.Undecryptable.class, () -> CosignEncryptedKey.decrypt(
        CosignKeyVectors.SECURESYSTEMSLIB_UNSUPPORTED.getBytes(StandardCharsets.UTF_8), "supersecret".toCharArray()));
    assertTrue(e.getMessage().contains("unsupported scrypt parameters N=99, r=99, p=99"), e.getMessage());
  }

  @Test
  void aTamperedCiphertextIsRefusedLikeAWrongPassword() {
    String vector = CosignKeyVectors.SECURESYSTEMSLIB_VECTORS[3].replace("SEW6", "SEW7");
    var e = assertThrows(CosignEncryptedKey.Undecryptable.class, () -> CosignEncryptedKey.decrypt(
        vector.getBytes(StandardCharsets.UTF_8), "supersecret".toCharArray()));
    assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
  }

  @Test
  void sealThenOpenRoundTripsAndOpenChecksTheTag() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[24];
    key[0] = 7;
    byte[] box = CosignEncryptedKey.seal("hello".getBytes(StandardCharsets.UTF_8), nonce, key);
    assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), CosignEncryptedKey.open(box, nonce, key));
    box[box.length - 1] ^= 1;
    assertEquals(null, CosignEncryptedKey.open(box, nonce, key));
  }

  // ---- real cosign keys --------------------------------------------------------------------

  @Test
  void readsAKeyCosignGeneratedWithAnEmptyPassword() throws Exception {
    SigningKey key = SigningKey.fromPem(CosignKeyVectors.COSIGN_GENERATED_EMPTY_PASSWORD, "cosign.key", password(""));
    assertEquals("SHA256withECDSA", key.algorithm());
    assertTrue(key.description().startsWith("ECDSA P-256 key cosign.key"), key.description());
    assertEquals("0d8cd6794def5c5e3b42f37bf6ee29bb252ce269771cf3c0785d92fca7be586f", key.fingerprint());
    assertTrue(verifies(key.publicKey(), "SHA256withECDSA", MESSAGE, key.sign(MESSAGE)));
  }

  @Test
  void readsAnOlderCosignFormatKeyWithItsPassword() throws Exception {
    SigningKey key = SigningKey.fromPem(CosignKeyVectors.SIGSTORE_RS_PASSWORD_123, "ecdsa.key", password("123"));
    assertEquals("00208863d9785226df9ad68ceb2ad5b43f1f5ddd686147f25116ee088726eb6d", key.fingerprint());
    assertTrue(verifies(key.publicKey(), "SHA256withECDSA", MESSAGE, key.sign(MESSAGE)));
  }

  @Test
  void aWrongPasswordSaysSo() {
    var e = assertThrows(SigningKey.Unusable.class,
        () -> SigningKey.fromPem(CosignKeyVectors.SIGSTORE_RS_PASSWORD_123, "ecdsa.key", password("124")));
    assertEquals("ecdsa.key: wrong password for the encrypted key (or the key file is damaged)", e.getMessage());
  }

  @Test
  void aMissingPasswordIsTheSuppliersMessage() {
    var e = assertThrows(SigningKey.Unusable.class, () -> SigningKey.fromPem(
        CosignKeyVectors.COSIGN_GENERATED_EMPTY_PASSWORD, "cosign.key", () -> {
          throw new SigningKey.Unusable("no password given");
        }));
    assertEquals("no password given", e.getMessage());
  }

  // ---- keys encrypted here, and plain keys ---------------------------------------------------

  @Test
  void everyKeyTypeEncryptedHereDecryptsAndSignsAsCosignWould() throws Exception {
    record Case(KeyPair pair, String algorithm, String description) {}
    for (Case c : new Case[] {
        new Case(TestKeys.ec("secp256r1"), "SHA256withECDSA", "ECDSA P-256"),
        new Case(TestKeys.ec("secp384r1"), "SHA384withECDSA", "ECDSA P-384"),
        new Case(TestKeys.rsa(2048), "SHA256withRSA", "RSA 2048"),
        new Case(TestKeys.ed25519(), "Ed25519", "Ed25519")}) {
      String pem = TestKeys.cosignEncrypted(c.pair(), "correct horse");
      assertTrue(pem.startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
      SigningKey key = SigningKey.fromPem(pem, "k", password("correct horse"));
      assertEquals(c.algorithm(), key.algorithm());
      assertTrue(key.description().startsWith(c.description()), key.description());
      assertEquals(c.pair().getPublic(), key.publicKey(), c.description());
      assertTrue(verifies(c.pair().getPublic(), c.algorithm(), MESSAGE, key.sign(MESSAGE)), c.description());
      assertThrows(SigningKey.Unusable.class, () -> SigningKey.fromPem(pem, "k", password("wrong")));
    }
  }

  @Test
  void theEncryptedFormIsCosignsJson() throws Exception {
    byte[] json = CosignEncryptedKey.encrypt(new byte[] {1, 2, 3}, "pw".toCharArray());
    var node = Mappers.JSON.readTree(json);
    assertEquals("scrypt", node.path("kdf").path("name").asText());
    assertEquals(65536, node.path("kdf").path("params").path("N").asInt());
    assertEquals(8, node.path("kdf").path("params").path("r").asInt());
    assertEquals(1, node.path("kdf").path("params").path("p").asInt());
    assertEquals(32, Base64.getDecoder().decode(node.path("kdf").path("salt").asText()).length);
    assertEquals("nacl/secretbox", node.path("cipher").path("name").asText());
    assertEquals(24, Base64.getDecoder().decode(node.path("cipher").path("nonce").asText()).length);
    assertEquals(3 + 16, Base64.getDecoder().decode(node.path("ciphertext").asText()).length);
  }

  @Test
  void readsPlainPkcs8KeysOfEveryTypeWithoutAskingForAPassword() throws Exception {
    for (KeyPair pair : new KeyPair[] {TestKeys.ec("secp256r1"), TestKeys.ec("secp384r1"), TestKeys.rsa(3072),
        TestKeys.ed25519()}) {
      SigningKey key = SigningKey.fromPem(TestKeys.pkcs8(pair), "k.pem", NEVER_ASKED);
      assertEquals(pair.getPublic(), key.publicKey());
      assertTrue(verifies(pair.getPublic(), key.algorithm(), MESSAGE, key.sign(MESSAGE)));
    }
  }

  @Test
  void readsOpenSslTraditionalEcAndRsaKeys() throws Exception {
    KeyPair ec = TestKeys.ec("secp256r1");
    String ecPem = TestKeys.secEcPrivateKey(ec);
    assertTrue(ecPem.startsWith("-----BEGIN EC PRIVATE KEY-----"), ecPem);
    SigningKey key = SigningKey.fromPem(ecPem, "ec.pem", NEVER_ASKED);
    assertEquals(ec.getPublic(), key.publicKey());
    assertTrue(verifies(ec.getPublic(), "SHA256withECDSA", MESSAGE, key.sign(MESSAGE)));

    // Some Java tools spell the curve out as explicit parameters: read as P-256 too.
    SigningKey explicit = SigningKey.fromPem(TestKeys.pem("PRIVATE KEY", TestKeys.explicitCurvePkcs8(ec)),
        "ec-explicit.pem", NEVER_ASKED);
    assertEquals(ec.getPublic(), explicit.publicKey());
    assertTrue(verifies(ec.getPublic(), "SHA256withECDSA", MESSAGE, explicit.sign(MESSAGE)));

    KeyPair rsa = TestKeys.rsa(2048);
    String rsaPem = TestKeys.traditional(rsa);
    assertTrue(rsaPem.startsWith("-----BEGIN RSA PRIVATE KEY-----"), rsaPem);
    SigningKey rsaKey = SigningKey.fromPem(rsaPem, "rsa.pem", NEVER_ASKED);
    assertEquals(rsa.getPublic(), rsaKey.publicKey());
  }

  @Test
  void refusesWhatIsNotAUsablePrivateKeyWithAHint() {
    KeyPair ec = TestKeys.ec("secp256r1");
    assertMessage(TestKeys.publicPem(ec.getPublic()), "is a public key");
    assertMessage("not pem at all", "holds no PEM block");
    assertMessage(TestKeys.pem("ENCRYPTED PRIVATE KEY", new byte[] {1}), "cosign import-key-pair");
    assertMessage(TestKeys.pem("CERTIFICATE", new byte[] {1}), "holds a \"CERTIFICATE\" PEM block");
    assertMessage(TestKeys.pkcs8(TestKeys.rsa(1024)), "at least 2048");
    assertMessage(TestKeys.pem("PRIVATE KEY", TestKeys.secp256k1Pkcs8()), "P-256, P-384 or P-521");
  }

  private static void assertMessage(String pem, String expected) {
    var e = assertThrows(SigningKey.Unusable.class, () -> SigningKey.fromPem(pem, "k", NEVER_ASKED));
    assertNotNull(e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
