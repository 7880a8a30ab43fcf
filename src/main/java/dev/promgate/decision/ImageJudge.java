package dev.promgate.decision;

import dev.promgate.image.ImageReference;
import dev.promgate.image.InvalidReferenceException;
import dev.promgate.image.ParsedReferences;
import dev.promgate.policy.EnvironmentRules;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.Mode;
import dev.promgate.policy.PolicySet;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verdict.Lookup;
import dev.promgate.verdict.Verdict;
import dev.promgate.verdict.VerdictSource;
import dev.promgate.verdict.VerificationRequest;
import dev.promgate.workload.ContainerImage;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Judges one container image in one environment. The checks run in the order of their cost:
 * reference grammar, registry allow-list (no network), digest pin, governing policies, then the
 * verdict for the digest (cache, then registry and signatures). Every failed check is reported,
 * not only the first, and a failure is a value, never an exception.
 */
public final class ImageJudge {

  private final VerdictSource verdicts;
  private final TagResolver tags;
  private final ParsedReferences references = new ParsedReferences();

  public ImageJudge(VerdictSource verdicts, TagResolver tags) {
    this.verdicts = verdicts;
    this.tags = tags;
  }

  /**
   * @param modeOverride {@code serve --mode audit}: audit everything, whatever the policies say
   * @param deadline     the whole request's budget
   */
  public Future<ImageResult> judge(ContainerImage container, String environment, PolicySet policies,
                                   Optional<Mode> modeOverride, Instant deadline) {
    ImageReference ref;
    try {
      ref = references.parse(container.image());
    } catch (InvalidReferenceException e) {
      // No repository, so no governing policy: the environment's mode across all policies decides.
      Mode mode = modeOverride.orElse(policies.modeFor(environment, policies.policies()));
      return Future.succeededFuture(ImageResult.denied(container, mode, "",
          List.of("is not a valid image reference: " + e.reason()
              + "; fix: write it as registry/repository@sha256:<digest>")));
    }
    List<PromotionPolicy> governing = policies.governing(ref.name());
    Mode mode = modeOverride.orElse(policies.modeFor(environment, governing));
    String digest = ref.digest() == null ? "" : ref.digest().toString();

    List<String> problems = new ArrayList<>();
    Optional<GateConfig.RegistrySettings> registry = policies.gate().registry(ref.registry());
    if (registry.isEmpty()) {
      problems.add(notAllowedRegistry(ref, policies.gate()));
    }
    if (governing.isEmpty()) {
      problems.add("matches no PromotionPolicy (repository " + ref.name() + "); fix: add the repository to "
          + "the spec.images of a policy, or run it in an exempt namespace");
    }
    List<VerificationRequest.PolicyRules> rules = new ArrayList<>();
    for (PromotionPolicy p : governing) {
      Optional<EnvironmentRules> r = p.rulesFor(environment);
      if (r.isEmpty()) {
        problems.add("is governed by policy " + p.name() + ", which has no rules for environment "
            + environment + "; fix: add spec.environments." + environment + " to policy " + p.name()
            + " (" + p.source().getFileName() + ")");
      } else {
        rules.add(new VerificationRequest.PolicyRules(p.name(), r.get()));
      }
    }
    if (!ref.isPinned()) {
      // The mutable tag is the first thing to fix, so it is named first.
      return tagProblem(ref, registry.isPresent(), deadline).map(tagProblem -> {
        problems.add(0, tagProblem);
        return ImageResult.denied(container, mode, "", problems);
      });
    }
    if (!problems.isEmpty()) {
      return Future.succeededFuture(ImageResult.denied(container, mode, digest, problems));
    }
    boolean needsEvidence = rules.stream().anyMatch(r -> r.rules().needsEvidence());
    if (!needsEvidence) {
      return Future.succeededFuture(ImageResult.allowed(container, mode, List.of(), digest, "none"));
    }
    VerificationRequest request = new VerificationRequest(ref, environment, rules);
    return verdicts.lookup(request, deadline)
        .otherwise(e -> new Lookup(new Verdict.Unverifiable("internal", "verification failed: " + e), "miss"))
        .map(lookup -> fromVerdict(container, mode, digest, lookup));
  }

  private static ImageResult fromVerdict(ContainerImage container, Mode mode, String digest, Lookup lookup) {
    Verdict verdict = lookup.verdict();
    if (verdict instanceof Verdict.Verified v) {
      return ImageResult.allowed(container, mode, v.evidence(), digest, lookup.cache());
    }
    if (verdict instanceof Verdict.Rejected r) {
      return new ImageResult(container, ImageResult.Status.DENIED, mode,
          r.reasons().stream().map(Verdict.Reason::toString).toList(), r.evidence(), digest, lookup.cache());
    }
    Verdict.Unverifiable u = (Verdict.Unverifiable) verdict;
    return new ImageResult(container, ImageResult.Status.UNVERIFIABLE, mode,
        List.of("could not be verified (" + u.category() + "): " + u.cause()
            + "; promgate does not admit what it cannot verify — retry once the cause is fixed"),
        List.of(), digest, lookup.cache());
  }

  private Future<String> tagProblem(ImageReference ref, boolean registryAllowed, Instant deadline) {
    String problem = ref.tag() == null
        ? "has neither tag nor digest (which means the mutable tag \"latest\"); images must be referenced by digest"
        : "uses the mutable tag \"" + ref.tag() + "\"; images must be referenced by digest";
    if (!registryAllowed) {
      return Future.succeededFuture(problem + "; fix: pin it as " + ref.name() + "@sha256:<digest>");
    }
    return tags.resolve(ref, deadline)
        .map(d -> problem + "; fix: pin it as " + ref.pinnedForm(d) + " (what \""
            + (ref.tag() == null ? "latest" : ref.tag()) + "\" points at now)")
        .otherwise(e -> problem + "; fix: pin it as " + ref.name() + "@sha256:<digest>");
  }

  private static String notAllowedRegistry(ImageReference ref, GateConfig gate) {
    if (gate.registries().isEmpty()) {
      return "is on registry " + ref.registry() + ", but the GateConfig allows no registries; fix: list "
          + ref.registry() + " under GateConfig spec.registries";
    }
    return "is on registry " + ref.registry() + ", which is not in the GateConfig registry allow-list ("
        + gate.registries().stream().map(GateConfig.RegistrySettings::host).collect(Collectors.joining(", "))
        + "); fix: copy the image to an allowed registry, or add " + ref.registry()
        + " to GateConfig spec.registries";
  }
}
