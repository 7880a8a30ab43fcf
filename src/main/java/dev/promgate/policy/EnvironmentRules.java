package dev.promgate.policy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link PromotionPolicy} requires of an image in one environment.
 *
 * @param environment  the environment name
 * @param mode         overrides {@link GateConfig#mode()} for this environment when present
 * @param signatures   the image must be signed by any one of these
 * @param promotions   every one of these promotions must be present
 * @param attestations every one of these attestations must be present
 * @param fingerprint  a digest of everything these rules depend on, trust material included;
 *                     equal fingerprints mean equal requirements (the verdict cache keys on it).
 *                     The mode and the environment name are not part of it: they change what
 *                     happens to a verdict, not the verdict (see {@code Fingerprints})
 */
public record EnvironmentRules(
    String environment,
    Optional<Mode> mode,
    List<Authority> signatures,
    List<PromotionRule> promotions,
    List<AttestationRule> attestations,
    String fingerprint) {

  /** Whether these rules need anything from the registry besides a pinned digest. */
  public boolean needsEvidence() {
    return !signatures.isEmpty() || !promotions.isEmpty() || !attestations.isEmpty();
  }

  /**
   * A promotion to {@code environment}, signed by any of {@code signedBy}, younger than
   * {@code maxAge} (measured from its {@code promotedAt}) when given.
   */
  public record PromotionRule(String environment, List<Authority> signedBy, Optional<Duration> maxAge) {
    /** The predicate type of a promotion attestation. */
    public static final String PREDICATE_TYPE = "https://promgate.dev/promotion/v1";
    /**
     * How far a promotion's {@code promotedAt} may lie ahead of the clock and still count: clocks
     * differ a little; a promotion dated later is for later.
     */
    public static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);
  }

  /**
   * An attestation of {@code predicateType}, signed by any of {@code signedBy}, whose
   * {@code condition} holds when given.
   */
  public record AttestationRule(String predicateType, List<Authority> signedBy,
                                Optional<AttestationCondition> condition) {}
}
