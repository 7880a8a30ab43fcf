package dev.promgate.verification;

import dev.promgate.verdict.PromotionEvidence;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The predicate of a promotion attestation ({@value #PREDICATE_TYPE}): the digest was promoted to
 * {@code environment} at {@code promotedAt} (RFC 3339), optionally by {@code approver}, from an
 * earlier environment, under a change ticket, by a pipeline run, from a source commit
 * ({@code source.repository}, {@code source.commit}); {@code force: true} records that the
 * promoter skipped the check of the earlier environment.
 */
record Promotion(String environment, Instant promotedAt, Optional<String> approver,
                 Optional<String> from, Optional<String> change, Optional<String> pipelineRun,
                 Optional<String> sourceRepository, Optional<String> sourceCommit, boolean force) {

  static final String PREDICATE_TYPE = dev.promgate.policy.EnvironmentRules.PromotionRule.PREDICATE_TYPE;

  static Promotion parse(InTotoStatement statement) throws Invalid {
    String what = "the promotion predicate";
    JsonNode predicate = Json.requireObject(statement.predicate(), what);
    String environment = Json.text(predicate, "environment", what);
    if (environment.isBlank()) {
      throw new Invalid(what + " has an empty \"environment\"");
    }
    String promotedAt = Json.text(predicate, "promotedAt", what);
    Instant at;
    try {
      at = OffsetDateTime.parse(promotedAt, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new Invalid(what + ": promotedAt \"" + InTotoStatement.abbreviate(promotedAt)
          + "\" is not an RFC 3339 time such as 2026-11-26T09:00:00Z");
    }
    JsonNode source = predicate.get("source");
    if (source != null && !source.isNull() && !source.isObject()) {
      throw new Invalid(what + ": \"source\" must be an object, found " + Json.typeOf(source));
    }
    boolean hasSource = source != null && source.isObject();
    // "forced" as promote writes it; "force" as earlier versions did.
    String forceKey = predicate.has("forced") ? "forced" : "force";
    JsonNode force = predicate.get(forceKey);
    if (force != null && !force.isNull() && !force.isBoolean()) {
      throw new Invalid(what + ": \"" + forceKey + "\" must be true or false, found " + Json.typeOf(force));
    }
    return new Promotion(environment, at,
        Json.optionalText(predicate, "approver", what),
        Json.optionalText(predicate, "from", what),
        Json.optionalText(predicate, "change", what),
        Json.optionalText(predicate, "pipelineRun", what),
        hasSource ? Json.optionalText(source, "repository", what + " source") : Optional.empty(),
        hasSource ? Json.optionalText(source, "commit", what + " source") : Optional.empty(),
        force != null && force.booleanValue());
  }

  /** {@code prod, 2026-11-20, alice@acme.example}: how "found" lists name a promotion. */
  String summary() {
    return environment + ", " + promotedAt.atOffset(ZoneOffset.UTC).toLocalDate()
        + approver.map(a -> ", " + a).orElse("");
  }

  /** The evidence it is when {@code authority} signed it as {@code identity} and it counts. */
  PromotionEvidence evidence(String authority, String identity, Optional<Instant> expiresAt) {
    return new PromotionEvidence(authority, identity, environment, promotedAt, approver, from, change, pipelineRun,
        force, expiresAt);
  }
}
