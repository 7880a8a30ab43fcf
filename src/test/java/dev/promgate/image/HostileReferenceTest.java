package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Image strings as an attacker or a careless manifest writes them. Every one must be refused (or
 * accepted) with a message a user can act on, and no message may carry the input's control or
 * non-ASCII characters into kubectl output or logs.
 */
@Timeout(60) // safety net against a pathological regex, not a measurement
class HostileReferenceTest {

  private static final String SHA256 = "sha256:" + "0123456789abcdef".repeat(4);

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("", "image reference is empty"),
        Arguments.of(" ", "contains a space at the start"),
        Arguments.of("\t", "contains white space \\u0009 at the start"),
        Arguments.of(" nginx", "contains a space at the start"),
        Arguments.of("nginx ", "contains a space at the end"),
        Arguments.of("ngi nx", "contains a space at position 4"),
        Arguments.of("nginx\n", "contains white space \\u000A at the end"),
        Arguments.of("nginx\r\n:1", "contains white space \\u000D at position 6"),
        Arguments.of("nginx\u00a0:1", "contains white space \\u00A0 at position 6"),
        Arguments.of("\u0000", "contains control character \\u0000 at the start"),
        Arguments.of("nginx\u0000:latest", "contains control character \\u0000 at position 6"),
        Arguments.of("\u001b[31mnginx", "contains control character \\u001B at the start"),
        Arguments.of("nginx\u007f", "contains control character \\u007F at the end"),
        // Look-alikes: Cyrillic, Greek, fullwidth and invisible characters.
        Arguments.of("ngin\u0445", "non-ASCII character \\u0445 (CYRILLIC SMALL LETTER HA) at the end;"
            + " image references are ASCII, is it a look-alike of a Latin letter?"),
        Arguments.of("registry.acme.ex\u0430mple/shop/web@" + SHA256, "CYRILLIC SMALL LETTER A"),
        Arguments.of("\u03bdginx", "GREEK SMALL LETTER NU"),
        Arguments.of("\uff4eginx", "FULLWIDTH LATIN SMALL LETTER N"),
        Arguments.of("nginx\uff1alatest", "FULLWIDTH COLON"),
        Arguments.of("nginx\uff20" + SHA256, "FULLWIDTH COMMERCIAL AT"),
        Arguments.of("ng\u200binx", "\\u200B (ZERO WIDTH SPACE)"),
        Arguments.of("nginx\u202e", "\\u202E (RIGHT-TO-LEFT OVERRIDE)"),
        Arguments.of("\ud83d\udc33/foo", "\\u{1F433}"),
        Arguments.of("nginx\ud800", "\\uD800"),
        // Uppercase in the repository path and in digests.
        Arguments.of("Nginx", "repository path \"Nginx\" must be lowercase"),
        Arguments.of("shop/Web:1.0", "repository path \"shop/Web\" must be lowercase"),
        Arguments.of("registry.acme.example/Shop/web", "repository path \"Shop/web\" must be lowercase"),
        Arguments.of("nginx@" + SHA256.toUpperCase(java.util.Locale.ROOT), "algorithm \"SHA256\" must be lowercase: sha256"),
        Arguments.of("nginx@sha256:" + "ABCDEF0123456789".repeat(4), "hex must be lowercase, found \"A\" at position 1"),
        Arguments.of("nginx@sha256:" + "a".repeat(63), "sha256 needs 64 hex characters, found 63"),
        Arguments.of("nginx@sha256:" + "a".repeat(65), "sha256 needs 64 hex characters, found 65"),
        Arguments.of("nginx@sha512:" + "a".repeat(64), "sha512 needs 128 hex characters, found 64"),
        Arguments.of("nginx@sha256:" + "g".repeat(64), "hex contains 'g' at position 1; only 0-9 and a-f are allowed"),
        Arguments.of("nginx@sha1:" + "a".repeat(40), "unsupported algorithm \"sha1\""),
        Arguments.of("nginx@md5:" + "a".repeat(32), "unsupported algorithm \"md5\""),
        Arguments.of("nginx@sha256:", "the hex part after \"sha256:\" is missing"),
        Arguments.of("nginx@:" + "a".repeat(64), "the algorithm before ':' is missing"),
        // '@' and ':' without what must follow them, or too many of them.
        Arguments.of("nginx@", "'@' is not followed by a digest"),
        Arguments.of("nginx:1.25@", "'@' is not followed by a digest"),
        Arguments.of("nginx@@" + SHA256, "more than one '@'"),
        Arguments.of("nginx@" + SHA256 + "@" + SHA256, "more than one '@'"),
        Arguments.of("nginx@" + SHA256 + "@", "more than one '@'"),
        Arguments.of("nginx:", "the tag after ':' is missing"),
        Arguments.of("nginx:@" + SHA256, "the tag after ':' is missing"),
        Arguments.of("nginx::1", "repository path component \"nginx:\" is not valid"),
        Arguments.of("registry.acme.example:/shop", "the port after ':' is missing"),
        Arguments.of(":", "repository name before ':' is missing"),
        Arguments.of("@", "repository name before '@' is missing"),
        Arguments.of("/", "has an empty component"),
        Arguments.of("/nginx", "has an empty component"),
        Arguments.of("nginx/", "has an empty component"),
        // Tags.
        Arguments.of("nginx:" + "a".repeat(129), "the tag is 129 characters long; the limit is 128"),
        Arguments.of("nginx:.hidden", "tag \".hidden\" must not start with '.' or '-'"),
        Arguments.of("nginx:-rc", "tag \"-rc\" must not start with '.' or '-'"),
        Arguments.of("nginx:1.25+build", "tag \"1.25+build\" contains '+'"),
        // Hosts and ports.
        Arguments.of("[::1]:5000", "IPv6 registry must be followed by a repository path"),
        Arguments.of("[::1/foo", "IPv6 registry host \"[::1\" has no closing ']'"),
        Arguments.of("[::1]:0/foo", "port 0 is out of range (1-65535)"),
        Arguments.of("[::1]:65536/foo", "port 65536 is out of range (1-65535)"),
        Arguments.of("[::1]:99999999999999999999/foo", "is out of range (1-65535)"),
        Arguments.of("[1:2:3:4:5:6:7:8:9]/foo", "not a valid IPv6 address"),
        Arguments.of("[1::2::3]/foo", "not a valid IPv6 address"),
        Arguments.of("[12345::1]/foo", "not a valid IPv6 address"),
        // Without ':' or '.', "[]" is not read as a host at all.
        Arguments.of("[]/foo", "repository path component \"[]\" is not valid"),
        Arguments.of("[::ffff:127.0.0.1]:5000/foo", "not a valid IPv6 address"),
        Arguments.of("::1/foo", "looks like an IPv6 address; write it in brackets"),
        Arguments.of("localhost:-1/foo", "port \"-1\" is not a number"),
        Arguments.of("localhost:5000:6000/foo", "registry \"localhost:5000:6000\" has more than one ':'"),
        Arguments.of(":5000/foo", "the registry host before ':' is missing"),
        Arguments.of("http://registry.acme.example/shop/web", "no URL scheme"),
        Arguments.of("oci://registry.acme.example/shop/web", "no URL scheme"),
        Arguments.of("registry..acme/foo", "registry host \"registry..acme\" is not a valid host name"),
        Arguments.of("registry_acme.example/foo", "registry host \"registry_acme.example\" is not a valid host name"),
        Arguments.of("../../etc/passwd", "registry host \"..\" is not a valid host name"),
        Arguments.of("shop/../web", "repository path component \"..\" is not valid"),
        Arguments.of("shop/web?x=1", "repository path component \"web?x=1\" is not valid"),
        Arguments.of("shop/web#frag", "repository path component \"web#frag\" is not valid"),
        Arguments.of("\"quoted\"", "repository path component \"\\\"quoted\\\"\" is not valid"),
        Arguments.of("a\\b", "repository path component \"a\\\\b\" is not valid"),
        // Image IDs are not names.
        Arguments.of("0123456789abcdef".repeat(4), "a 64-character hex string is an image ID"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void refused(String image, String why) {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(image));
    assertTrue(e.getMessage().contains(why),
        "message should contain <" + why + "> but was: " + e.getMessage());
    assertSafeToShow(e.getMessage());
    if (!image.isEmpty()) {
      assertTrue(e.getMessage().startsWith("invalid image reference \""), e.getMessage());
      assertTrue(e.getMessage().endsWith(": " + e.reason()), e.getMessage());
      assertFalse(e.reason().startsWith("invalid image reference"), e.reason());
    }
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("localhost/foo", "localhost", "foo"),
        Arguments.of("localhost:5000/foo", "localhost:5000", "foo"),
        Arguments.of("LOCALHOST:5000/foo", "localhost:5000", "foo"),
        Arguments.of("[::1]:5000/foo", "[::1]:5000", "foo"),
        Arguments.of("[::1]/foo", "[::1]", "foo"),
        Arguments.of("[FD00::1]:5000/foo", "[fd00::1]:5000", "foo"),
        Arguments.of("[1:2:3:4:5:6:7:8]:1/foo", "[1:2:3:4:5:6:7:8]:1", "foo"),
        Arguments.of("[::]:65535/foo", "[::]:65535", "foo"),
        Arguments.of("127.0.0.1:5000/shop/web", "127.0.0.1:5000", "shop/web"),
        Arguments.of("registry.acme.example:443/shop/web", "registry.acme.example:443", "shop/web"),
        Arguments.of("Registry.Acme.Example/shop/web", "registry.acme.example", "shop/web"),
        Arguments.of("INDEX.DOCKER.IO/nginx", "docker.io", "library/nginx"),
        Arguments.of("index.docker.io/bitnami/nginx", "docker.io", "bitnami/nginx"),
        Arguments.of("docker.io:443/nginx", "docker.io:443", "nginx"),
        // Distribution-compatible: a single element is always a Docker Hub name, even when it
        // reads like a host (upstream's FIXME in splitDockerDomain).
        Arguments.of("localhost", "docker.io", "library/localhost"),
        Arguments.of("localhost:5000", "docker.io", "library/localhost"),
        Arguments.of("registry.acme.example", "docker.io", "library/registry.acme.example"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource
  void accepted(String image, String registry, String repository) {
    ImageReference parsed = ImageReference.parse(image);
    assertEquals(registry, parsed.registry());
    assertEquals(repository, parsed.repository());
    assertEquals(parsed, ImageReference.parse(parsed.toString()));
  }

  @Test
  void tagAndDigestTogetherKeepBothAndThePinGoverns() {
    ImageReference parsed = ImageReference.parse("registry.acme.example/shop/web:1.4@" + SHA256);
    assertEquals("1.4", parsed.tag());
    assertEquals(SHA256, parsed.digest().toString());
    assertTrue(parsed.isPinned());
    assertEquals("registry.acme.example/shop/web@" + SHA256, parsed.pinnedForm(parsed.digest()));
  }

  @Test
  void localhostWithPortAndTagIsARegistry() {
    ImageReference parsed = ImageReference.parse("localhost:5000/foo:1");
    assertEquals("localhost:5000", parsed.registry());
    assertEquals("1", parsed.tag());
  }

  @Test
  void nullIsRefusedWithAMessage() {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(null));
    assertEquals("image reference is missing", e.getMessage());
  }

  @Test
  void nameLengthLimitCountsTheNormalisedName() {
    String host = "registry.acme.example/"; // 22 characters
    String exactly255 = host + "a".repeat(255 - host.length());
    assertEquals(255, ImageReference.parse(exactly255).name().length());
    InvalidReferenceException e = assertThrows(InvalidReferenceException.class,
        () -> ImageReference.parse(exactly255 + "a"));
    assertTrue(e.getMessage().contains("256 characters long, over the limit of 255"), e.getMessage());

    // "docker.io/library/" is added before counting ...
    String hub = "a".repeat(255 - "docker.io/library/".length());
    assertEquals(255, ImageReference.parse(hub).name().length());
    assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(hub + "a"));
    // ... and "index.docker.io/" shrinks to "docker.io/" before counting.
    String legacy = "index.docker.io/shop/" + "a".repeat(255 - "docker.io/shop/".length());
    assertEquals(255, ImageReference.parse(legacy).name().length());
  }

