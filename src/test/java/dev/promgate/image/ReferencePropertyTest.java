package dev.promgate.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Properties over many generated inputs, with fixed seeds so a failure reproduces:
 * <ul>
 *   <li>nothing but {@link InvalidReferenceException} ever escapes {@code parse}, and its message is
 *       safe to show;
 *   <li>whatever parses round-trips: {@code parse(parse(s).toString())} equals {@code parse(s)},
 *       and its {@code toString()} is a fixed point;
 *   <li>whatever parses is in distribution's grammar (promgate is only ever stricter);
 *   <li>every reference built from the grammar, within promgate's stricter rules, parses.
 * </ul>
 */
@Timeout(120) // safety net, not a measurement
class ReferencePropertyTest {

  /**
   * distribution's reference grammar (regexp.go, github.com/distribution/reference), as an oracle
   * independent of the parser's own checks.
   */
  private static final Pattern UPSTREAM_REFERENCE;

  static {
    String alphanumeric = "[a-z0-9]+";
    String separator = "(?:[._]|__|[-]+)";
    String pathComponent = alphanumeric + "(?:" + separator + alphanumeric + ")*";
    String domainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    String domainName = domainNameComponent + "(?:\\." + domainNameComponent + ")*";
    String ipv6address = "\\[(?:[a-fA-F0-9:]+)\\]";
    String domainAndPort = "(?:" + domainName + "|" + ipv6address + ")(?::[0-9]+)?";
    String tag = "[\\w][\\w.-]{0,127}";
    String digest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
    String name = "(?:" + domainAndPort + "/)?" + pathComponent + "(?:/" + pathComponent + ")*";
    UPSTREAM_REFERENCE = Pattern.compile(name + "(?::" + tag + ")?(?:@" + digest + ")?");
  }

  private static final String[] TOKENS = {
      "a", "b", "z", "0", "9", "abc", "x1", "A", "Z", "Ab", ".", "-", "--", "_", "__", "/", "//",
      ":", "@", "[", "]", "::", "%", "+", "~", " ", "\t", "\u0000", "\n", "\u0430", "\u00e9",
      "\ud83d\udc33", "\u202e", "\uff1a", "sha256:", "sha512:", "SHA256:", "0123456789abcdef",
      "0123456789ABCDEF", "localhost", "docker.io/", "index.docker.io/", "library/", "127.0.0.1",
      ":5000", ":65536", ":0", "[::1]", "[fe80::1%eth0]", "https://", "..", "1a3f5e7d"};

  @Test
  void randomTokenStringsOnlyEverFailWithInvalidReference() {
    Random random = new Random(20_261_126L);
    for (int i = 0; i < 50_000; i++) {
      StringBuilder s = new StringBuilder();
      int tokens = random.nextInt(30);
      for (int t = 0; t < tokens; t++) {
        s.append(TOKENS[random.nextInt(TOKENS.length)]);
      }
      checkProperties(s.toString());
    }
  }

  @Test
  void randomCharacterStringsOnlyEverFailWithInvalidReference() {
    Random random = new Random(42L);
    for (int i = 0; i < 50_000; i++) {
      char[] chars = new char[random.nextInt(80)];
      for (int c = 0; c < chars.length; c++) {
        // Mostly printable ASCII, sometimes anything at all (including lone surrogates).
        chars[c] = random.nextInt(10) == 0 ? (char) random.nextInt(0x10000) : (char) (0x20 + random.nextInt(0x5f));
      }
      checkProperties(new String(chars));
    }
  }

  @Test
  void everyGeneratedValidReferenceParsesAndRoundTrips() {
    Random random = new Random(7L);
    for (int i = 0; i < 20_000; i++) {
      String reference = validReference(random);
      ImageReference parsed;
      try {
        parsed = ImageReference.parse(reference);
      } catch (InvalidReferenceException e) {
        fail("generated valid reference refused: " + reference + " -> " + e.getMessage());
        return;
      }
      checkProperties(reference);
      assertEquals(reference.contains("@"), parsed.isPinned(), reference);
    }
  }

