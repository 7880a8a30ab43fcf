package dev.promgate.verification;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A promotion attestation found attached to a digest, read and checked against the authorities
 * that count for its environment: what {@code promgate status} lists and {@code promgate promote}
 * reads back after pushing. See {@link RequirementsEvaluator#promotions}.
 *
 * @param source      where it was found, e.g. {@code registry/shop/web:sha256-….att layer 2}
 * @param environment the environment it promotes to
 * @param promotedAt  when, as the predicate says
 * @param authority   the first policy authority that signed it, if any did
 * @param signer      the key fingerprint or certificate identity that signed it, with {@code authority}
 * @param problem     why it does not count (not signed by an authority for its environment, dated in
 *                    the future); empty when it counts
 */
public record FoundPromotion(String source, String environment, Instant promotedAt, Optional<String> approver,
                             Optional<String> from, Optional<String> change, Optional<String> pipelineRun,
                             Optional<String> sourceRepository, Optional<String> sourceCommit, boolean force,
                             Optional<String> authority, Optional<String> signer, Optional<String> problem) {

  /** Whether the policies count it: signed by an authority for its environment, not dated ahead. */
  public boolean counts() {
    return authority.isPresent() && problem.isEmpty();
  }

  /**
   * What was found for one digest.
   *
   * @param promotions every readable promotion, in the order found
   * @param unreadable attachments that claim to be promotions but cannot be read, each with why
   */
  public record All(List<FoundPromotion> promotions, List<String> unreadable) {
    public All {
      promotions = List.copyOf(promotions);
      unreadable = List.copyOf(unreadable);
    }
  }
}
