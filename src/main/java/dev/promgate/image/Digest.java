package dev.promgate.image;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:0123…}. Only algorithms a registry can serve and that
 * promgate can recompute are accepted (sha256, sha384, sha512), and the hex part must have the
 * exact length of the algorithm and be lowercase, as the OCI image spec requires.
 */
public record Digest(String algorithm, String hex) {

  private static final Pattern LOWER_HEX = Pattern.compile("[a-f0-9]+");
  private static final Pattern ALGORITHM_GRAMMAR =
      Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");

  public Digest {
    int expected = hexLength(algorithm);
    if (expected < 0) {
      throw new InvalidReferenceException("unsupported digest algorithm \"" + algorithm
          + "\" (supported: sha256, sha384, sha512)");
    }
    if (hex.length() != expected) {
      throw new InvalidReferenceException(algorithm + " digest must have " + expected
          + " hex characters, found " + hex.length());
    }
    if (!LOWER_HEX.matcher(hex).matches()) {
      throw new InvalidReferenceException(algorithm + " digest must be lowercase hex");
    }
  }

  /** Parses {@code algorithm:hex}; throws {@link InvalidReferenceException} with the reason. */
  public static Digest parse(String text) {
    if (text == null) {
      throw new InvalidReferenceException("digest is missing");
    }
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new InvalidReferenceException("digest \"" + abbreviate(text)
          + "\" is not of the form algorithm:hex");
    }
    String algorithm = text.substring(0, colon);
    if (!ALGORITHM_GRAMMAR.matcher(algorithm).matches()) {
      throw new InvalidReferenceException("digest algorithm \"" + abbreviate(algorithm)
          + "\" is not valid");
    }
    return new Digest(algorithm, text.substring(colon + 1));
  }

  /** The sha256 digest of these bytes. */
  public static Digest sha256Of(byte[] content) {
    return of("sha256", content);
  }

  /** The digest of {@code content} with {@code algorithm} (sha256, sha384 or sha512). */
  public static Digest of(String algorithm, byte[] content) {
    return new Digest(algorithm, HexFormat.of().formatHex(newMessageDigest(algorithm).digest(content)));
  }

  /** A fresh {@link MessageDigest} for this digest's algorithm, for hashing a stream. */
  public MessageDigest newMessageDigest() {
    return newMessageDigest(algorithm);
  }

  /** Whether {@code content} hashes to this digest. */
  public boolean matches(byte[] content) {
    return MessageDigest.isEqual(
        newMessageDigest().digest(content), HexFormat.of().parseHex(hex));
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

  private static int hexLength(String algorithm) {
    return switch (algorithm) {
      case "sha256" -> 64;
      case "sha384" -> 96;
      case "sha512" -> 128;
      default -> -1;
    };
  }

  private static MessageDigest newMessageDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.toUpperCase(Locale.ROOT).replace("SHA", "SHA-"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK lacks " + algorithm, e);
    }
  }

  static String abbreviate(String s) {
    String printable = s.codePoints()
        .map(c -> c < 0x20 || c == 0x7f ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
    return printable.length() <= 80 ? printable : printable.substring(0, 77) + "...";
  }
}
