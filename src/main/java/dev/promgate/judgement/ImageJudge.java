package dev.promgate.judgement;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.image.ParsedReferences;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.FailureBoundary;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verdict.VerificationRequest;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Judges one image in one environment. The checks run in the order of their cost: registry
 * allow-list (no network), governing policies and their rules for the environment, digest pin,
 * then the verdict for the digest (cache, then registry and signatures). Every failed check is
 * reported, not only the first, and a failure is a value, never an exception.
 */
public final class ImageJudge {

  private final VerdictSource verdicts;
  private final TagResolver tags;
  /**
   * Parsing an image with every check costs more than looking up its cached verdict. Image strings
   * are sized by whoever creates a pod: only valid ones are kept, weighed by length.
   */
  private final ParsedReferences references = new ParsedReferences();

  /**
   * @param verdicts where verdicts for pinned digests come from (the cache, or the verifier)
   * @param tags     resolves a tag for the "pin it as …@sha256:…" hint of a tag denial
   */
  public ImageJudge(VerdictSource verdicts, TagResolver tags) {
    this.verdicts = verdicts;
    this.tags = tags;
  }

  /**
   * Judges an image as written in a workload: parsed (and the parse remembered) first; a string
   * that is no image reference is denied, in the environment's mode across all policies, since no
   * policy can govern it.
   */
  public Future<Judgement> judge(String written, Scope scope) {
    ImageReference reference;
    try {
      reference = references.parse(written);
    } catch (InvalidReferenceException e) {
      Mode mode = scope.modeFor(scope.policies().policies());
      return Future.succeededFuture(Judgement.Denied.early(mode, Optional.empty(),
          List.of(Problems.invalidReference(e.reason()))));
    }
    return judge(reference, scope);
  }

  /** Judges one image against the policies of the scope's environment. */
  public Future<Judgement> judge(ImageReference image, Scope scope) {
    GateConfig gate = scope.policies().gate();
    List<PromotionPolicy> governing = scope.policies().governing(image.name());
    Mode mode = scope.modeFor(governing);
    Optional<Digest> digest = Optional.ofNullable(image.digest());

    List<String> problems = new ArrayList<>();
    boolean registryAllowed = gate.registry(image.registry()).isPresent();
    if (!registryAllowed) {
      problems.add(Problems.notAllowedRegistry(image, gate));
    }
    if (governing.isEmpty()) {
      problems.add(Problems.ungoverned(image));
    }
    List<VerificationRequest.PolicyRules> rules = new ArrayList<>();
    for (PromotionPolicy policy : governing) {
      Optional<EnvironmentRules> r = policy.rulesFor(scope.environment());
      if (r.isEmpty()) {
        problems.add(Problems.noRulesFor(policy, scope.environment()));
      } else {
        rules.add(new VerificationRequest.PolicyRules(policy.name(), r.get()));
      }
    }
    if (!image.isPinned()) {
      // The mutable tag is the first thing to fix, so it is named first.
      return tagProblem(image, registryAllowed, scope).map(tagProblem -> {
        problems.add(0, tagProblem);
        return Judgement.Denied.early(mode, digest, problems);
      });
    }
    if (!problems.isEmpty()) {
      return Future.succeededFuture(Judgement.Denied.early(mode, digest, problems));
    }
    if (rules.stream().noneMatch(r -> r.rules().needsEvidence())) {
      return Future.succeededFuture(new Judgement.Admitted(mode, digest, List.of(), CacheSource.NONE));
    }
    VerificationRequest request = new VerificationRequest(image, scope.environment(), rules);
    return FailureBoundary.guard(image, () -> verdicts.lookup(request, scope.deadline()),
            verdict -> new Lookup(verdict, CacheSource.MISS))
        .map(lookup -> fromVerdict(mode, digest, lookup));
  }

  private static Judgement fromVerdict(Mode mode, Optional<Digest> digest, Lookup lookup) {
    Verdict verdict = lookup.verdict();
    if (verdict instanceof Verdict.Verified v) {
      return new Judgement.Admitted(mode, digest, v.evidence(), lookup.source());
    }
    if (verdict instanceof Verdict.Rejected r) {
      return new Judgement.Denied(mode, digest, r.reasons().stream().map(Verdict.Reason::toString).toList(),
          r.evidence(), lookup.source());
    }
    return new Judgement.Unverifiable(mode, digest, (Verdict.Unverifiable) verdict, lookup.source());
  }

  /** Why a tag is not enough; with the digest it points at now when the registry answers in time. */
  private Future<String> tagProblem(ImageReference image, boolean registryAllowed, Scope scope) {
    if (!registryAllowed) {
      return Future.succeededFuture(Problems.mutableTag(image));
    }
    return tags.resolve(image, scope.deadline())
        .map(now -> Problems.mutableTag(image, now))
        .otherwise(e -> Problems.mutableTag(image));
  }
}
