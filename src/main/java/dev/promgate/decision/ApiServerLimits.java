package dev.promgate.decision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the API server carries of a decision, and how promgate fits into it. Kubernetes shortens
 * each warning to 256 characters and drops warnings once their total passes 4,096; audit
 * annotations are copied into every audit event, so large ones bloat the audit log; the denial's
 * {@code status.message} is passed through whole, but a multi-kilobyte message helps nobody. So:
 * each warning at most {@value #MAX_WARNING} bytes and all of them at most
 * {@value #MAX_WARNINGS_TOTAL}, the last one saying how many more there were; each annotation
 * value at most {@value #MAX_ANNOTATION} bytes; the message under {@value #MAX_MESSAGE} bytes,
 * whole lines first. Whatever is cut points to the decision log line by the request's uid: that
 * line keeps every reason and every piece of evidence.
 *
 * <p>Sizes are counted in UTF-8 bytes, which is never less than characters, and cuts fall on
 * code point boundaries.
 */
final class ApiServerLimits {

  static final int MAX_WARNING = 256;
  static final int MAX_WARNINGS_TOTAL = 4096;
  static final int MAX_ANNOTATION = 2048;
  static final int MAX_MESSAGE = 8000;

  private ApiServerLimits() {}

  /** Where the full text is: the decision log line of this request. */
  static String pointer(String uid) {
    return " (all of it: promgate decision log, uid " + uid + ")";
  }

  static Decision fit(Decision d) {
    String uid = d.call().uid();
    List<String> warnings = warnings(d.warnings(), uid);
    String message = message(d.message(), uid);
    Map<String, String> annotations = annotations(d.annotations(), uid);
    if (warnings.equals(d.warnings()) && message.equals(d.message()) && annotations.equals(d.annotations())) {
      return d;
    }
    return new Decision(d.call(), d.allowed(), d.outcome(), message, warnings, annotations, d.environment(),
        d.generation(), d.images());
  }

  /** Each shortened to fit; once the total would pass the limit, one last warning counts the rest. */
  static List<String> warnings(List<String> warnings, String uid) {
    List<String> fitted = new ArrayList<>();
    int total = 0;
    for (int i = 0; i < warnings.size(); i++) {
      String w = shorten(warnings.get(i), MAX_WARNING, uid);
      int remainingAfter = warnings.size() - i - 1;
      int reserve = remainingAfter == 0 ? 0 : bytes(more(remainingAfter, uid));
      if (total + bytes(w) + reserve > MAX_WARNINGS_TOTAL) {
        fitted.add(more(warnings.size() - i, uid));
        break;
      }
      fitted.add(w);
      total += bytes(w);
    }
    return fitted;
  }

  private static String more(int count, String uid) {
    return "promgate: …and " + count + " more" + pointer(uid);
  }

  /** Whole lines while they fit, then a line counting the rest. */
  static String message(String message, String uid) {
    if (bytes(message) < MAX_MESSAGE) {
      return message;
    }
    String[] lines = message.split("\n", -1);
    StringBuilder kept = new StringBuilder();
    int used = 0;
    for (int i = 0; i < lines.length; i++) {
      String rest = "\n…and " + (lines.length - i) + " more" + pointer(uid);
      String line = (i == 0 ? "" : "\n") + lines[i];
      if (used + bytes(line) + bytes(rest) >= MAX_MESSAGE) {
        if (i == 0) {
          return shorten(message, MAX_MESSAGE - 1, uid);
        }
        return kept.append(rest).toString();
      }
      kept.append(line);
      used += bytes(line);
    }
    return kept.toString();
  }

  static Map<String, String> annotations(Map<String, String> annotations, String uid) {
    boolean fits = true;
    for (String value : annotations.values()) {
      fits &= fits(value, MAX_ANNOTATION);
    }
    if (fits) {
      return annotations;
    }
    Map<String, String> fitted = new LinkedHashMap<>();
    annotations.forEach((key, value) -> fitted.put(key, shorten(value, MAX_ANNOTATION, uid)));
    return fitted;
  }

  /** {@code text} if it fits in {@code max} bytes, else its start, "…" and the pointer. */
  static String shorten(String text, int max, String uid) {
    if (fits(text, max)) {
      return text;
    }
    String tail = "…" + pointer(uid);
    return prefix(text, max - bytes(tail)) + tail;
  }

  /** The longest prefix of whole code points that fits in {@code max} UTF-8 bytes. */
  private static String prefix(String text, int max) {
    // Evidence and reasons are mostly ASCII: one byte per character needs no code point walk.
    int ascii = 0;
    int asciiEnd = Math.min(text.length(), max);
    while (ascii < asciiEnd && text.charAt(ascii) < 0x80) {
      ascii++;
    }
    if (ascii == asciiEnd) {
      return text.substring(0, ascii);
    }
    int used = ascii;
    int end = ascii;
    while (end < text.length()) {
      int cp = text.codePointAt(end);
      int size = encodedLength(cp);
      if (used + size > max) {
        break;
      }
      used += size;
      end += Character.charCount(cp);
    }
    return text.substring(0, end);
  }

  /** Whether {@code text} takes at most {@code max} UTF-8 bytes; counted only when its length leaves a doubt. */
  private static boolean fits(String text, int max) {
    // A character takes one to three bytes (a surrogate pair, two characters, takes four).
    if (text.length() > max) {
      return false;
    }
    return text.length() * 3L <= max || bytes(text) <= max;
  }

  /** UTF-8 bytes of {@code text}, counted without encoding it (a cached decision's texts are kilobytes). */
  static int bytes(String text) {
    int i = 0;
    while (i < text.length() && text.charAt(i) < 0x80) {
      i++;
    }
    int n = i;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      n += encodedLength(cp);
      i += Character.charCount(cp);
    }
    return n;
  }

  /** A code point's UTF-8 length; a lone surrogate is encoded as "?" (one byte), as String.getBytes does. */
  private static int encodedLength(int cp) {
    if (cp < 0x80 || cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
      return 1;
    }
    return cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}
