package dev.promgate.judgement;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.image.ParsedReferences;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verdict.CacheSource;
import dev.promgate.verdict.FailureBoundary;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.RenderedEvidence;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verdict.VerificationRequest;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
    Plan plan = plan(image, scope);
    Mode mode = plan.mode();
    Optional<Digest> digest = Optional.ofNullable(image.digest());
    if (!image.isPinned()) {
      // The mutable tag is the first thing to fix, so it is named first.
      return tagProblem(image, plan.registryAllowed(), scope).map(tagProblem -> {
        List<String> problems = new ArrayList<>(plan.problems());
        problems.add(0, tagProblem);
        return Judgement.Denied.early(mode, digest, problems);
      });
    }
    if (!plan.problems().isEmpty()) {
      return Future.succeededFuture(Judgement.Denied.early(mode, digest, plan.problems()));
    }
    if (!plan.needsEvidence()) {
      return Future.succeededFuture(new Judgement.Admitted(mode, digest, RenderedEvidence.NONE, CacheSource.NONE));
    }
    VerificationRequest request = new VerificationRequest(image, scope.environment(), plan.rules(),
        plan.fingerprint());
    Cutoff cutoff = scope.cutoff();
    // The verification may outlive this request (others read its verdict from the cache); the
    // request does not wait past its cutoff.
    Future<Lookup> found = FailureBoundary.guard(image, () -> verdicts.lookup(request, cutoff.workDeadline()),
        verdict -> new Lookup(verdict, CacheSource.MISS));
    return cutoff.race(found, () -> unfinished(request, cutoff))
        .map(lookup -> fromVerdict(mode, digest, lookup));
  }

  private Lookup unfinished(VerificationRequest request, Cutoff cutoff) {
    try {
      return verdicts.unfinished(request, cutoff.budget());
    } catch (RuntimeException e) {
      return new Lookup(Verdict.Unverifiable.overBudget(request.image(), cutoff.budget()), CacheSource.MISS);
    }
  }

  /**
   * What the policies say about one repository in one environment, whatever its digest: the checks
   * that need no registry, in the order of their cost — registry allow-list, governing policies,
   * their rules for the environment — and the requirements to verify. The same for every request
   * under one policy set, so it is worked out once per (environment, repository) and kept with the
   * set ({@value #PLANS} at most; beyond that each is worked out on the spot).
   *
   * @param problems every check that failed, each with its fix
   */
  private record Plan(Mode mode, boolean registryAllowed, List<String> problems,
                      List<VerificationRequest.PolicyRules> rules, String fingerprint, boolean needsEvidence) {}

  private record PlanKey(String environment, String repository) {}

  /** The plans of one policy set and mode override; replaced when either changes. */
  private record Plans(PolicySet set, Optional<Mode> modeOverride, Map<PlanKey, Plan> byRepository) {}

  private static final int PLANS = 10_000;
  private volatile Plans plans = new Plans(PolicySet.none(), Optional.empty(), new ConcurrentHashMap<>());

  private Plan plan(ImageReference image, Scope scope) {
    Plans current = plans;
    if (current.set() != scope.policies() || !current.modeOverride().equals(scope.modeOverride())) {
      current = new Plans(scope.policies(), scope.modeOverride(), new ConcurrentHashMap<>());
      plans = current;
    }
    String repository = image.name();
    PlanKey key = new PlanKey(scope.environment(), repository);
    Plan known = current.byRepository().get(key);
    if (known != null) {
      return known;
    }
    Plan plan = newPlan(image, repository, scope);
    if (current.byRepository().size() < PLANS) {
      current.byRepository().put(key, plan);
    }
    return plan;
  }

  private static Plan newPlan(ImageReference image, String repository, Scope scope) {
    GateConfig gate = scope.policies().gate();
    List<PromotionPolicy> governing = scope.policies().governing(repository);
    Mode mode = scope.modeFor(governing);
    List<String> problems = new ArrayList<>();
    boolean registryAllowed = gate.registry(image.registry()).isPresent();
    if (!registryAllowed) {
      problems.add(Problems.notAllowedRegistry(image, gate));
    }
    if (governing.isEmpty()) {
      problems.add(Problems.ungoverned(image, scope.policies().policies()));
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
    boolean needsEvidence = rules.stream().anyMatch(r -> r.rules().needsEvidence());
    return new Plan(mode, registryAllowed, List.copyOf(problems), List.copyOf(rules),
        VerificationRequest.fingerprint(rules), needsEvidence);
  }

  private static Judgement fromVerdict(Mode mode, Optional<Digest> digest, Lookup lookup) {
    Verdict verdict = lookup.verdict();
    if (verdict instanceof Verdict.Verified) {
      return new Judgement.Admitted(mode, digest, lookup.evidence(), lookup.source());
    }
    if (verdict instanceof Verdict.Rejected r) {
      return new Judgement.Denied(mode, digest, r.reasons().stream().map(Verdict.Reason::toString).toList(),
          lookup.evidence(), lookup.source());
    }
    return new Judgement.Unverifiable(mode, digest, (Verdict.Unverifiable) verdict, lookup.source());
  }

  /** Why a tag is not enough; with the digest it points at now when the registry answers in time. */
  private Future<String> tagProblem(ImageReference image, boolean registryAllowed, Scope scope) {
    if (!registryAllowed) {
      return Future.succeededFuture(Problems.mutableTag(image));
    }
    Future<String> hinted = tags.resolve(image, scope.deadline())
        .map(now -> Problems.mutableTag(image, now))
        .otherwise(e -> Problems.mutableTag(image));
    return scope.cutoff().race(hinted, () -> Problems.mutableTag(image));
  }
}
