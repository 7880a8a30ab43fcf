package dev.promgate.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A container image reference, normalised like the container runtimes do it: {@code nginx}
 * becomes {@code docker.io/library/nginx}, {@code index.docker.io} becomes {@code docker.io}.
 *
 * <p>The grammar is distribution's {@code reference} package:
 * <pre>
 * reference        := name [ ":" tag ] [ "@" digest ]
 * name             := [domain '/'] remote-name
 * domain           := host [':' port-number]
 * host             := domain-name | "[" IPv6address "]"
 * domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 * path-component   := /[a-z0-9]+/ [separator /[a-z0-9]+/]*    separator := /[_.]|__|[-]+/
 * tag              := /[\w][\w.-]{0,127}/
 * </pre>
 * The first path element is the registry when it contains a {@code '.'} or a {@code ':'}, is
 * {@code localhost}, or has an uppercase letter; otherwise the image is on Docker Hub. The
 * normalised name must not be longer than 255 characters, and a bare 64-character hex string (an
 * image ID) is not a name — both as distribution's {@code ParseNormalizedNamed} decides.
 *
 * <p>Where promgate is stricter than distribution, on purpose:
 * <ul>
 *   <li>Normalisation is always applied: there is no unnormalised form, so a policy glob and a cache
 *       key see one spelling per repository.
 *   <li>Digests must be sha256, sha384 or sha512, of the exact length, lowercase (see {@link Digest}).
 *   <li>The registry host is lowercased (DNS names are case-insensitive), except when its
 *       uppercase letters are the only thing that marks it as a host, as in {@code Docker/docker}.
 *   <li>A first path element that must be a host ({@code a_b.com/foo}) but is not a valid host name
 *       is refused; distribution quietly reads it as a repository path with no registry.
 *   <li>Ports must be 1–65535 and IPv6 literals must be valid addresses; distribution only checks
 *       their characters.
 * </ul>
 * Values are validated on construction, whichever way they are made, so that {@code toString()}
 * always parses back to an equal value.
 *
 * @param registry   the registry host with optional port, e.g. {@code docker.io}, {@code 127.0.0.1:5000}
 * @param repository the path inside the registry, e.g. {@code library/nginx}
 * @param tag        the tag as written, or null
 * @param digest     the digest as written, or null; when both are written the digest governs
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {

  public static final String DOCKER_HUB = "docker.io";
  /** The legacy Docker Hub name, normalised to {@link #DOCKER_HUB}. */
  public static final String LEGACY_DOCKER_HUB = "index.docker.io";
  /** The longest normalised name, {@code registry/repository}, distribution accepts. */
  public static final int NAME_MAX_LENGTH = 255;
  private static final int TAG_MAX_LENGTH = 128;
  /**
   * The longest image string that can be a valid reference: a 255-character name, a 128-character
   * tag and a sha512 digest ({@code name:tag@sha512:<128 hex>}). Anything longer is invalid
   * whatever it holds, so nothing needs to keep it.
   */
  public static final int MAX_LENGTH = NAME_MAX_LENGTH + 1 + TAG_MAX_LENGTH + 1 + "sha512:".length() + 128;

  private static final String ALPHANUMERIC = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|[-]+)";
  private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*";
  private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
  private static final String DOMAIN = "(?:" + DOMAIN_NAME + "|" + IPV6 + ")(?::[0-9]+)?";
  private static final String TAG = "[\\w][\\w.-]{0,127}";
  private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  private static final String REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";

  /**
   * Distribution's whole grammar, the last gate after the checks that explain themselves. It only
   * ever sees bounded input (those checks cap every part's length), which keeps Java's
   * backtracking matcher away from long inputs.
   */
  private static final Pattern REFERENCE = Pattern.compile(
      "(?:" + DOMAIN + "/)?" + REMOTE_NAME + "(?::" + TAG + ")?(?:@" + DIGEST + ")?");
  private static final Pattern DOMAIN_NAME_PATTERN = Pattern.compile(DOMAIN_NAME);
  private static final Pattern PATH_COMPONENT_PATTERN = Pattern.compile(PATH_COMPONENT);
  private static final Pattern TAG_PATTERN = Pattern.compile(TAG);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

  private static final String EXPECTED_FORM = "expected [registry/]repository[:tag][@digest]";

  public ImageReference {
    String problem = partsProblem(registry, repository, tag);
    if (problem != null) {
      throw new InvalidReferenceException("invalid image reference "
          + Text.quote(registry + "/" + repository + (tag == null ? "" : ":" + tag)
              + (digest == null ? "" : "@" + digest))
          + ": " + problem, problem);
    }
  }

  /**
   * Parses an image string as a pod spec writes it and normalises it.
   *
   * @throws InvalidReferenceException whose message quotes the image and says what is wrong with it
   */
  public static ImageReference parse(String image) {
    if (image == null) {
      throw new InvalidReferenceException("image reference is missing");
    }
    if (image.isEmpty()) {
      throw new InvalidReferenceException("image reference is empty");
    }
    String problem = characterProblem(image);
    if (problem != null) {
      throw invalid(image, problem);
    }
    if (IDENTIFIER.matcher(image).matches()) {
      throw invalid(image, "a 64-character hex string is an image ID, not a repository name;"
          + " write repository@sha256:<hex>");
    }

    int at = image.indexOf('@');
    if (at >= 0 && image.indexOf('@', at + 1) >= 0) {
      throw invalid(image, "it contains more than one '@'; a reference has at most one digest");
    }
    String beforeDigest = at < 0 ? image : image.substring(0, at);
    String digestText = at < 0 ? null : image.substring(at + 1);
    if (beforeDigest.isEmpty()) {
      throw invalid(image, "the repository name before '@' is missing");
    }
    if (beforeDigest.startsWith("[") && beforeDigest.indexOf('/') < 0) {
      throw invalid(image, "an IPv6 registry must be followed by a repository path,"
          + " as in [::1]:5000/repository");
    }

    int lastSlash = beforeDigest.lastIndexOf('/');
    int colon = beforeDigest.lastIndexOf(':');
    String name = colon > lastSlash ? beforeDigest.substring(0, colon) : beforeDigest;
    String tag = colon > lastSlash ? beforeDigest.substring(colon + 1) : null;
    if (name.isEmpty()) {
      throw invalid(image, "the repository name before ':' is missing");
    }
    if (name.contains("://")) {
      throw invalid(image, "an image reference has no URL scheme; write the registry host"
          + " without it, as in registry.example/repository");
    }

    int slash = name.indexOf('/');
    String host = slash >= 0 && looksLikeHost(name.substring(0, slash)) ? name.substring(0, slash) : null;
    String path = host == null ? name : name.substring(slash + 1);
    String registry = host == null ? DOCKER_HUB : normalizeHost(host);
    String repository = normalizeRepository(registry, path);
    // Length first: the pattern checks below then only ever see bounded input.
    if ((problem = lengthProblem(registry, repository)) != null) {
      throw invalid(image, problem);
    }
    if (host != null && (problem = hostProblem(host)) != null) {
      throw invalid(image, problem);
    }
    if (path.isEmpty()) {
      throw invalid(image, "the repository path after registry " + Text.quote(host) + " is missing");
    }
    if ((problem = pathProblem(path)) != null) {
      throw invalid(image, problem);
    }
    if (tag != null && (problem = tagProblem(tag)) != null) {
      throw invalid(image, problem);
    }
    if (digestText != null && (problem = digestProblem(digestText)) != null) {
      throw invalid(image, problem);
    }

    if (!REFERENCE.matcher(image).matches()) {
      // Every part passed its own check; reaching this line means those checks have a gap.
      throw invalid(image, "it is not a valid image reference (" + EXPECTED_FORM + ")");
    }
    return new ImageReference(registry, repository, tag,
        digestText == null ? null : Digest.parse(digestText));
  }

  /**
   * Builds a digest reference from a registry and repository written elsewhere (a policy, a CLI
   * argument), normalised like {@link #parse}: {@code ("docker.io", "nginx")} is
   * {@code docker.io/library/nginx}.
   */
  public static ImageReference of(String registry, String repository, Digest digest) {
    if (registry == null || repository == null) {
      throw new InvalidReferenceException("registry and repository are both required");
    }
    // An invalid or overlong registry is passed on as written, for the constructor to report.
    String host = registry.length() <= NAME_MAX_LENGTH && hostProblem(registry) == null
        ? normalizeHost(registry) : registry;
    return new ImageReference(host, normalizeRepository(host, repository), null, digest);
  }

  /** The normalised repository, {@code registry/path}: what policies match against. */
  public String name() {
    return registry + "/" + repository;
  }

  /** Whether the reference pins content: a digest is present (a tag beside it is only a label). */
  public boolean isPinned() {
    return digest != null;
  }

  /** The tag a registry resolves for this reference: its own, or {@code latest} when it has none. */
  public String tagOrLatest() {
    return tag == null ? "latest" : tag;
  }

  /** The same repository at another digest, without the tag. */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, null, newDigest);
  }

  /** The same repository with only a tag; the tag is checked against the grammar. */
  public ImageReference withTag(String newTag) {
    if (newTag == null) {
      throw new InvalidReferenceException("tag is missing");
    }
    return new ImageReference(registry, repository, newTag, null);
  }

  /** {@code name@digest}, the pinned form users should write. */
  public String pinnedForm(Digest pin) {
    return name() + "@" + pin;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(name());
    if (tag != null) {
      s.append(':').append(tag);
    }
    if (digest != null) {
      s.append('@').append(digest);
    }
    return s.toString();
  }

  private static InvalidReferenceException invalid(String image, String reason) {
    return new InvalidReferenceException("invalid image reference " + Text.quote(image) + ": " + reason, reason);
  }

  /** Image references are printable ASCII; anything else is named with its position. */
  private static String characterProblem(String image) {
    int position = 0;
    for (int i = 0; i < image.length(); ) {
      int c = image.codePointAt(i);
      i += Character.charCount(c);
      position++;
      if (c <= 0x20 || c >= 0x7f) {
        String where = position == 1 ? "at the start"
            : i == image.length() ? "at the end" : "at position " + position;
        return "it contains " + Text.describe(c) + " " + where
            + (c > 0x7f && Character.isLetterOrDigit(c)
                ? "; image references are ASCII, is it a look-alike of a Latin letter?" : "");
      }
    }
    return null;
  }

  /** distribution's splitDockerDomain rule for the first path element. */
  private static boolean looksLikeHost(String first) {
    return first.indexOf('.') >= 0 || first.indexOf(':') >= 0 || first.equals("localhost")
        || !first.toLowerCase(Locale.ROOT).equals(first);
  }

  private static String normalizeHost(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    String chosen = looksLikeHost(lower) ? lower : host;
    return chosen.equals(LEGACY_DOCKER_HUB) ? DOCKER_HUB : chosen;
  }

  private static String normalizeRepository(String registry, String path) {
    return registry.equals(DOCKER_HUB) && path.indexOf('/') < 0 ? "library/" + path : path;
  }

  /** What is wrong with parts given to the constructor, or null. */
  private static String partsProblem(String registry, String repository, String tag) {
    if (registry == null || registry.isEmpty()) {
      return "the registry is missing";
    }
    if (repository == null || repository.isEmpty()) {
      return "the repository is missing";
    }
    String problem = lengthProblem(registry, repository);
    if (problem != null) {
      return problem;
    }
    if ((problem = hostProblem(registry)) != null) {
      return problem;
    }
    if (!looksLikeHost(registry)) {
      return "registry " + Text.quote(registry) + " would be read as a repository path;"
          + " a registry host has a '.' or a ':port', or is localhost";
    }
    if (!normalizeHost(registry).equals(registry)) {
      return "registry " + Text.quote(registry) + " is not normalised; use "
          + Text.quote(normalizeHost(registry));
    }
    if ((problem = pathProblem(repository)) != null) {
      return problem;
    }
    if (!normalizeRepository(registry, repository).equals(repository)) {
      return "Docker Hub repository " + Text.quote(repository) + " is not normalised; use "
          + Text.quote(normalizeRepository(registry, repository));
    }
    return tag == null ? null : tagProblem(tag);
  }

  private static String lengthProblem(String registry, String repository) {
    int length = registry.length() + 1 + repository.length();
    if (length > NAME_MAX_LENGTH) {
      return "the normalised repository name is " + length + " characters long, over the limit of "
          + NAME_MAX_LENGTH + ": " + Text.quote(registry + "/" + repository);
    }
    return null;
  }

  private static String hostProblem(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return "IPv6 registry host " + Text.quote(host) + " has no closing ']'";
      }
      String address = host.substring(1, close);
      if (!isIpv6(address)) {
        return "registry host " + Text.quote(host.substring(0, close + 1)) + " is not a valid IPv6"
            + " address (zone IDs and embedded IPv4 addresses are not allowed)";
      }
      String rest = host.substring(close + 1);
      if (rest.isEmpty()) {
        return null;
      }
      if (rest.charAt(0) != ':') {
        return "unexpected " + Text.quote(rest) + " after IPv6 address "
            + Text.quote(host.substring(0, close + 1)) + "; write [address]:port";
      }
      return portProblem(rest.substring(1));
    }
    int colon = host.indexOf(':');
    if (colon >= 0 && host.indexOf(':', colon + 1) >= 0) {
      return host.chars().allMatch(c -> c == ':' || Character.digit(c, 16) >= 0)
          ? "registry host " + Text.quote(host) + " looks like an IPv6 address;"
              + " write it in brackets, as in [fd00::1]:5000"
          : "registry " + Text.quote(host) + " has more than one ':'; write host:port";
    }
    String hostName = colon < 0 ? host : host.substring(0, colon);
    if (hostName.isEmpty()) {
      return "the registry host before ':' is missing";
    }
    if (!DOMAIN_NAME_PATTERN.matcher(hostName).matches()) {
      return "registry host " + Text.quote(hostName) + " is not a valid host name (letters, digits"
          + " and '-' in dot-separated labels that neither start nor end with '-')";
    }
    return colon < 0 ? null : portProblem(host.substring(colon + 1));
  }

  private static String portProblem(String port) {
    if (port.isEmpty()) {
      return "the port after ':' is missing";
    }
    for (int i = 0; i < port.length(); i++) {
      if (port.charAt(i) < '0' || port.charAt(i) > '9') {
        return "port " + Text.quote(port) + " is not a number";
      }
    }
    if (port.length() > 5 || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535) {
      return "port " + port + " is out of range (1-65535)";
    }
    return null;
  }

  /** RFC 4291 text form, hex groups only: 8 groups, or fewer with one "::". */
  private static boolean isIpv6(String address) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (!(c == ':' || Character.digit(c, 16) >= 0)) {
        return false;
      }
    }
    int gap = address.indexOf("::");
    if (gap < 0) {
      return groups(address) == 8;
    }
    if (address.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    String left = address.substring(0, gap);
    String right = address.substring(gap + 2);
    int leftGroups = left.isEmpty() ? 0 : groups(left);
    int rightGroups = right.isEmpty() ? 0 : groups(right);
    return leftGroups >= 0 && rightGroups >= 0 && leftGroups + rightGroups <= 7;
  }

  /** The number of 1–4 digit hex groups separated by single colons, or -1. */
  private static int groups(String s) {
    String[] parts = s.split(":", -1);
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 4) {
        return -1;
      }
    }
    return parts.length;
  }

  private static String pathProblem(String path) {
    String[] components = path.split("/", -1);
    for (String component : components) {
      if (component.isEmpty()) {
        return "repository path " + Text.quote(path)
            + " has an empty component (a '//', or a '/' at the start or end)";
      }
    }
    if (!path.toLowerCase(Locale.ROOT).equals(path)) {
      return "repository path " + Text.quote(path) + " must be lowercase";
    }
    for (String component : components) {
      if (!PATH_COMPONENT_PATTERN.matcher(component).matches()) {
        return "repository path component " + Text.quote(component) + " is not valid (lowercase"
            + " letters and digits, joined by a single '.', one or two '_', or any number of '-')";
      }
    }
    return null;
  }

  private static String tagProblem(String tag) {
    if (tag.isEmpty()) {
      return "the tag after ':' is missing";
    }
    if (tag.length() > TAG_MAX_LENGTH) {
      return "the tag is " + tag.length() + " characters long; the limit is " + TAG_MAX_LENGTH;
    }
    if (tag.charAt(0) == '.' || tag.charAt(0) == '-') {
      return "tag " + Text.quote(tag) + " must not start with '.' or '-'";
    }
    if (!TAG_PATTERN.matcher(tag).matches()) {
      for (int i = 0; i < tag.length(); ) {
        int c = tag.codePointAt(i);
        if (!(c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '-'))) {
          return "tag " + Text.quote(tag) + " contains " + Text.describe(c)
              + "; tags are letters, digits, '_', '.' and '-'";
        }
        i += Character.charCount(c);
      }
      return "tag " + Text.quote(tag) + " is not valid";
    }
    return null;
  }

  private static String digestProblem(String digestText) {
    if (digestText.isEmpty()) {
      return "'@' is not followed by a digest (expected @sha256:<64 hex characters>)";
    }
    String problem = Digest.problem(digestText);
    return problem == null ? null : "digest " + Text.quote(digestText) + " is not valid: " + problem;
  }

  /**
   * An image string as written by whoever submitted the pod, safe to put into a message: as-is when
   * it is printable ASCII, otherwise quoted with escapes (control characters, bidi overrides and
   * look-alike letters must not reach kubectl output or logs unescaped).
   */
  public static String printable(String image) {
    if (image.length() <= 256) {
      boolean plain = true;
      for (int i = 0; i < image.length() && plain; i++) {
        char c = image.charAt(i);
        plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\';
      }
      if (plain) {
        return image;
      }
    }
    return Text.quote(image);
  }
}
