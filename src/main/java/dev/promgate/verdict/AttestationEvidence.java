package dev.promgate.verdict;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An attestation of a required predicate type that verified, and the condition it satisfied.
 *
 * @param predicateType e.g. {@code https://slsa.dev/provenance/v1}
 * @param condition     the CEL expression that held, if the rule has one
 * @param expiresAt     when it stops counting, if its signer's certificate chain was checked as valid now
 */
public record AttestationEvidence(String authority, String identity, String predicateType,
                                  Optional<String> condition, Optional<Instant> expiresAt) implements Evidence {

  public AttestationEvidence {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(predicateType, "predicateType");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** An attestation that counts for as long as the rules stay the same. */
  public AttestationEvidence(String authority, String identity, String predicateType, Optional<String> condition) {
    this(authority, identity, predicateType, condition, Optional.empty());
  }

  @Override
  public String kind() {
    return "attestation";
  }

  @Override
  public String detail() {
    return predicateType + condition.map(c -> " where " + c).orElse("");
  }

  @Override
  public String toString() {
    return text();
  }
}
