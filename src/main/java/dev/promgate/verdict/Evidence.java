package dev.promgate.verdict;

import java.time.Instant;
import java.util.Optional;

/**
 * One piece of evidence a verdict rests on, for the decision log and audit annotations: a
 * {@link SignatureEvidence}, a {@link PromotionEvidence} or an {@link AttestationEvidence}. Each
 * keeps its fields apart, so that the verdict cache can pack them one by one and a cached verdict
 * says exactly what the verified one said.
 */
public sealed interface Evidence permits SignatureEvidence, PromotionEvidence, AttestationEvidence {

  /** What it proves: {@code signature}, {@code promotion} or {@code attestation}. */
  String kind();

  /** The policy authority that vouched for it. */
  String authority();

  /** The key fingerprint ({@code key sha256:…}) or certificate identity that signed it. */
  String identity();

  /** What it says, e.g. {@code prod, 2026-11-20T09:00:00Z, alice@acme.example}; may be empty. */
  String detail();

  /**
   * When it stops counting, if ever: a promotion's promotedAt + maxAge, a Notation signature's
   * expiry, the end of a certificate chain that was checked as valid now. A cached verdict is not
   * reused past it.
   */
  default Optional<Instant> expiresAt() {
    return Optional.empty();
  }

  /**
   * {@code promotion by release-managers (key sha256:77ab…): prod, 2026-11-20T09:00:00Z, alice}: how
   * the decision log, the {@code evidence} annotation and the response name it.
   */
  default String text() {
    String detail = detail();
    return kind() + " by " + authority() + " (" + identity() + ")" + (detail.isEmpty() ? "" : ": " + detail);
  }
}
