package dev.promgate.verdict;

import java.util.Objects;

/**
 * An image signature that verified.
 *
 * @param source where it was found and what it names, e.g.
 *               {@code registry.acme.example/shop/web:sha256-….sig layer 0 (signed as …)}
 */
public record SignatureEvidence(String authority, String identity, String source) implements Evidence {

  public SignatureEvidence {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(source, "source");
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
