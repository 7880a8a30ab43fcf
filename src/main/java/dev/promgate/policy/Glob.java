package dev.promgate.policy;

import java.util.regex.Pattern;

/**
 * A glob over slash-separated names: {@code *} matches within one path segment, {@code **} across
 * segments (including none), {@code ?} one character other than '/'. Used for image repositories
 * ({@code registry.acme.example/shop/**}) and namespace names ({@code *-prod}).
 */
public final class Glob {
  private final String text;
  private final Pattern pattern;

  private Glob(String text, Pattern pattern) {
    this.text = text;
    this.pattern = pattern;
  }

  /** Compiles a glob; throws {@link IllegalArgumentException} saying what is wrong. */
  public static Glob compile(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("a glob must not be empty");
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '*') {
        boolean twoStars = i + 1 < text.length() && text.charAt(i + 1) == '*';
        if (twoStars) {
          if (i + 2 < text.length() && text.charAt(i + 2) == '*') {
            throw new IllegalArgumentException("glob \"" + text + "\" has '***'; use '*' or '**'");
          }
          // "a/**/b" also matches "a/b": the slash after ** is optional.
          if (i + 2 < text.length() && text.charAt(i + 2) == '/') {
            regex.append("(?:.*/)?");
            i += 2;
          } else {
            regex.append(".*");
            i++;
          }
        } else {
          regex.append("[^/]*");
        }
      } else if (c == '?') {
        regex.append("[^/]");
      } else if (c == '[' || c == ']' || c == '{' || c == '}' || c == '\\') {
        throw new IllegalArgumentException("glob \"" + text + "\" uses '" + c
            + "', which promgate globs do not support (only *, ** and ?)");
      } else if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException("glob \"" + text + "\" contains white space or a control character");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new Glob(text, Pattern.compile(regex.toString()));
  }

  public boolean matches(String name) {
    return pattern.matcher(name).matches();
  }

  /** A glob without wildcards matches exactly one name. */
  public boolean isLiteral() {
    return text.indexOf('*') < 0 && text.indexOf('?') < 0;
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Glob g && g.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
