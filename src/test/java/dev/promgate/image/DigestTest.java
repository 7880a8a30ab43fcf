package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigestTest {

  private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);
  // `printf 'hello\n' | sha256sum`, `sha384sum`, `sha512sum`
  private static final String HELLO_SHA256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  private static final String HELLO_SHA384 =
      "1d0f284efe3edea4b9ca3bd514fa134b17eae361ccc7a1eefeff801b9bd6604e01f21f6bf249ef030599f0c218f2ba8c";
  private static final String HELLO_SHA512 =
      "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629";

  @Test
  void computesAndMatchesEachSupportedAlgorithm() {
    assertEquals("sha256:" + HELLO_SHA256, Digest.sha256Of(HELLO).toString());
    assertEquals("sha384:" + HELLO_SHA384, Digest.of("sha384", HELLO).toString());
    assertEquals("sha512:" + HELLO_SHA512, Digest.of("sha512", HELLO).toString());
    for (String text : new String[] {"sha256:" + HELLO_SHA256, "sha384:" + HELLO_SHA384, "sha512:" + HELLO_SHA512}) {
      Digest digest = Digest.parse(text);
      assertTrue(digest.matches(HELLO), text);
      assertFalse(digest.matches("hello".getBytes(StandardCharsets.UTF_8)), text);
      assertEquals(text, digest.toString());
    }
  }

  @Test
  void streamingDigestAgreesWithOneShot() {
    Digest digest = Digest.parse("sha256:" + HELLO_SHA256);
    MessageDigest md = digest.newMessageDigest();
    md.update(HELLO, 0, 3);
    md.update(HELLO, 3, HELLO.length - 3);
    assertArrayEquals(digest.bytes(), md.digest());
  }

  @Test
  void shortFormAndTagPrefix() {
    Digest digest = Digest.parse("sha256:" + HELLO_SHA256);
    assertEquals("sha256:5891b5b522d5…", digest.shortForm());
    assertEquals("sha256-" + HELLO_SHA256, digest.tagPrefix());
    assertEquals(32, digest.bytes().length);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("", "it is empty"),
        Arguments.of("sha256", "not of the form algorithm:hex"),
        Arguments.of(HELLO_SHA256, "not of the form algorithm:hex"),
        Arguments.of(":" + HELLO_SHA256, "the algorithm before ':' is missing"),
        Arguments.of("sha256:", "the hex part after \"sha256:\" is missing"),
        Arguments.of("sha256:" + HELLO_SHA256.substring(1), "sha256 needs 64 hex characters, found 63"),
        Arguments.of("sha256:" + HELLO_SHA256 + "0", "sha256 needs 64 hex characters, found 65"),
        Arguments.of("sha384:" + HELLO_SHA256, "sha384 needs 96 hex characters, found 64"),
        Arguments.of("sha512:" + HELLO_SHA384, "sha512 needs 128 hex characters, found 96"),
        Arguments.of("sha256:" + HELLO_SHA256.toUpperCase(java.util.Locale.ROOT), "hex must be lowercase, found \"B\" at position 5"),
        Arguments.of("SHA256:" + HELLO_SHA256, "algorithm \"SHA256\" must be lowercase: sha256"),
        Arguments.of("sha256:" + HELLO_SHA256.replace('5', 'z'), "hex contains 'z' at position 1"),
        Arguments.of("sha256:" + HELLO_SHA256.substring(0, 63) + " ", "hex contains a space at position 64"),
        Arguments.of("sha256:" + HELLO_SHA256.substring(0, 63) + "\u0430", "hex contains non-ASCII character \\u0430"),
        Arguments.of("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", "unsupported algorithm \"sha1\""),
        Arguments.of("md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported algorithm \"md5\""),
        Arguments.of("sha256+b64:" + HELLO_SHA256, "unsupported algorithm \"sha256+b64\""),
        Arguments.of("sha-256:" + HELLO_SHA256, "unsupported algorithm \"sha-256\""),
        Arguments.of("Sha 256:" + HELLO_SHA256, "algorithm \"Sha 256\" is not valid"),
        Arguments.of("sha256:sha256:" + HELLO_SHA256, "hex contains 's' at position 1"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void refused(String text, String why) {
    InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> Digest.parse(text));
    assertTrue(e.getMessage().startsWith("invalid digest \""), e.getMessage());
    assertTrue(e.getMessage().contains(why), "expected <" + why + "> in: " + e.getMessage());
    HostileReferenceTest.assertSafeToShow(e.getMessage());
  }

  @Test
  void constructorValidatesLikeParse() {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> new Digest("sha256", "abc"));
    assertEquals("invalid digest \"sha256:abc\": sha256 needs 64 hex characters, found 3", e.getMessage());
    assertThrows(InvalidReferenceException.class, () -> new Digest(null, HELLO_SHA256));
    assertThrows(InvalidReferenceException.class, () -> new Digest("sha256", null));
    assertThrows(InvalidReferenceException.class, () -> Digest.parse(null));
    assertThrows(InvalidReferenceException.class, () -> Digest.of("md5", HELLO));
  }
}
