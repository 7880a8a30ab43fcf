package dev.promgate.policy;

import java.util.Locale;

/**
 * A host that promgate may connect to on a registry's behalf (a token service, a storage host that
 * blobs redirect to): {@code host} or {@code host:port}. A {@code *} inside a DNS label matches one
 * or more letters, digits or '-' of that one label, never a dot, so {@code *.blob.core.windows.net}
 * matches {@code acct.blob.core.windows.net} but neither {@code blob.core.windows.net} nor
 * {@code a.b.blob.core.windows.net}. Without a port, only the scheme's default port (443, or 80
 * for an insecure registry) matches.
 *
 * <p>Wildcards are refused in the last two labels, so no pattern can cover a whole top-level
 * domain, and in IP addresses.
 */
public record HostPattern(String host, int port) {

  /** The port a pattern without {@code :port} stands for: the scheme's default. */
  public static final int DEFAULT_PORT = -1;

  public HostPattern {
    String problem = problem(host, port);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Parses {@code host[:port]}; throws {@link IllegalArgumentException} saying what is wrong. */
  public static HostPattern parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("a host must not be empty");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.contains("/")) {
      throw new IllegalArgumentException("\"" + text + "\" is not a host: write host or host:port, without scheme or path");
    }
    int colon = t.lastIndexOf(':');
    boolean bracketed = t.startsWith("[");
    if (colon > 0 && (!bracketed || colon > t.indexOf(']'))) {
      String portText = t.substring(colon + 1);
      if (!portText.matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("port \"" + portText + "\" of \"" + text + "\" is not a number");
      }
      return new HostPattern(t.substring(0, colon), Integer.parseInt(portText));
    }
    return new HostPattern(t, DEFAULT_PORT);
  }

  /**
   * Whether a connection to {@code candidateHost:candidatePort} matches.
   *
   * @param defaultPort the default port of the URL's scheme (443 or 80)
   */
  public boolean matches(String candidateHost, int candidatePort, int defaultPort) {
    int wanted = port == DEFAULT_PORT ? defaultPort : port;
    if (candidatePort != wanted) {
      return false;
    }
    String candidate = candidateHost.toLowerCase(Locale.ROOT);
    if (host.indexOf('*') < 0) {
      return host.equals(candidate);
    }
    String[] patternLabels = host.split("\\.", -1);
    String[] labels = candidate.split("\\.", -1);
    if (patternLabels.length != labels.length) {
      return false;
    }
    for (int i = 0; i < labels.length; i++) {
      if (!labelMatches(patternLabels[i], labels[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean labelMatches(String pattern, String label) {
    int star = pattern.indexOf('*');
    if (star < 0) {
      return pattern.equals(label);
    }
    String prefix = pattern.substring(0, star);
    String suffix = pattern.substring(star + 1);
    if (label.length() < prefix.length() + suffix.length() + 1
        || !label.startsWith(prefix) || !label.endsWith(suffix)) {
      return false;
    }
    String middle = label.substring(prefix.length(), label.length() - suffix.length());
    return middle.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }

  private static String problem(String host, int port) {
    if (host == null || host.isEmpty()) {
      return "a host must not be empty";
    }
    if (port != DEFAULT_PORT && (port < 1 || port > 65535)) {
      return "port " + port + " of host \"" + host + "\" is out of range (1-65535)";
    }
    if (host.startsWith("[")) {
      return host.endsWith("]") && host.indexOf('*') < 0 && host.length() > 2 && host.substring(1, host.length() - 1)
          .chars().allMatch(c -> c == ':' || Character.digit(c, 16) >= 0)
          ? null : "\"" + host + "\" is not a valid IPv6 address in brackets (no wildcards)";
    }
    String[] labels = host.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty()) {
        return "host \"" + host + "\" has an empty label (a '..', or a '.' at the start or end)";
      }
      if (label.indexOf('*') != label.lastIndexOf('*')) {
        return "host \"" + host + "\" has more than one '*' in the label \"" + label + "\"";
      }
      if (!label.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*')) {
        return "host \"" + host + "\" may hold only letters, digits, '-', '.' and '*'";
      }
    }
    if (host.indexOf('*') >= 0) {
      if (labels.length < 3) {
        return "host \"" + host + "\" puts a '*' within the last two labels; a pattern must name its domain,"
            + " as in *.blob.core.windows.net";
      }
      for (int i = labels.length - 2; i < labels.length; i++) {
        if (labels[i].indexOf('*') >= 0) {
          return "host \"" + host + "\" puts a '*' within the last two labels; a pattern must name its domain,"
              + " as in *.blob.core.windows.net";
        }
      }
      if (host.chars().filter(c -> c == '.').count() == 3 && labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
        return "host \"" + host + "\" is an IP address with a '*'; list IP addresses exactly";
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return port == DEFAULT_PORT ? host : host + ":" + port;
  }
}
