package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A Sigstore trusted root that an authority checks signatures, log entries and timestamps against:
 * the certificate authorities (Fulcio), transparency logs (Rekor), CT logs and timestamp authorities
 * of one Sigstore instance. Read offline from a file, or kept current through TUF: then {@code file}
 * is the last root verified from the mirror, in the local cache, and the root is absent until the
 * first refresh has verified one.
 *
 * @param file    where it was read from (for TUF: the cached verified root)
 * @param display the file as the policy names it, for {@code policy check} problems
 * @param root    its parsed content; null only for a TUF root not fetched yet
 * @param digest  sha256 of the file's bytes, hex, so that a changed root changes fingerprints and
 *                verifiers
 * @param tuf     the TUF repository it comes from, if any
 */
public record TrustedRoot(Path file, String display, SigstoreTrustedRoot root, String digest, Optional<Tuf> tuf) {

  public TrustedRoot {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(display, "display");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(tuf, "tuf");
    if (root == null && tuf.isEmpty()) {
      throw new IllegalArgumentException("a trusted root file must be read");
    }
  }

  public TrustedRoot(Path file, String display, SigstoreTrustedRoot root, String digest) {
    this(file, display, root, digest, Optional.empty());
  }

  public TrustedRoot(Path file, SigstoreTrustedRoot root, String digest) {
    this(file, file.toString(), root, digest);
  }

  /**
   * A trusted root kept current through TUF ({@code trustedRoot: {tuf: {mirror, root}}}).
   *
   * @param mirror     the TUF repository's base URL
   * @param rootFile   the TUF root metadata that anchors trust in the repository
   * @param rootDigest sha256 of that file, hex
   * @param cache      the directory holding this repository's verified metadata and targets
   * @param refresh    how often to look for new metadata
   */
  public record Tuf(URI mirror, Path rootFile, String rootDigest, Path cache, Duration refresh) {
    /** The verified {@code trusted_root.json} target, as the last refresh wrote it. */
    public Path trustedRootFile() {
      return cache.resolve("trusted_root.json");
    }
  }

  /** Whether the root can be used: always for a file, for TUF once a refresh has verified one. */
  public boolean available() {
    return root != null;
  }

  /** How messages name it: by file name, since where it lives on the server is nobody else's business. */
  public String description() {
    if (tuf.isPresent()) {
      return "trusted root from TUF mirror " + tuf.get().mirror();
    }
    Path name = file.getFileName();
    return "trusted root " + (name == null ? file : name);
  }

  @Override
  public String toString() {
    return description();
  }
}
