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

  /**
   * The format, as denials name it: {@code cosign signature}, {@code cosign attestation},
   * {@code Sigstore bundle (cosign v3 image signature)}, …
   */
  abstract String format();

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
   * Whether a key authority signed it, with the transparency the authority requires. Called only
   * when usable.
   *
   * @return empty when it is not signed with the key; else what shows it was logged or timestamped
   *         (empty text when the authority requires nothing)
   * @throws Invalid when it is signed with the key but the required log entry or a timestamp fails
   */
  Optional<String> verifyKey(SignerTrust.Key trust, Instant now) throws Invalid {
    if (!verifiedBy(trust.key())) {
      return Optional.empty();
    }
    if (trust.transparency().isPresent()) {
      throw new Invalid("a " + format() + " carries no transparency log entry that promgate can check");
    }
    return Optional.of("");
  }

  /**
   * Verifies a signature made with a certificate (Fulcio's, or an enterprise CA's) and returns who
   * it was issued to. Called only when usable.
   *
   * @throws Invalid saying what does not hold
   */
  SignerChecks.CertifiedSigner verifyCertificate(SignerTrust.Certificates trust, Instant now) throws Invalid {
    throw new Invalid("a " + format() + " is not signed with a certificate");
  }

  /** {@link #verifyCertificate} under public-good Sigstore's rules (log entry and SCT required). */
  final CertificateIdentity verifyKeyless(TrustMaterial trust, Instant now) throws Invalid {
    return verifyCertificate(SignerTrust.Keyless.publicGood(trust), now).identity();
  }

  @Override
  public String toString() {
    return source;
  }
}
