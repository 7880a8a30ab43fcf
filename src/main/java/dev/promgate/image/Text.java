package dev.promgate.image;

import java.util.Locale;

/**
 * Safe rendering of untrusted text inside messages. Image strings come from whoever submits a
 * pod, and the messages end up in kubectl output and logs, so control characters, bidi overrides
 * and look-alike letters are shown as escapes instead of being printed.
 */
final class Text {

  private static final int MAX_SHOWN = 100;

  private Text() {}

  /** {@code s} in double quotes, escaped to printable ASCII and shortened when long. */
  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_SHOWN) + 16).append('"');
    int codePoints = 0;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (out.length() >= MAX_SHOWN) {
        int remaining = s.codePointCount(i, s.length()) + 1;
        out.append("…\" (").append(codePoints + remaining).append(" characters)");
        return out.toString();
      }
      codePoints++;
      if (c == '"' || c == '\\') {
        out.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append((char) c);
      } else {
        out.append(escape(c));
      }
    }
    return out.append('"').toString();
  }

  /** A human name for one character, used when it is the thing that is wrong. */
  static String describe(int c) {
    if (c == ' ') {
      return "a space";
    }
    if (c >= 0x21 && c < 0x7f) {
      return "'" + (char) c + "'";
    }
    if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
      return "white space " + escape(c);
    }
    if (Character.isISOControl(c)) {
      return "control character " + escape(c);
    }
    String name = Character.getName(c);
    return "non-ASCII character " + escape(c) + (name == null ? "" : " (" + name + ")");
  }

  private static String escape(int c) {
    return c <= 0xffff
        ? String.format(Locale.ROOT, "\\u%04X", c)
        : String.format(Locale.ROOT, "\\u{%X}", c);
  }
}
