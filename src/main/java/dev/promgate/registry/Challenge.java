package dev.promgate.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code WWW-Authenticate} challenge: {@code Bearer realm="…",service="…",scope="…"} (Docker Hub,
 * GHCR, Harbor, distribution's token auth) or {@code Basic realm="…"} (htpasswd, ECR).
 *
 * @param scheme lower case: {@code bearer} or {@code basic} (others are parsed but not usable)
 * @param params the auth-params, names in lower case
 */
record Challenge(String scheme, Map<String, String> params) {

  Challenge {
    params = Map.copyOf(params);
  }

  boolean isBearer() {
    return scheme.equals("bearer");
  }

  boolean isBasic() {
    return scheme.equals("basic");
  }

  Optional<String> realm() {
    return Optional.ofNullable(params.get("realm"));
  }

  Optional<String> service() {
    return Optional.ofNullable(params.get("service"));
  }

  Optional<String> scope() {
    return Optional.ofNullable(params.get("scope"));
  }

  Optional<String> error() {
    return Optional.ofNullable(params.get("error"));
  }

  /** The most useful challenge among all the header values: Bearer first, then Basic. */
  static Optional<Challenge> best(List<String> headerValues) {
    List<Challenge> all = new ArrayList<>();
    for (String value : headerValues) {
      all.addAll(parse(value));
    }
    return all.stream().filter(Challenge::isBearer).findFirst()
        .or(() -> all.stream().filter(Challenge::isBasic).findFirst());
  }

  /**
   * Parses one header value, which may hold several challenges ({@code Basic realm="a", Bearer
   * realm="b"}). Quoted strings may contain commas and backslash escapes.
   */
  static List<Challenge> parse(String header) {
    List<Challenge> out = new ArrayList<>();
    if (header == null) {
      return out;
    }
    int i = 0;
    int n = header.length();
    String scheme = null;
    Map<String, String> params = new LinkedHashMap<>();
    while (i < n) {
      while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',' || header.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && isTokenChar(header.charAt(i))) {
        i++;
      }
      if (start == i) {
        i++;
        continue;
      }
      String token = header.substring(start, i);
      int j = i;
      while (j < n && header.charAt(j) == ' ') {
        j++;
      }
      if (j < n && header.charAt(j) == '=' && scheme != null) {
        j++;
        while (j < n && header.charAt(j) == ' ') {
          j++;
        }
        StringBuilder value = new StringBuilder();
        if (j < n && header.charAt(j) == '"') {
          j++;
          while (j < n && header.charAt(j) != '"') {
            if (header.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            value.append(header.charAt(j++));
          }
          j++;
        } else {
          while (j < n && header.charAt(j) != ',' && header.charAt(j) != ' ') {
            value.append(header.charAt(j++));
          }
        }
        params.put(token.toLowerCase(Locale.ROOT), value.toString());
        i = j;
      } else {
        if (scheme != null) {
          out.add(new Challenge(scheme, params));
          params = new LinkedHashMap<>();
        }
        scheme = token.toLowerCase(Locale.ROOT);
        i = j;
      }
    }
    if (scheme != null) {
      out.add(new Challenge(scheme, params));
    }
    return out;
  }

  private static boolean isTokenChar(char c) {
    return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} ".indexOf(c) < 0;
  }
}
