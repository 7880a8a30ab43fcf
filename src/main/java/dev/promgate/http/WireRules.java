package dev.promgate.http;

import java.util.Locale;

/**
 * What an admission request must look like on the wire before its body is parsed: the media type
 * {@code application/json}, with at most a {@code charset=utf-8} parameter (anything else is 415),
 * and a body that is well-formed UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * are 400). The JSON parser is lenient about both; an attacker who can choose how bytes decode can
 * make two readers of one request disagree.
 */
final class WireRules {

  private WireRules() {}

  /** Why this Content-Type is refused, or null when it is {@code application/json[; charset=utf-8]}. */
  static String contentTypeProblem(String contentType) {
    if (contentType == null) {
      return "no Content-Type; send application/json";
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("application/json")) {
      return "content type must be application/json, got \"" + contentType + "\"";
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.isEmpty() && i == parts.length - 1) {
        continue;
      }
      int eq = parameter.indexOf('=');
      String name = eq < 0 ? parameter : parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : parameter.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (!name.equals("charset") || !(value.equalsIgnoreCase("utf-8") || value.equalsIgnoreCase("utf8"))) {
        return "content type must be application/json with at most charset=utf-8, got \"" + contentType + "\"";
      }
    }
    return null;
  }

  /**
   * Where the body stops being well-formed UTF-8 (RFC 3629), or -1 when it is: no overlong form, no
   * UTF-16 surrogate, nothing past U+10FFFF, no truncated sequence.
   */
  static int malformedUtf8At(byte[] body) {
    int i = 0;
    int n = body.length;
    while (i < n) {
      int b = body[i] & 0xff;
      if (b < 0x80) {
        i++;
        continue;
      }
      int length;
      int min;
      if (b >= 0xc2 && b <= 0xdf) {
        length = 2;
        min = 0x80;
      } else if (b >= 0xe0 && b <= 0xef) {
        length = 3;
        min = 0x800;
      } else if (b >= 0xf0 && b <= 0xf4) {
        length = 4;
        min = 0x10000;
      } else {
        return i;
      }
      if (i + length > n) {
        return i;
      }
      int cp = b & (0xff >> (length + 1));
      for (int k = 1; k < length; k++) {
        int c = body[i + k] & 0xff;
        if ((c & 0xc0) != 0x80) {
          return i;
        }
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return i;
      }
      i += length;
    }
    return -1;
  }
}
