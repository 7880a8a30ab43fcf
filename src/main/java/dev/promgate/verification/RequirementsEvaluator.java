package dev.promgate.verification;

import dev.promgate.verdict.FailureBoundary;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.Authority;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerificationRequest;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Decides whether one image digest meets the signature, promotion and attestation requirements of
 * every policy that governs it in one environment, from the attachments already fetched for it.
 *
 * <p><b>What counts.</b> Evidence counts only for the digest it names: a cosign signature whose
 * payload's {@code docker-manifest-digest} is the digest, an attestation whose in-toto subject lists
 * it (sha256 or sha512, whichever the digest is), a message-signature bundle over it. The
 * {@code docker-reference} in a cosign payload is not compared (see {@link SimpleSigningPayload}).
 * For a multi-arch image, evidence attached to the index digest counts when the pod names the index
 * digest; a pod that names a platform manifest digest needs evidence on that digest (for example
 * {@code cosign sign --recursive}), because promgate verifies exactly the digest the pod will run.
 *
 * <p><b>Requirements</b> (all policies must pass, every reason is reported):
 * <ul>
 *   <li>signatures: one image signature verifies with any one of the listed authorities;</li>
 *   <li>promotions: for each rule, a promotion attestation
 *       ({@code https://promgate.dev/promotion/v1}) to the rule's environment signed by one of its
 *       authorities; the newest such promotion must be younger than {@code maxAge}, measured from
 *       its {@code promotedAt} (the evidence expires at {@code promotedAt + maxAge}); a
 *       {@code promotedAt} more than five minutes ahead of the clock does not count;</li>
 *   <li>attestations: for each rule, one attestation of the predicate type, signed by one of the
 *       authorities, for which the condition (if any) holds.</li>
 * </ul>
 *
 * <p><b>Cost.</b> Each attachment is verified at most once per key and once per trusted root,
 * however many rules and policies name the authority; identity matching is cheap and done per
 * keyless authority. sigstore-java's verifiers are built once per trusted root and shared. Every
 * attachment handed in is checked: the registry step bounds how many arrive
 * ({@code spec.limits.maxAttachments}) and fails as Unverifiable beyond that, so a genuine
 * signature is never skipped for coming after many foreign ones.
 *
 * <p><b>Failures are values.</b> Malformed or foreign evidence is a reason in a
 * {@link Verdict.Rejected}; an unexpected exception (a bug, never an expected input) becomes
 * {@link Verdict.Unverifiable} with category {@code verification-error}, so it is not cached as a
 * denial. The evaluator is synchronous and CPU-bound: call it from a worker pool, never from an event
 * loop. It is thread-safe.
 */
public final class RequirementsEvaluator {

  private final Clock clock;
  private final TrustMaterials trust = new TrustMaterials();

  public RequirementsEvaluator(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * @param request     the pinned image, the environment and the rules of every governing policy
   * @param attachments what the registry holds for the image digest
   * @return Verified with the evidence used; Rejected with every failed requirement, what was found
   *         and how to fix it; Unverifiable only if verification itself broke
   */
  public Verdict evaluate(VerificationRequest request, SignedContent attachments) {
    return FailureBoundary.guardNow(Verdict.Unverifiable.Category.VERIFICATION_ERROR, request.image(),
        () -> new Evaluation(request, attachments, trust, clock.instant()).run());
  }

  /**
   * Each piece of material checked against one authority, as {@link #evaluate} would check it:
   * for {@code promgate verify}. Synchronous and CPU-bound.
   *
   * @param image the pinned image the material is for
   */
  public List<AuthorityCheck> check(ImageReference image, SignedContent attachments, Authority authority) {
    return new Evaluation(new VerificationRequest(image, "", List.of()), attachments, trust, clock.instant())
        .check(authority);
  }

  /**
   * Every promotion attestation attached to a digest, read and checked against the authorities
   * that count for its environment, with the same parsing and signature checks as
   * {@link #evaluate}: for {@code promgate status} (what is promoted where) and
   * {@code promgate promote} (does the promotion just pushed count). Synchronous and CPU-bound.
   *
   * @param image          the pinned image the attachments belong to
   * @param authoritiesFor the authorities whose signature makes a promotion to an environment count
   */
  public FoundPromotion.All promotions(ImageReference image, SignedContent attachments,
                                       Function<String, List<Authority>> authoritiesFor) {
    return new Evaluation(new VerificationRequest(image, "", List.of()), attachments, trust, clock.instant())
        .promotions(authoritiesFor);
  }
}
