package dev.promgate.verdict;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A signed promotion to an environment that counted.
 *
 * @param environment the environment promoted to
 * @param promotedAt  when, as the promotion says
 * @param approver    who approved it, if the promotion names someone
 * @param from        the environment it was promoted from, if named
 * @param change      the change ticket, if named
 * @param pipelineRun the pipeline run that promoted it, if named
 * @param forced      whether the promoter skipped the check of the environment before
 * @param expiresAt   promotedAt + the rule's maxAge, when the rule has one, or the end of the signing
 *                    certificate chain when that was checked as valid now, whichever comes first
 */
public record PromotionEvidence(String authority, String identity, String environment, Instant promotedAt,
                                Optional<String> approver, Optional<String> from, Optional<String> change,
                                Optional<String> pipelineRun, boolean forced, Optional<Instant> expiresAt)
    implements Evidence {

  public PromotionEvidence {
    Objects.requireNonNull(authority, "authority");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(promotedAt, "promotedAt");
    Objects.requireNonNull(approver, "approver");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(pipelineRun, "pipelineRun");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  @Override
  public String kind() {
    return "promotion";
  }

  /** {@code prod, 2026-11-26T09:00:00Z, alice@acme.example, from preprod, CHG-1234, <run>, forced}. */
  @Override
  public String detail() {
    return environment + ", " + promotedAt + approver.map(a -> ", " + a).orElse("")
        + from.map(f -> ", from " + f).orElse("") + change.map(c -> ", " + c).orElse("")
        + pipelineRun.map(p -> ", " + p).orElse("") + (forced ? ", forced" : "");
  }

  @Override
  public String toString() {
    return text();
  }
}
