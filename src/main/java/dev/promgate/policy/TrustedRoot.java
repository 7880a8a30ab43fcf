package dev.promgate.policy;

import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Sigstore trusted root that an authority checks signatures, log entries and timestamps against:
 * the certificate authorities (Fulcio), transparency logs (Rekor), CT logs and timestamp authorities
 * of one Sigstore instance, read offline from a file.
 *
 * @param file    where it was read from
 * @param display the file as the policy names it, for {@code policy check} problems
 * @param root    its parsed content
 * @param digest sha256 of the file's bytes, hex, so that a changed root changes fingerprints and
 *               verifiers
 */
public record TrustedRoot(Path file, String display, SigstoreTrustedRoot root, String digest) {

  public TrustedRoot(Path file, SigstoreTrustedRoot root, String digest) {
    this(file, file.toString(), root, digest);
  }

  public TrustedRoot {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(display, "display");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(digest, "digest");
  }

  /** How messages name it: by file name, since where it lives on the server is nobody else's business. */
  public String description() {
    Path name = file.getFileName();
    return "trusted root " + (name == null ? file : name);
  }

  @Override
  public String toString() {
    return description();
  }
}
