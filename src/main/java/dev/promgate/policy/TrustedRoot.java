package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
   * @param maxAge     how long after the mirror last confirmed it the cached root may still be used
   *                   when refreshes fail ({@code maxAge}; {@link #DEFAULT_MAX_AGE} unless set)
   */
  public record Tuf(URI mirror, Path rootFile, String rootDigest, Path cache, Duration refresh, Duration maxAge) {

    /**
     * A week: the TUF specification has a client stop trusting metadata once it expires, and
     * Sigstore's public-good repository re-signs its shortest-lived role (timestamp) well within a
     * week. A root the mirror has not confirmed for longer may lack a key rotation or a revocation.
     */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

    public Tuf {
      Objects.requireNonNull(maxAge, "maxAge");
    }

    public Tuf(URI mirror, Path rootFile, String rootDigest, Path cache, Duration refresh) {
      this(mirror, rootFile, rootDigest, cache, refresh, DEFAULT_MAX_AGE);
    }

    /** The verified {@code trusted_root.json} target, as the last refresh wrote it. */
    public Path trustedRootFile() {
      return cache.resolve("trusted_root.json");
    }

    /** Where a refresh records when the mirror last confirmed the cached root. */
    public Path verifiedAtFile() {
      return cache.resolve("verified-at");
    }

    /**
     * When the mirror last confirmed the cached root (it survives restarts): the time the last
     * successful refresh recorded, else when the root file was written; empty when neither is known.
     */
    public Optional<Instant> verifiedAt() {
      try {
        return Optional.of(Instant.parse(Files.readString(verifiedAtFile()).strip()));
      } catch (IOException | DateTimeParseException | SecurityException e) {
        try {
          return Optional.of(Files.getLastModifiedTime(trustedRootFile()).toInstant());
        } catch (IOException | SecurityException notThere) {
          return Optional.empty();
        }
      }
    }

    /**
     * Why the cached root must not be used at {@code now}, or empty: the mirror last confirmed it
     * ({@code at}, as {@link #verifiedAt()} reads it from the cache each time, so that a refresh that
     * confirms the same root, and loads no new policies, makes it usable again at once) longer than
     * {@code maxAge} ago.
     */
    public Optional<String> tooOld(Optional<Instant> at, Instant now) {
      if (at.isPresent() && !now.isAfter(at.get().plus(maxAge))) {
        return Optional.empty();
      }
      String root = "the trusted root from TUF mirror " + mirror;
      if (at.isEmpty()) {
        return Optional.of(root + " has no record of when the mirror last confirmed it, so it is not used until a"
            + " refresh succeeds");
      }
      return Optional.of(root + " was last refreshed at " + at.get() + ", "
          + Durations.format(Duration.between(at.get(), now).truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
          + " ago, longer than its maxAge of " + Durations.format(maxAge) + ", so it is not used until a refresh"
          + " succeeds (the log says why the mirror could not be refreshed)");
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