  @Test
  void tagLengthLimitIs128() {
    assertEquals(128, ImageReference.parse("nginx:" + "a".repeat(128)).tag().length());
  }

  static Stream<Arguments> veryLong() {
    return Stream.of(
        Arguments.of("a".repeat(256), "over the limit of 255"),
        Arguments.of("a".repeat(4097), "4115 characters long, over the limit of 255"),
        Arguments.of("a/".repeat(3000) + "a", "over the limit of 255"),
        Arguments.of("a.".repeat(3000) + "a", "over the limit of 255"),
        Arguments.of("a-".repeat(3000) + "a", "over the limit of 255"),
        Arguments.of("a.".repeat(3000) + "a/b", "over the limit of 255"),
        Arguments.of("nginx:" + "a.".repeat(3000), "the tag is 6000 characters long; the limit is 128"),
        Arguments.of("nginx@sha256:" + "a".repeat(100_000), "sha256 needs 64 hex characters, found 100000"),
        Arguments.of("nginx@" + "a.".repeat(3000) + ":" + "a".repeat(64), "is not valid (supported: sha256"),
        Arguments.of("[" + ":".repeat(5000) + "]/foo", "over the limit of 255"),
        Arguments.of("[" + "1:".repeat(100) + "]/foo", "not a valid IPv6 address"),
        Arguments.of(":".repeat(5000), "over the limit of 255"),
        Arguments.of("@".repeat(5000), "more than one '@'"),
        Arguments.of("/".repeat(5000), "over the limit of 255"),
        Arguments.of("\u0000".repeat(5000), "control character \\u0000 at the start"),
        Arguments.of("a".repeat(1_000_000) + "\u0000", "control character \\u0000 at the end"));
  }

  /** No length makes the parser overflow its stack or backtrack without end. */
  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource
  void veryLong(String image, String why) {
    InvalidReferenceException e =
        assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(image));
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertTrue(e.getMessage().length() < 600, "message is shortened: " + e.getMessage().length());
    assertSafeToShow(e.getMessage());
  }

  /** Printable ASCII plus our own ellipsis: nothing from the input that a terminal would interpret. */
  static void assertSafeToShow(String message) {
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      assertFalse((c < 0x20 || c >= 0x7f) && c != '…',
          "message contains character U+" + Integer.toHexString(c) + ": " + message);
    }
  }
}
