package dev.promgate.policy;

import dev.promgate.json.Mappers;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a {@code trustedRoot}: a file ({@code trustedRoot: trust/trusted_root.json}, for air-gapped
 * installs), or a TUF repository that keeps it current ({@code trustedRoot: {tuf: {mirror: URL,
 * root: FILE}}}). For TUF, what is read here is the last root the refresher verified into the local
 * cache (no network: {@code policy check} and every load stay offline); the cached file is an input
 * like any other, so a refresh that writes a new root reloads the policies. Before the first refresh
 * the root is not available, and signatures that need it are Unverifiable, not rejected.
 *
 * <p>The mirror's host must be allowed by the GateConfig ({@code spec.trustedRootMirrors}), like every
 * host promgate connects to; that is checked across files once the GateConfig is known. The cached
 * root is trusted as verified, so a cache directory that another user owns or can write is refused
 * ({@link PrivateDirectories}).
 */
final class TrustedRootReader {

  static final int MAX_TRUSTED_ROOT_BYTES = 4 << 20;
  static final int MAX_TUF_ROOT_BYTES = 1 << 20;
  static final Duration DEFAULT_REFRESH = Duration.ofHours(1);
  static final Duration MIN_REFRESH = Duration.ofMinutes(1);
  private static final JsonMapper JSON = Mappers.JSON;
  private static final List<String> ROLES = List.of("root", "timestamp", "snapshot", "targets");

  private final PolicyFile file;
  private final FileProblems problems;

  TrustedRootReader(PolicyFile file) {
    this.file = file;
    this.problems = file.problems;
  }

  /** The trusted root at {@code node}; null when it cannot be used (reported). */
  TrustedRoot read(Node node) {
    if (node instanceof MappingNode) {
      return tuf(node);
    }
    PolicyFile.ReadFile read = file.readReferenced(node, "trustedRoot", MAX_TRUSTED_ROOT_BYTES);
    if (read == null) {
      return null;
    }
    try {
      return new TrustedRoot(read.path(), read.display(), parse(read.bytes()), read.digest());
    } catch (SigstoreConfigurationException | RuntimeException e) {
      problems.at(node, "trustedRoot " + read.display() + " is not a valid Sigstore trusted root: " + rootCause(e));
      return null;
    }
  }

  /** What TrustedRootProvider.from(path).get() does, over bytes already read and digested. */
  static SigstoreTrustedRoot parse(byte[] json) throws SigstoreConfigurationException {
    return SigstoreTrustedRoot.from(new ByteArrayInputStream(json));
  }

