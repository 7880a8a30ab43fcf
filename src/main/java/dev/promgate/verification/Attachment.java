package dev.promgate.verification;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Optional;

/**
 * One fetched signature, attestation or bundle, parsed and checked against the image digest: the
 * part of verification that does not depend on who signed it. Whether a given authority signed it
 * is asked afterwards ({@link #verifiedBy(PublicKey)}, {@link #verifyKeyless}).
 */
abstract class Attachment {

  private final String source;
  private final String unusable;
  private final String claimedPredicateType;

  /**
   * @param unusable             why this cannot count for the digest whoever signed it, or null
   * @param claimedPredicateType the predicate type its statement names, even when unusable (so that
   *                             "found" lists stay relevant); null when there is no readable statement
   */
  Attachment(String source, String unusable, String claimedPredicateType) {
    this.source = source;
    this.unusable = unusable;
    this.claimedPredicateType = claimedPredicateType;
  }

  /** Where it came from, e.g. {@code registry/repo:sha256-….sig layer 0}. */
  final String source() {
    return source;
  }

  /** Why it cannot count (malformed, about another digest), if so. */
  final Optional<String> unusable() {
    return Optional.ofNullable(unusable);
  }

  /** The predicate type its statement names, if it has a readable one, whether usable or not. */
  final Optional<String> claimedPredicateType() {
    return Optional.ofNullable(claimedPredicateType);
  }

  /**
   * Whether an unusable attachment is worth naming among what was found for a requirement about
   * {@code predicateType}: it is an attestation of that type, or one whose type is unknown.
   */
  final boolean mayBeAbout(String predicateType) {
    return isAttestation() && (claimedPredicateType == null || claimedPredicateType.equals(predicateType));
  }

  /** What the evidence log says about it when it counts: where it came from, and what it names. */
  String evidenceDetail() {
    return source;
  }

  /** Whether it is, or claims to be, a signature of the image. */
  abstract boolean isSignature();

  /** Whether it is, or claims to be, an attestation. */
  abstract boolean isAttestation();

  /** The attested statement, once parsed and found to cover the digest. */
  Optional<InTotoStatement> statement() {
    return Optional.empty();
  }

  /** Whether {@code key} made its signature. Called only when usable. */
  abstract boolean verifiedBy(PublicKey key);

  /**
   * Verifies a keyless signature against a trusted root and returns the certificate identity.
   * Called only when usable.
   *
   * @throws Invalid saying what does not hold
   */
  abstract CertificateIdentity verifyKeyless(TrustMaterial trust, Instant now) throws Invalid;

  @Override
  public String toString() {
    return source;
  }
}
