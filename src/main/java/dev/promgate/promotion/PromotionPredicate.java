package dev.promgate.promotion;

import dev.promgate.json.Mappers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * The predicate of a promotion attestation, {@value #TYPE}: the digest is promoted to
 * {@code environment} at {@code promotedAt}, with the approval, change and provenance details a
 * release audit asks for. {@code forced: true} and {@code forceReason} are written only when the
 * promoter skipped the check that the digest is admissible in the environment before; a forced
 * promotion names no {@code from} the digest was not admissible in.
 */
public record PromotionPredicate(String environment, Instant promotedAt, Optional<String> approver,
                                 Optional<String> from, Optional<String> change, Optional<String> pipelineRun,
                                 Optional<String> sourceRepository, Optional<String> sourceCommit, boolean force,
                                 Optional<String> forceReason) {

  public static final String TYPE = dev.promgate.policy.EnvironmentRules.PromotionRule.PREDICATE_TYPE;

  public PromotionPredicate {
    Objects.requireNonNull(environment, "environment");
    if (environment.isBlank()) {
      throw new IllegalArgumentException("environment must not be blank");
    }
    Objects.requireNonNull(promotedAt, "promotedAt");
    approver = nonBlank(approver);
    from = nonBlank(from);
    change = nonBlank(change);
    pipelineRun = nonBlank(pipelineRun);
    sourceRepository = nonBlank(sourceRepository);
    sourceCommit = nonBlank(sourceCommit);
    forceReason = nonBlank(forceReason);
  }

  /** The predicate as DESIGN.md shows it, fields in that order, absent ones left out. */
  ObjectNode toJson() {
    ObjectNode p = Mappers.JSON.createObjectNode();
    p.put("environment", environment);
    p.put("promotedAt", promotedAt.toString());
    approver.ifPresent(v -> p.put("approver", v));
    from.ifPresent(v -> p.put("from", v));
    change.ifPresent(v -> p.put("change", v));
    pipelineRun.ifPresent(v -> p.put("pipelineRun", v));
    if (sourceRepository.isPresent() || sourceCommit.isPresent()) {
      ObjectNode source = p.putObject("source");
      sourceRepository.ifPresent(v -> source.put("repository", v));
      sourceCommit.ifPresent(v -> source.put("commit", v));
    }
    if (force) {
      p.put("forced", true);
      forceReason.ifPresent(v -> p.put("forceReason", v));
    }
    return p;
  }

  /** The predicate as compact JSON: what {@code cosign attest --predicate} would take. */
  public String json() {
    return new String(Mappers.JSON.writeValueAsBytes(toJson()), StandardCharsets.UTF_8);
  }

  private static Optional<String> nonBlank(Optional<String> value) {
    return Objects.requireNonNull(value).map(String::strip).filter(v -> !v.isEmpty());
  }
}
