package dev.promgate.promotion;

import dev.promgate.json.Mappers;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * cosign's encrypted private key: the body of an {@code ENCRYPTED SIGSTORE PRIVATE KEY} (or, from
 * older cosign, {@code ENCRYPTED COSIGN PRIVATE KEY}) PEM block is JSON written by the
 * {@code encrypted} package of go-securesystemslib (formerly go-tuf):
 * <pre>{@code
 * {"kdf": {"name": "scrypt", "params": {"N": 65536, "r": 8, "p": 1}, "salt": "<base64, 32 bytes>"},
 *  "cipher": {"name": "nacl/secretbox", "nonce": "<base64, 24 bytes>"},
 *  "ciphertext": "<base64>"}
 * }</pre>
 * The key is scrypt(password, salt, N, r, p) cut to 32 bytes; the ciphertext is NaCl
 * {@code secretbox}: a 16-byte Poly1305 tag followed by the XSalsa20 encryption of the PKCS#8 DER
 * private key, the Poly1305 key being the first 32 bytes of the XSalsa20 key stream.
 *
 * <p>Like the Go package, only its three scrypt parameter sets are accepted (legacy N=2^15,
 * standard N=2^16, OWASP N=2^17, each with r=8, p=1): a key file must not be able to make promgate
 * spend gigabytes of memory. The password is the UTF-8 bytes of what the user typed, as Go's
 * {@code []byte(string)} makes them.
 */
final class CosignEncryptedKey {

  static final String SIGSTORE_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";
  static final String COSIGN_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";

  private static final List<int[]> SCRYPT_PARAMETERS = List.of(
      new int[] {1 << 15, 8, 1}, new int[] {1 << 16, 8, 1}, new int[] {1 << 17, 8, 1});
  private static final int KEY_SIZE = 32;
  private static final int NONCE_SIZE = 24;
  private static final int SALT_SIZE = 32;
  private static final int TAG_SIZE = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The key file cannot be decrypted; the message says why. */
  static final class Undecryptable extends Exception {
    private static final long serialVersionUID = 1L;

    Undecryptable(String message) {
      super(message, null, false, false);
    }
  }

  private CosignEncryptedKey() {}

  /** The PKCS#8 DER private key inside the JSON body of a cosign encrypted key. */
  static byte[] decrypt(byte[] json, char[] password) throws Undecryptable {
    JsonNode root;
    try {
      root = Mappers.JSON.readTree(json);
    } catch (JacksonException e) {
      throw new Undecryptable("the encrypted key is not the JSON cosign writes");
    }
    if (root == null || !root.isObject()) {
      throw new Undecryptable("the encrypted key is not the JSON cosign writes");
    }
    JsonNode kdf = root.path("kdf");
    JsonNode cipher = root.path("cipher");
    if (!"scrypt".equals(kdf.path("name").asText())) {
      throw new Undecryptable("the encrypted key uses key derivation \"" + kdf.path("name").asText()
          + "\"; cosign keys use scrypt");
    }
    if (!"nacl/secretbox".equals(cipher.path("name").asText())) {
      throw new Undecryptable("the encrypted key uses cipher \"" + cipher.path("name").asText()
          + "\"; cosign keys use nacl/secretbox");
    }
    JsonNode params = kdf.path("params");
    int n = params.path("N").asInt(-1);
    int r = params.path("r").asInt(-1);
    int p = params.path("p").asInt(-1);
    if (SCRYPT_PARAMETERS.stream().noneMatch(known -> known[0] == n && known[1] == r && known[2] == p)) {
      throw new Undecryptable("the encrypted key has unsupported scrypt parameters N=" + n + ", r=" + r + ", p=" + p
          + " (supported: N=32768, 65536 or 131072 with r=8, p=1, as cosign writes them)");
    }
    byte[] salt = base64(kdf, "salt");
    byte[] nonce = base64(cipher, "nonce");
    byte[] box = base64(root, "ciphertext");
    if (nonce.length != NONCE_SIZE) {
      throw new Undecryptable("the encrypted key has a nonce of " + nonce.length + " bytes; secretbox takes 24");
    }
    if (box.length < TAG_SIZE) {
      throw new Undecryptable("the encrypted key's ciphertext is too short");
    }
    byte[] key = derive(password, salt, n, r, p);
    byte[] plain = open(box, nonce, key);
    Arrays.fill(key, (byte) 0);
    if (plain == null) {
      throw new Undecryptable("wrong password for the encrypted key (or the key file is damaged)");
    }
    return plain;
  }