  private TrustedRoot tuf(Node node) {
    Fields source = Fields.of(node, PolicyShapes.TRUSTED_ROOT_SOURCE, problems);
    Node tufNode = source == null ? null : source.value("tuf");
    if (tufNode == null) {
      return null;
    }
    Fields tuf = Fields.of(tufNode, PolicyShapes.TUF, problems);
    if (tuf == null) {
      return null;
    }
    URI mirror = mirror(tuf.value("mirror"));
    Node rootNode = tuf.value("root");
    PolicyFile.ReadFile root = rootNode == null ? null : file.readReferenced(rootNode, "root", MAX_TUF_ROOT_BYTES);
    boolean rootOk = root != null && tufRoot(rootNode, root);
    Path cache = cache(tuf.value("cache"));
    Duration refresh = tuf.value("refreshInterval") == null ? DEFAULT_REFRESH : tuf.duration("refreshInterval");
    if (refresh != null && refresh.compareTo(MIN_REFRESH) < 0) {
      problems.at(tuf.value("refreshInterval"), "refreshInterval must be at least 1m; a TUF mirror is not polled"
          + " more often");
      refresh = null;
    }
    Duration maxAge = tuf.value("maxAge") == null ? TrustedRoot.Tuf.DEFAULT_MAX_AGE : tuf.duration("maxAge");
    if (maxAge != null && refresh != null && maxAge.compareTo(refresh) <= 0) {
      problems.at(tuf.value("maxAge"), "maxAge (" + Durations.format(maxAge) + ") must be longer than refreshInterval ("
          + Durations.format(refresh) + "): the root would go out of use between two refreshes that succeed");
      maxAge = null;
    }
    if (mirror == null || !rootOk || cache == null || refresh == null || maxAge == null) {
      return null;
    }
    file.context.mirrors.add(new LoadContext.MirrorReference(mirror, tuf.value("mirror"), problems));
    String key = InputFiles.sha256((mirror + "\n" + root.digest()).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    TrustedRoot.Tuf repository = new TrustedRoot.Tuf(mirror, root.path(), root.digest(), cache.resolve(key), refresh,
        maxAge);
    Optional<String> unsafe = PrivateDirectories.problem(repository.cache());
    if (unsafe.isPresent()) {
      problems.at(tuf.value("cache") != null ? tuf.value("cache") : tufNode, "the TUF cache directory "
          + repository.cache() + " " + unsafe.get() + ": a trusted root there could have been written by someone"
          + " else; give promgate a cache directory only it can write");
      return null;
    }
    Path cached = repository.trustedRootFile();
    String display = "trusted root from TUF mirror " + mirror + " (cached in " + cached + ")";
    byte[] bytes;
    try {
      bytes = file.context.inputs.read(cached, MAX_TRUSTED_ROOT_BYTES);
    } catch (InputFiles.Unreadable notYet) {
      // Not fetched yet (or unreadable): usable once the refresher has verified one.
      return new TrustedRoot(cached, display, null, "tuf-pending:" + key, Optional.of(repository));
    }
    try {
      return new TrustedRoot(cached, display, parse(bytes), InputFiles.sha256(bytes), Optional.of(repository));
    } catch (SigstoreConfigurationException | RuntimeException e) {
      // The refresher verified it before writing; a damaged cache is rewritten by the next refresh.
      return new TrustedRoot(cached, display, null, InputFiles.sha256(bytes), Optional.of(repository));
    }
  }

  private URI mirror(Node node) {
    String text = node == null ? null : Fields.string(node, "mirror", problems);
    if (text == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.at(node, "mirror \"" + text + "\" is not a URL: " + e.getReason());
      return null;
    }
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      problems.at(node, "mirror \"" + text + "\" must be an https:// URL (http:// only for a mirror the GateConfig"
          + " marks insecure)");
      return null;
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      problems.at(node, "mirror \"" + text + "\" must be a plain URL: scheme, host, optional port and path");
      return null;
    }
    return uri;
  }

  /** A TUF root metadata file: {@code signed._type} root, a version, the four top-level roles. */
  private boolean tufRoot(Node node, PolicyFile.ReadFile read) {
    String prefix = "root " + read.display();
    JsonNode json;
    try {
      json = JSON.readTree(read.bytes());
    } catch (JacksonException e) {
      problems.at(node, prefix + " is not JSON: " + rootCause(e));
      return false;
    }
    JsonNode signed = json == null ? null : json.get("signed");
    if (signed == null || !signed.isObject() || !"root".equals(signed.path("_type").asText())
        || !json.path("signatures").isArray()) {
      problems.at(node, prefix + " is not TUF root metadata (expected {\"signed\": {\"_type\": \"root\", …},"
          + " \"signatures\": […]}, such as the root.json a Sigstore TUF repository publishes)");
      return false;
    }
    if (!signed.path("version").canConvertToInt() || signed.path("version").asInt() < 1) {
      problems.at(node, prefix + " has no version");
      return false;
    }
    for (String role : ROLES) {
      if (!signed.path("roles").path(role).isObject()) {
        problems.at(node, prefix + " defines no " + role + " role");
        return false;
      }
    }
    return true;
  }

  private Path cache(Node node) {
    if (node == null) {
      return Path.of(System.getProperty("java.io.tmpdir"), "promgate-tuf");
    }
    String text = Fields.string(node, "cache", problems);
    if (text == null) {
      return null;
    }
    try {
      Path path = Path.of(text);
      if (!path.isAbsolute()) {
        problems.at(node, "cache must be an absolute directory (a writable volume, e.g. /var/cache/promgate),"
            + " not \"" + text + "\": the policy directory is usually a read-only ConfigMap");
        return null;
      }
      return path.normalize();
    } catch (InvalidPathException e) {
      problems.at(node, "cache \"" + text + "\" is not a valid path");
      return null;
    }
  }

  static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    String line = message.lines().findFirst().orElse(message);
    // Parser messages may quote the file; keep them short in logs.
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }
}
