package dev.promgate.promotion;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code promgate promote} is asked to do.
 *
 * @param image       {@code registry/repository@sha256:…}; a tag alone is refused
 * @param environment the environment to promote to
 * @param from        the environment the digest must already be admissible in; when empty, the one
 *                    the policies' promotion chain names before {@code environment}, if any
 * @param promotedAt  the promotion time to record; now when empty
 * @param force       promote even when the digest is not admissible in {@code from} (recorded)
 * @param forceReason why, recorded with {@code forced: true}; required with {@code force}
 */
public record PromotionRequest(String image, String environment, Optional<String> from, Optional<String> approver,
                               Optional<String> change, Optional<String> pipelineRun,
                               Optional<String> sourceRepository, Optional<String> sourceCommit,
                               Optional<Instant> promotedAt, boolean force, Optional<String> forceReason) {

  public PromotionRequest {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(pipelineRun, "pipelineRun");
    Objects.requireNonNull(sourceRepository, "sourceRepository");
    Objects.requireNonNull(sourceCommit, "sourceCommit");
    Objects.requireNonNull(promotedAt, "promotedAt");
    Objects.requireNonNull(forceReason, "forceReason");
  }
}