  /**
   * Encrypts PKCS#8 DER as cosign does (standard parameters, N=2^16), for tests and for users who
   * want to store a key in cosign's format.
   */
  static byte[] encrypt(byte[] pkcs8, char[] password) {
    byte[] salt = new byte[SALT_SIZE];
    byte[] nonce = new byte[NONCE_SIZE];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(nonce);
    int n = 1 << 16;
    byte[] key = derive(password, salt, n, 8, 1);
    byte[] box = seal(pkcs8, nonce, key);
    Arrays.fill(key, (byte) 0);
    ObjectNode root = Mappers.JSON.createObjectNode();
    ObjectNode kdf = root.putObject("kdf");
    kdf.put("name", "scrypt");
    kdf.putObject("params").put("N", n).put("r", 8).put("p", 1);
    kdf.put("salt", Base64.getEncoder().encodeToString(salt));
    ObjectNode cipher = root.putObject("cipher");
    cipher.put("name", "nacl/secretbox");
    cipher.put("nonce", Base64.getEncoder().encodeToString(nonce));
    root.put("ciphertext", Base64.getEncoder().encodeToString(box));
    return Mappers.JSON.writeValueAsBytes(root);
  }

  private static byte[] derive(char[] password, byte[] salt, int n, int r, int p) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    try {
      return SCrypt.generate(bytes, salt, n, r, p, KEY_SIZE);
    } finally {
      Arrays.fill(bytes, (byte) 0);
      if (encoded.hasArray()) {
        Arrays.fill(encoded.array(), (byte) 0);
      }
    }
  }

  /** NaCl secretbox open: the plaintext, or null when the tag does not verify. */
  static byte[] open(byte[] box, byte[] nonce, byte[] key) {
    XSalsa20Engine stream = new XSalsa20Engine();
    stream.init(false, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] macKey = new byte[KEY_SIZE];
    stream.processBytes(new byte[KEY_SIZE], 0, KEY_SIZE, macKey, 0);
    byte[] expected = poly1305(macKey, box, TAG_SIZE, box.length - TAG_SIZE);
    if (!MessageDigest.isEqual(expected, Arrays.copyOf(box, TAG_SIZE))) {
      return null;
    }
    byte[] plain = new byte[box.length - TAG_SIZE];
    stream.processBytes(box, TAG_SIZE, plain.length, plain, 0);
    return plain;
  }

  /** NaCl secretbox seal: tag followed by ciphertext. */
  static byte[] seal(byte[] plain, byte[] nonce, byte[] key) {
    XSalsa20Engine stream = new XSalsa20Engine();
    stream.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] macKey = new byte[KEY_SIZE];
    stream.processBytes(new byte[KEY_SIZE], 0, KEY_SIZE, macKey, 0);
    byte[] box = new byte[TAG_SIZE + plain.length];
    stream.processBytes(plain, 0, plain.length, box, TAG_SIZE);
    byte[] tag = poly1305(macKey, box, TAG_SIZE, plain.length);
    System.arraycopy(tag, 0, box, 0, TAG_SIZE);
    return box;
  }

  private static byte[] poly1305(byte[] key, byte[] data, int offset, int length) {
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(key));
    mac.update(data, offset, length);
    byte[] tag = new byte[TAG_SIZE];
    mac.doFinal(tag, 0);
    return tag;
  }

  private static byte[] base64(JsonNode parent, String field) throws Undecryptable {
    JsonNode node = parent.get(field);
    if (node == null || !node.isTextual()) {
      throw new Undecryptable("the encrypted key has no \"" + field + "\"");
    }
    try {
      return Base64.getDecoder().decode(node.textValue());
    } catch (IllegalArgumentException e) {
      throw new Undecryptable("the encrypted key's \"" + field + "\" is not base64");
    }
  }
}
