package dev.promgate.judgement;

import dev.promgate.image.Digest;
import dev.promgate.image.ImageReference;
import dev.promgate.policy.GateConfig;
import dev.promgate.policy.PromotionPolicy;
import dev.promgate.verdict.Verdict;
import java.util.stream.Collectors;

/** How a judgement words what failed and how to fix it: one method per problem. */
final class Problems {

  private Problems() {}

  static String invalidReference(String reason) {
    return "is not a valid image reference: " + reason + "; fix: write it as registry/repository@sha256:<digest>";
  }

  static String notAllowedRegistry(ImageReference ref, GateConfig gate) {
    if (gate.registries().isEmpty()) {
      return "is on registry " + ref.registry() + ", but the GateConfig allows no registries; fix: list "
          + ref.registry() + " under GateConfig spec.registries";
    }
    return "is on registry " + ref.registry() + ", which is not in the GateConfig registry allow-list ("
        + gate.registries().stream().map(GateConfig.RegistrySettings::host).collect(Collectors.joining(", "))
        + "); fix: copy the image to an allowed registry, or add " + ref.registry()
        + " to GateConfig spec.registries";
  }

  /** Globs named in an "ungoverned" message, at most; the rest are counted. */
  static final int GLOBS_NAMED = 8;

  /** No policy's globs match the repository: which were tried, and what to do. */
  static String ungoverned(ImageReference ref, java.util.List<PromotionPolicy> policies) {
    java.util.List<String> tried = new java.util.ArrayList<>();
    for (PromotionPolicy p : policies) {
      for (var glob : p.images()) {
        tried.add(glob + " (policy " + p.name() + ")");
      }
    }
    String globs = tried.isEmpty() ? "no policy defines any image glob"
        : "globs tried: " + String.join(", ", tried.subList(0, Math.min(GLOBS_NAMED, tried.size())))
            + (tried.size() > GLOBS_NAMED ? " and " + (tried.size() - GLOBS_NAMED) + " more" : "");
    return "matches no PromotionPolicy (repository " + ref.name() + "; " + globs + "); fix: add the repository "
        + "to the spec.images of a policy, or run it in an exempt namespace";
  }

  static String noRulesFor(PromotionPolicy policy, String environment) {
    return "is governed by policy " + policy.name() + ", which has no rules for environment "
        + environment + "; fix: add spec.environments." + environment + " to policy " + policy.name()
        + " (" + policy.source().getFileName() + ")";
  }

  /** The mutable tag and the general fix, without the digest the tag points at. */
  static String mutableTag(ImageReference ref) {
    return mutable(ref) + "; fix: pin it as " + ref.name() + "@sha256:<digest>";
  }

  /** The mutable tag, and the fix with the digest the tag points at now. */
  static String mutableTag(ImageReference ref, Digest now) {
    return mutable(ref) + "; fix: pin it as " + ref.pinnedForm(now) + " (what \""
        + ref.tagOrLatest() + "\" points at now)";
  }

  private static String mutable(ImageReference ref) {
    return ref.tag() == null
        ? "has neither tag nor digest (which means the mutable tag \"latest\"); images must be referenced by digest"
        : "uses the mutable tag \"" + ref.tag() + "\"; images must be referenced by digest";
  }

  static String unverifiable(Verdict.Unverifiable u) {
    return "could not be verified (" + u.category().wireName() + "): " + u.cause()
        + "; promgate does not admit what it cannot verify — retry once the cause is fixed";
  }
}