  @Test
  void mutatedValidReferencesOnlyEverFailWithInvalidReference() {
    Random random = new Random(99L);
    for (int i = 0; i < 30_000; i++) {
      StringBuilder s = new StringBuilder(validReference(random));
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits && s.length() > 0; e++) {
        int at = random.nextInt(s.length());
        String token = TOKENS[random.nextInt(TOKENS.length)];
        switch (random.nextInt(3)) {
          case 0 -> s.insert(at, token);
          case 1 -> s.deleteCharAt(at);
          default -> s.replace(at, at + 1, token);
        }
      }
      checkProperties(s.toString());
    }
  }

  private static void checkProperties(String input) {
    ImageReference parsed;
    try {
      parsed = ImageReference.parse(input);
    } catch (InvalidReferenceException e) {
      assertFalse(e.getMessage().isBlank(), input);
      assertFalse(e.getMessage().contains("it is not a valid image reference ("),
          "the checks that explain themselves missed something the grammar refuses: " + e.getMessage());
      HostileReferenceTest.assertSafeToShow(e.getMessage());
      return;
    } catch (Throwable t) {
      throw new AssertionError("parse(" + Text.quote(input) + ") threw " + t, t);
    }
    assertTrue(UPSTREAM_REFERENCE.matcher(input).matches(),
        "accepted but outside distribution's grammar: " + input);
    String canonical = parsed.toString();
    ImageReference again = ImageReference.parse(canonical);
    assertEquals(parsed, again, "round trip of " + input);
    assertEquals(canonical, again.toString(), "toString is a fixed point for " + input);
    assertTrue(parsed.name().length() <= ImageReference.NAME_MAX_LENGTH, input);
    assertNotEquals(ImageReference.LEGACY_DOCKER_HUB, parsed.registry(), input);
    if (parsed.registry().equals(ImageReference.DOCKER_HUB)) {
      assertTrue(parsed.repository().contains("/"), "Docker Hub names get library/: " + input);
    }
  }

  // ------------------------------------------------------------ a generator for the grammar

  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String MIXED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final String[] SEPARATORS = {".", "_", "__", "-", "---"};

  static String validReference(Random random) {
    StringBuilder s = new StringBuilder();
    switch (random.nextInt(8)) {
      case 0, 1 -> { } // Docker Hub, no host written
      case 2 -> s.append(domainName(random, 2 + random.nextInt(3))).append(optionalPort(random)).append('/');
      case 3 -> s.append(domainComponent(random, MIXED)).append(':').append(1 + random.nextInt(65535)).append('/');
      case 4 -> s.append(random.nextBoolean() ? "localhost" : "LocalHost").append(optionalPort(random)).append('/');
      case 5 -> s.append('[').append(ipv6(random)).append(']').append(optionalPort(random)).append('/');
      case 6 -> s.append(random.nextInt(256)).append('.').append(random.nextInt(256)).append('.')
          .append(random.nextInt(256)).append('.').append(random.nextInt(256))
          .append(optionalPort(random)).append('/');
      default -> s.append(random.nextBoolean() ? "index.docker.io/" : "docker.io/");
    }
    boolean hostWritten = s.length() > 0;
    int components = 1 + random.nextInt(4);
    for (int c = 0; c < components; c++) {
      if (c > 0) {
        s.append('/');
      }
      String component = pathComponent(random);
      // Without a host, a first element with a '.' would be read as one (a_b.com/x is refused).
      s.append(!hostWritten && c == 0 && components > 1 ? component.replace('.', '-') : component);
    }
    if (random.nextBoolean()) {
      s.append(':').append(tag(random));
    }
    if (random.nextBoolean()) {
      String algorithm = new String[] {"sha256", "sha384", "sha512"}[random.nextInt(3)];
      byte[] bytes = new byte[algorithm.equals("sha256") ? 32 : algorithm.equals("sha384") ? 48 : 64];
      random.nextBytes(bytes);
      s.append('@').append(algorithm).append(':').append(HexFormat.of().formatHex(bytes));
    }
    return s.toString();
  }

  private static String pathComponent(Random random) {
    StringBuilder s = new StringBuilder(run(random, LOWER, 1 + random.nextInt(6)));
    int more = random.nextInt(3);
    for (int i = 0; i < more; i++) {
      s.append(SEPARATORS[random.nextInt(SEPARATORS.length)]).append(run(random, LOWER, 1 + random.nextInt(4)));
    }
    return s.toString();
  }

  private static String domainName(Random random, int components) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < components; i++) {
      if (i > 0) {
        s.append('.');
      }
      s.append(domainComponent(random, MIXED));
    }
    return s.toString();
  }

  private static String domainComponent(Random random, String alphabet) {
    if (random.nextInt(4) == 0) {
      return run(random, alphabet, 1);
    }
    return run(random, alphabet, 1) + run(random, alphabet + "-", random.nextInt(6)) + run(random, alphabet, 1);
  }

  private static String optionalPort(Random random) {
    return random.nextBoolean() ? "" : ":" + (1 + random.nextInt(65535));
  }

  private static String ipv6(Random random) {
    if (random.nextBoolean()) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        s.append(i == 0 ? "" : ":").append(Integer.toHexString(random.nextInt(0x10000)));
      }
      return s.toString();
    }
    int left = random.nextInt(4);
    int right = random.nextInt(8 - left);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < left; i++) {
      s.append(i == 0 ? "" : ":").append(Integer.toHexString(random.nextInt(0x10000)));
    }
    s.append("::");
    for (int i = 0; i < right; i++) {
      s.append(i == 0 ? "" : ":").append(Integer.toHexString(random.nextInt(0x10000)).toUpperCase(java.util.Locale.ROOT));
    }
    return s.toString();
  }

  private static String tag(Random random) {
    String word = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    return run(random, word, 1) + run(random, word + ".-", random.nextInt(20));
  }

  private static String run(Random random, String alphabet, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
