package dev.promgate.image;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image reference, normalised like the container runtimes do it: {@code nginx}
 * becomes {@code docker.io/library/nginx}, {@code index.docker.io} becomes {@code docker.io}.
 *
 * <p>The grammar is distribution's {@code reference} package (v0.6):
 * <pre>
 * reference        := name [ ":" tag ] [ "@" digest ]
 * name             := [domain '/'] remote-name
 * domain           := host [':' port-number]
 * host             := domain-name | "[" IPv6address "]"
 * domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 * path-component   := /[a-z0-9]+/ [separator /[a-z0-9]+/]*    separator := /[_.]|__|[-]+/
 * tag              := /[\w][\w.-]{0,127}/
 * </pre>
 * A name longer than 255 characters and a remote name that is a bare 64-character hex string
 * (an image ID, not a name) are refused, as distribution refuses them.
 *
 * @param registry   the registry host with optional port, e.g. {@code docker.io}, {@code 127.0.0.1:5000}
 * @param repository the path inside the registry, e.g. {@code library/nginx}
 * @param tag        the tag as written, or null
 * @param digest     the digest as written, or null; when both are written the digest governs
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {

  public static final String DOCKER_HUB = "docker.io";
  private static final int NAME_TOTAL_LENGTH_MAX = 255;

  private static final String ALPHANUMERIC = "[a-z0-9]+";
  private static final String SEPARATOR = "(?:[._]|__|[-]+)";
  private static final String PATH_COMPONENT = ALPHANUMERIC + "(?:" + SEPARATOR + ALPHANUMERIC + ")*";
  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
  private static final String HOST = "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|" + IPV6 + ")";
  private static final String DOMAIN = HOST + "(?::[0-9]+)?";
  private static final String TAG = "[\\w][\\w.-]{0,127}";
  private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
  private static final String REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";

  private static final Pattern REFERENCE = Pattern.compile(
      "((?:" + DOMAIN + "/)?" + REMOTE_NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
  private static final Pattern DOMAIN_PATTERN = Pattern.compile(DOMAIN);
  private static final Pattern REMOTE_NAME_PATTERN = Pattern.compile(REMOTE_NAME);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-f0-9]{64}");

  public ImageReference {
    if (registry == null || registry.isEmpty()) {
      throw new InvalidReferenceException("registry is missing");
    }
    if (repository == null || repository.isEmpty()) {
      throw new InvalidReferenceException("repository is missing");
    }
  }

  /**
   * Parses an image string as a pod spec writes it and normalises it.
   *
   * @throws InvalidReferenceException with a reason a user can act on
   */
  public static ImageReference parse(String image) {
    if (image == null || image.isEmpty()) {
      throw new InvalidReferenceException("image reference is empty");
    }
    if (image.length() > 4096) {
      throw new InvalidReferenceException("image reference is longer than 4096 characters");
    }
    if (!image.equals(image.strip())) {
      throw new InvalidReferenceException("image reference \"" + Digest.abbreviate(image)
          + "\" has leading or trailing white space");
    }
    Matcher m = REFERENCE.matcher(image);
    if (!m.matches()) {
      throw new InvalidReferenceException(explainMismatch(image));
    }
    String name = m.group(1);
    if (name.length() > NAME_TOTAL_LENGTH_MAX) {
      throw new InvalidReferenceException("repository name must not be longer than "
          + NAME_TOTAL_LENGTH_MAX + " characters");
    }
    String tag = m.group(2);
    Digest digest = m.group(3) == null ? null : Digest.parse(m.group(3));

    String registry;
    String remote;
    int slash = name.indexOf('/');
    String first = slash < 0 ? "" : name.substring(0, slash);
    if (slash < 0 || (!first.contains(".") && !first.contains(":") && !first.equals("localhost")
        && first.toLowerCase(Locale.ROOT).equals(first))) {
      registry = DOCKER_HUB;
      remote = name;
    } else {
      registry = first;
      remote = name.substring(slash + 1);
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && remote.indexOf('/') < 0) {
      remote = "library/" + remote;
    }
    if (IDENTIFIER.matcher(remote).matches()) {
      throw new InvalidReferenceException("\"" + remote
          + "\" is a 64-character hex string, which is an image ID, not a repository name");
    }
    return new ImageReference(registry, remote, tag, digest);
  }

  /** Builds a reference from parts that were validated elsewhere (a policy, a CLI argument). */
  public static ImageReference of(String registry, String repository, Digest digest) {
    if (!DOMAIN_PATTERN.matcher(registry).matches()) {
      throw new InvalidReferenceException("\"" + Digest.abbreviate(registry) + "\" is not a registry host");
    }
    if (!REMOTE_NAME_PATTERN.matcher(repository).matches()) {
      throw new InvalidReferenceException("\"" + Digest.abbreviate(repository) + "\" is not a repository path");
    }
    return new ImageReference(registry, repository, null, digest);
  }

  /** The normalised repository, {@code registry/path}: what policies match against. */
  public String name() {
    return registry + "/" + repository;
  }

  /** Whether the reference pins content: a digest is present (a tag beside it is only a label). */
  public boolean isPinned() {
    return digest != null;
  }

  public Optional<String> tagName() {
    return Optional.ofNullable(tag);
  }

  public Optional<Digest> digestValue() {
    return Optional.ofNullable(digest);
  }

  /** The same repository at another digest, without the tag. */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, null, newDigest);
  }

  /** The same repository with only a tag. */
  public ImageReference withTag(String newTag) {
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

  private static String explainMismatch(String image) {
    String shown = "\"" + Digest.abbreviate(image) + "\"";
    int at = image.indexOf('@');
    String beforeDigest = at < 0 ? image : image.substring(0, at);
    if (at >= 0) {
      String digestPart = image.substring(at + 1);
      try {
        Digest.parse(digestPart);
      } catch (InvalidReferenceException e) {
        return shown + " has an invalid digest: " + e.getMessage();
      }
    }
    int lastSlash = beforeDigest.lastIndexOf('/');
    int colon = beforeDigest.lastIndexOf(':');
    String name = colon > lastSlash ? beforeDigest.substring(0, colon) : beforeDigest;
    String tag = colon > lastSlash ? beforeDigest.substring(colon + 1) : null;
    if (tag != null && !tag.matches(TAG)) {
      return shown + " has an invalid tag \"" + Digest.abbreviate(tag)
          + "\" (tags are up to 128 letters, digits, '_', '.', '-', not starting with '.' or '-')";
    }
    int slash = name.indexOf('/');
    String remote = name;
    if (slash >= 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")
          || !first.toLowerCase(Locale.ROOT).equals(first)) {
        if (!DOMAIN_PATTERN.matcher(first).matches()) {
          return shown + " has an invalid registry host \"" + Digest.abbreviate(first) + "\"";
        }
        remote = name.substring(slash + 1);
      }
    }
    if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
      return shown + ": repository name must be lowercase";
    }
    return shown + " is not a valid image reference (expected [registry/]repository[:tag][@digest])";
  }
}
