package dev.promgate.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:0123…}. Only algorithms a registry can serve and that
 * promgate can recompute are accepted (sha256, sha384, sha512), and the hex part must have the
 * exact length of the algorithm and be lowercase, as the OCI image spec requires. Distribution's
 * grammar is looser ({@code algorithm:hex{32,}}); a digest promgate cannot recompute cannot pin
 * anything, so it is refused here rather than later.
 */
public record Digest(String algorithm, String hex) {

  /** The OCI image spec's algorithm grammar; anything else is not even an unknown algorithm. */
  private static final Pattern ALGORITHM_GRAMMAR =
      Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");
  /** Longer algorithm names are not matched at all: the message is the same, the regex cost is not. */
  private static final int MAX_ALGORITHM_LENGTH = 64;

  public Digest {
    String problem = problem(algorithm, hex);
    if (problem != null) {
      throw new InvalidReferenceException(
          "invalid digest " + Text.quote(algorithm + ":" + hex) + ": " + problem, problem);
    }
  }

  /** Parses {@code algorithm:hex}; throws {@link InvalidReferenceException} with the reason. */
  public static Digest parse(String text) {
    if (text == null) {
      throw new InvalidReferenceException("digest is missing");
    }
    String problem = problem(text);
    if (problem != null) {
      throw new InvalidReferenceException("invalid digest " + Text.quote(text) + ": " + problem, problem);
    }
    int colon = text.indexOf(':');
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The sha256 digest of these bytes. */
  public static Digest sha256Of(byte[] content) {
    return of("sha256", content);
  }

  /** The digest of {@code content} with {@code algorithm} (sha256, sha384 or sha512). */
  public static Digest of(String algorithm, byte[] content) {
    if (hexLength(algorithm) < 0) {
      throw new InvalidReferenceException(unsupported(algorithm));
    }
    return new Digest(algorithm, HexFormat.of().formatHex(newMessageDigest(algorithm).digest(content)));
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm, for hashing a stream. */
  public MessageDigest newMessageDigest() {
    return newMessageDigest(algorithm);
  }

  /** Whether {@code content} hashes to this digest. */
  public boolean matches(byte[] content) {
    return MessageDigest.isEqual(newMessageDigest().digest(content), bytes());
  }

  /** The raw digest bytes. */
  public byte[] bytes() {
    return HexFormat.of().parseHex(hex);
  }

  /** The first 12 hex characters, for tables and short messages. */
  public String shortForm() {
    return algorithm + ":" + hex.substring(0, 12) + "…";
  }

  /** cosign's tag prefix for things attached to this digest: {@code sha256-<hex>}. */
  public String tagPrefix() {
    return algorithm + "-" + hex;
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  /** What is wrong with {@code algorithm:hex} text, or null when it is a valid digest. */
  static String problem(String text) {
    if (text.isEmpty()) {
      return "it is empty";
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return "it is not of the form algorithm:hex (for example sha256:<64 hex characters>)";
    }
    if (colon == 0) {
      return "the algorithm before ':' is missing";
    }
    return problem(text.substring(0, colon), text.substring(colon + 1));
  }

  private static String problem(String algorithm, String hex) {
    if (algorithm == null || hex == null) {
      return "algorithm and hex are both required";
    }
    int expected = hexLength(algorithm);
    if (expected < 0 && hexLength(algorithm.toLowerCase(Locale.ROOT)) > 0) {
      return "algorithm " + Text.quote(algorithm) + " must be lowercase: "
          + algorithm.toLowerCase(Locale.ROOT);
    }
    if (expected < 0) {
      return algorithm.length() <= MAX_ALGORITHM_LENGTH && ALGORITHM_GRAMMAR.matcher(algorithm).matches()
          ? unsupported(algorithm)
          : "algorithm " + Text.quote(algorithm) + " is not valid (supported: sha256, sha384, sha512)";
    }
    if (hex.isEmpty()) {
      return "the hex part after \"" + algorithm + ":\" is missing";
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (c >= 'A' && c <= 'F') {
        return "hex must be lowercase, found " + Text.quote(String.valueOf(c)) + " at position " + (i + 1);
      }
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return "hex contains " + Text.describe(hex.codePointAt(i)) + " at position " + (i + 1)
            + "; only 0-9 and a-f are allowed";
      }
    }
    if (hex.length() != expected) {
      return algorithm + " needs " + expected + " hex characters, found " + hex.length();
    }
    return null;
  }

  private static String unsupported(String algorithm) {
    return "unsupported algorithm " + Text.quote(algorithm) + " (supported: sha256, sha384, sha512)";
  }

  private static int hexLength(String algorithm) {
    if (algorithm == null) {
      return -1;
    }
    return switch (algorithm) {
      case "sha256" -> 64;
      case "sha384" -> 96;
      case "sha512" -> 128;
      default -> -1;
    };
  }

  private static MessageDigest newMessageDigest(String algorithm) {
    String jcaName = switch (algorithm) {
      case "sha256" -> "SHA-256";
      case "sha384" -> "SHA-384";
      case "sha512" -> "SHA-512";
      default -> throw new InvalidReferenceException(unsupported(algorithm));
    };
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + jcaName, e);
    }
  }
}
