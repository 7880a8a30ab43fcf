package dev.promgate.verdict;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An image signature that verified.
 *
 * @param source    where it was found and what it names, e.g.
 *                  {@code registry.acme.example/shop/web:sha256-….sig layer 0 (signed as …)}
 * @param expiresAt when it stops counting, if it was checked against something that ends: a
 *                  Notation signature's expiry, or a certificate chain checked as valid now
 */
public record SignatureEvidence(String authority, String identity, String source, Optional<Instant> expiresAt)
    implements Evidence {

  public SignatureEvidence {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A signature that counts for as long as the rules stay the same (a key, a logged or timestamped certificate). */
  public SignatureEvidence(String authority, String identity, String source) {
    this(authority, identity, source, Optional.empty());
  }

  @Override
  public String kind() {
    return "signature";
  }

  @Override
  public String detail() {
    return source;
  }

  @Override
  public String toString() {
    return text();
  }
}
